// Gives memory back once the broker goes idle after traffic.
//
// Under load V8 grows its young generation (to 32 MiB of semi-spaces here) and keeps it: an idle
// process allocates nothing, so no collection runs that could shrink it, and V8's memory reducer
// starts only after full collections, which a broker whose old generation stays small seldom
// needs. Measured with a 20 s persistent publish/consume load (bench/soak.ts): RSS stayed at its
// peak for the 60 s we watched after the load. So when the sockets have been quiet for IDLE_MS
// after traffic, run full collections a second apart until the young generation has shrunk.
// V8 shrinks it in a full collection only once its allocation rate, averaged over the last
// five seconds of collections, is low; work that goes on after the sockets fall quiet (the store
// compacting what the last acks freed) can push that past a fixed number of tries, which is why
// we look at the result rather than count (a soak run kept its 120 MiB peak after six tries).
// The C heap is the other half: glibc returns freed memory by itself only from the top of its
// heap, so each collection is followed a tick later (once V8's background sweeper has freed the
// dead buffers) by malloc_trim, where the native helper is built (server/malloc-trim.ts).
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { loadMallocTrim } from './malloc-trim.js'

const CHECK_MS = 1000
const IDLE_MS = 5000
/** Enough for V8's five-second rate window to pass any work that outlasts the socket traffic. */
const MAX_COLLECTIONS = 30
/** The young generation counts as shrunk at this size (V8 starts it at 1 MiB). */
const SHRUNK_BYTES = 4 << 20

/** Memory committed to V8's young generation. */
function youngGenerationBytes(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.physical_space_size ?? 0
}

/** Node's gc(), made available at run time (the CLI cannot pass --expose-gc to its own node). */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

export class IdleMemoryRelease {
  private timer: NodeJS.Timeout | undefined
  private gc: (() => void) | undefined
  private lastActivity = -1
  private quietMs = 0
  /** Traffic was seen since the last release: only then is there something to give back. */
  private isDirty = false
  private collectionsLeft = 0
  /** A collection ran since the last trim. */
  private isTrimDue = false
  releases = 0
  collections = 0
  trims = 0

  /**
   * activity: any number that changes whenever bytes move or connections come and go;
   * youngBytes: what V8 has committed to its young generation; trimCHeap: malloc_trim, when
   * available (both parameters for tests).
   */
  constructor(
    private readonly activity: () => number,
    private readonly youngBytes: () => number = youngGenerationBytes,
    private readonly trimCHeap: (() => boolean) | undefined = loadMallocTrim(),
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), CHECK_MS)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
  }

  private tick(): void {
    if (this.isTrimDue) this.trim()
    const now = this.activity()
    if (now !== this.lastActivity) {
      this.lastActivity = now
      this.isDirty = true
      this.quietMs = 0
      this.collectionsLeft = 0 // traffic is back: stop collecting
      return
    }
    if (this.collectionsLeft > 0) return this.collect()
    if (!this.isDirty) return
    this.quietMs += CHECK_MS
    if (this.quietMs < IDLE_MS) return
    this.isDirty = false
    this.releases++
    this.collectionsLeft = MAX_COLLECTIONS
    this.collect()
  }

  private trim(): void {
    this.isTrimDue = false
    if (!this.trimCHeap) return
    this.trimCHeap()
    this.trims++
  }

  /** One full collection per tick (a few milliseconds on a heap this size) until V8 has shrunk. */
  private collect(): void {
    this.gc ??= exposeGc()
    this.gc()
    this.collections++
    this.isTrimDue = true
    this.collectionsLeft = this.youngBytes() <= SHRUNK_BYTES ? 0 : this.collectionsLeft - 1
  }
}
