// Write buffering and group commit for segment files: records are staged in memory, cut into
// chunks, written with one writev per segment per batch, and fsynced once per sync round however
// many sync() calls wait on it. Must not decide what records say, nor which segments to delete.
//
//   staging buffer (1 MiB, or one record's size):  [ cut chunks ... | staged, not cut | free ]
//                                                   ^ written in order by pump()  ^ stagingCut  ^ stagingPos
//   sequence numbers count staged bytes over all segments: appendedSeq ≥ writtenSeq ≥ durableSeq.
import type { Segment } from './segment.js'
import type { StoreIo } from './store-io.js'
import type { StoreLog } from './store-log.js'

const STAGING_BYTES = 1 << 20
/** A writer idle this long lets its staging buffers go, so an idle broker holds none. */
const IDLE_RELEASE_MS = 2000
const NO_STAGING = Buffer.alloc(0)
/** Staged bytes that start a write without waiting for the end of the turn. */
const EAGER_WRITE_BYTES = 4 << 20

/** Another file whose writes a sync must make durable too (definitions.log). */
export interface SideFile {
  readonly fd: number
  /** Increases with every write made to the file. */
  readonly writeCount: number
}

export interface GroupCommitOptions {
  io: StoreIo
  log: StoreLog
  /** Directory fd, fsynced when segment files were created. */
  dirFd: number
  side: SideFile
  /** Runs after each round's fsyncs, before its waiters resolve (segment reclaiming); must not reject. */
  afterSync: () => Promise<void>
  /** Unprompted sync of written data after this long (0: only when asked). */
  syncIntervalMs: number
}

export interface CommitStats { writes: number; fsyncs: number; dirSyncs: number }

interface Chunk { segment: Segment; at: number; buf: Buffer; endSeq: number }
interface Waiter { target: number; sideTarget: number; promise: Promise<void>; resolve: () => void; reject: (err: Error) => void }

const RESOLVED = Promise.resolve()

export class GroupCommit {
  readonly stats: CommitStats = { writes: 0, fsyncs: 0, dirSyncs: 0 }
  /** The first write or fsync error; every later sync fails with it. */
  failure: Error | undefined
  appendedSeq = 0
  private writtenSeq = 0
  /** Staged bytes known to be on disk. */
  durableSeq = 0
  /** Side-file writes known to be on disk. */
  sideSynced: number
  private dirDirty = false
  /** The buffer the caller of reserve() writes into (empty until the first reserve). */
  staging: Buffer = NO_STAGING
  private stagingPos = 0
  private stagingCut = 0
  private stagingSegment: Segment | undefined
  /** Full staging buffers with chunks still to write, oldest first. */
  private retired: Buffer[] = []
  /**
   * One written staging buffer kept for reuse: a fresh 1 MiB buffer per megabyte staged made the C
   * heap grow by the buffers waiting for V8 to collect them (bench/SOAK.md); one covers a writer
   * that keeps up.
   */
  private spare: Buffer | undefined
  /** Cut and not yet written (the first ones may be in flight). */
  private chunks: Chunk[] = []
  private unsynced = new Set<Segment>()
  private waiters: Waiter[] = []
  private lastWaiter: Waiter | undefined
  private running: Promise<void> | undefined
  private isFlushScheduled = false
  private timer: NodeJS.Timeout | undefined
  private idleTimer: NodeJS.Timeout | undefined
  /** appendedSeq when the idle timer was armed: anything staged since means not idle. */
  private idleSinceSeq = -1
  private readonly onTurnEnd = (): void => {
    this.isFlushScheduled = false
    this.pump()
  }
  private readonly onIdleTimer = (): void => {
    this.idleTimer = undefined
    if (this.appendedSeq !== this.idleSinceSeq || this.running) return this.scheduleIdleRelease()
    this.spare = undefined
    this.staging = NO_STAGING
    this.stagingPos = this.stagingCut = 0
  }
  private readonly onTimer = (): void => {
    this.timer = undefined
    this.sync().catch(() => {
      // Already logged by fail(); an unprompted sync has nobody else to tell.
    })
  }

  constructor(private readonly options: GroupCommitOptions) {
    this.sideSynced = options.side.writeCount
  }

  /** Makes room for a record of `bytes` in `segment`; returns where to write it in `staging`. */
  reserve(segment: Segment, bytes: number): number {
    if (segment !== this.stagingSegment) {
      this.cut()
      this.stagingSegment = segment
    }
    if (this.staging.length - this.stagingPos < bytes) {
      this.cut()
      this.retire(this.staging)
      this.staging = bytes <= STAGING_BYTES ? (this.takeSpare() ?? Buffer.allocUnsafe(STAGING_BYTES)) : Buffer.allocUnsafe(bytes)
      this.stagingPos = this.stagingCut = 0
    }
    return this.stagingPos
  }

  /** The record written at reserve()'s offset is complete; it goes out with the next batch. */
  commit(segment: Segment, bytes: number): void {
    this.stagingPos += bytes
    segment.size += bytes
    this.appendedSeq += bytes
    if (this.stagingPos - this.stagingCut >= EAGER_WRITE_BYTES) this.pump()
    else if (!this.isFlushScheduled) {
      this.isFlushScheduled = true
      setImmediate(this.onTurnEnd)
    }
  }

  /** A file was created or removed in the directory, or a segment written outside staging. */
  noteCreated(segment: Segment): void {
    this.dirDirty = true
    this.unsynced.add(segment)
  }

  /** Resolves once everything staged (and side-file writes) before the call is written and fsynced. */
  sync(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure)
    const target = this.appendedSeq, sideTarget = this.options.side.writeCount
    if (target <= this.durableSeq && sideTarget <= this.sideSynced && !this.dirDirty && this.unsynced.size === 0) return RESOLVED
    const last = this.lastWaiter
    if (last && last.target === target && last.sideTarget === sideTarget) return last.promise
    let resolve!: () => void, reject!: (err: Error) => void
    const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej })
    const waiter: Waiter = { target, sideTarget, promise, resolve, reject }
    this.waiters.push(waiter)
    this.lastWaiter = waiter
    this.pump()
    return promise
  }

  /** A view of a record not yet written to its file, or undefined when the file has it. */
  recordInMemory(segment: Segment, offset: number, bytes: number): Buffer | undefined {
    if (offset >= segment.written) {
      const unCut = this.stagingPos - this.stagingCut
      if (segment === this.stagingSegment && offset >= segment.size - unCut) {
        const at = this.stagingCut + offset - (segment.size - unCut)
        return this.staging.subarray(at, at + bytes)
      }
      for (const c of this.chunks) {
        if (c.segment === segment && offset >= c.at && offset < c.at + c.buf.length) return c.buf.subarray(offset - c.at, offset - c.at + bytes)
      }
    }
    return undefined
  }

  /** Starts the background sync timer (for reclaiming or bounding unsynced data), if enabled. */
  scheduleSync(): void {
    if (this.timer || this.options.syncIntervalMs <= 0 || this.failure) return
    this.timer = setTimeout(this.onTimer, this.options.syncIntervalMs)
    this.timer.unref()
  }

  /** Arms the check that drops the staging buffers once nothing more is staged (cheap to call often). */
  private scheduleIdleRelease(): void {
    if (this.idleTimer || this.staging === NO_STAGING) return
    this.idleSinceSeq = this.appendedSeq
    this.idleTimer = setTimeout(this.onIdleTimer, IDLE_RELEASE_MS)
    this.idleTimer.unref()
  }

  /** Flushes and fsyncs everything, waits for the writer to go idle, then stops the timers. */
  async close(): Promise<void> {
    try {
      await this.sync()
    } finally {
      while (this.running) await this.running
      if (this.timer) clearTimeout(this.timer)
      if (this.idleTimer) clearTimeout(this.idleTimer)
      this.timer = this.idleTimer = undefined
    }
  }

  /** Records a failure from outside (a side-file write): every later sync fails with it. */
  fail(err: Error): void {
    if (this.failure) return
    this.failure = err
    this.options.log.error({ err }, 'store write or fsync failed; syncs fail until the store is reopened')
    if (!this.running) this.rejectWaiters()
  }

  private cut(): void {
    const length = this.stagingPos - this.stagingCut
    if (length === 0 || !this.stagingSegment) return
    const segment = this.stagingSegment
    const buf = this.staging.subarray(this.stagingCut, this.stagingPos)
    this.chunks.push({ segment, at: segment.size - length, buf, endSeq: this.appendedSeq })
    this.stagingCut = this.stagingPos
  }

  /** Starts the writer loop unless it is running (it then picks up whatever is new). */
  private pump(): void {
    if (this.running) return
    this.running = this.run().then(() => {
      this.running = undefined
      if (this.failure) this.rejectWaiters()
      // Work that arrived after run()'s last look (its pump() call returned early): go again.
      else if (this.waiters.length > 0 || this.chunks.length > 0 || this.stagingPos > this.stagingCut) this.pump()
      else {
        if (this.durableSeq < this.writtenSeq) this.scheduleSync()
        this.scheduleIdleRelease()
      }
    })
  }

  private async run(): Promise<void> {
    try {
      while (!this.failure) {
        this.cut()
        if (this.chunks.length > 0) await this.writeChunks()
        if (this.waiters.length > 0) await this.syncRound()
        else if (this.chunks.length === 0 && this.stagingPos === this.stagingCut) break
      }
    } catch (err) {
      this.fail(err as Error)
    }
  }

  /** Writes the chunks cut so far: one writev per run of chunks of the same segment. */
  private async writeChunks(): Promise<void> {
    const n = this.chunks.length
    let i = 0
    while (i < n) {
      const segment = this.chunks[i].segment, at = this.chunks[i].at, bufs: Buffer[] = []
      let bytes = 0
      for (; i < n && this.chunks[i].segment === segment; i++) {
        bufs.push(this.chunks[i].buf)
        bytes += this.chunks[i].buf.length
      }
      await this.writeAll(segment.fd, bufs, bytes, at)
      this.stats.writes++
      segment.written = at + bytes
      this.unsynced.add(segment)
    }
    this.writtenSeq = this.chunks[n - 1].endSeq
    this.chunks.splice(0, n)
    this.recycleWritten()
  }

  private takeSpare(): Buffer | undefined {
    const buf = this.spare
    this.spare = undefined
    return buf
  }

  /** The staging buffer is full: reusable once the chunks cut from it are written. */
  private retire(buf: Buffer): void {
    if (buf.length !== STAGING_BYTES) return // a one-record buffer: let it go
    this.retired.push(buf)
    this.recycleWritten()
  }

  /** Retired buffers no chunk still reads from become the spare, or garbage once there is one. */
  private recycleWritten(): void {
    // Chunks are written in the order they were cut, so only the oldest retired buffer can be
    // the one the first pending chunk reads from.
    while (this.retired.length > 0 && !(this.chunks.length > 0 && this.chunks[0].buf.buffer === this.retired[0].buffer)) {
      const buf = this.retired.shift() as Buffer
      this.spare ??= buf
    }
  }

  private async writeAll(fd: number, bufs: Buffer[], bytes: number, at: number): Promise<void> {
    let done = 0
    while (done < bytes) {
      const rest = done === 0 ? bufs : remainder(bufs, done)
      const n = await new Promise<number>((resolve, reject) => {
        this.options.io.writev(fd, rest, at + done, (err, written) => (err ? reject(err) : resolve(written)))
      })
      if (n <= 0) throw new Error(`segment write made no progress at ${at + done}`)
      done += n
    }
  }

  /** One fsync per written file, then the directory if files came or went; resolves waiters it covers. */
  private async syncRound(): Promise<void> {
    const { io, side, dirFd } = this.options
    const cover = this.writtenSeq, sideCover = side.writeCount
    const segments = [...this.unsynced]
    this.unsynced.clear()
    const jobs: Promise<void>[] = segments.map((s) => {
      const written = s.written
      return callback((done) => io.fdatasync(s.fd, done)).then(() => { s.synced = Math.max(s.synced, written) })
    })
    if (sideCover > this.sideSynced) jobs.push(callback((done) => io.fdatasync(side.fd, done)))
    this.stats.fsyncs += jobs.length
    try {
      await Promise.all(jobs)
    } catch (err) {
      for (const s of segments) this.unsynced.add(s)
      throw err
    }
    this.sideSynced = Math.max(this.sideSynced, sideCover)
    if (this.dirDirty) {
      this.dirDirty = false
      this.stats.dirSyncs++
      await callback((done) => io.fsyncDir(dirFd, done))
    }
    this.durableSeq = cover
    // Reclaiming first, so a resolved sync() also means the space its removals freed is given back.
    await this.options.afterSync()
    const still: Waiter[] = []
    for (const w of this.waiters) {
      if (w.target <= cover && w.sideTarget <= this.sideSynced) w.resolve()
      else still.push(w)
    }
    this.waiters = still
    if (this.lastWaiter && !still.includes(this.lastWaiter)) this.lastWaiter = undefined
  }

  private rejectWaiters(): void {
    const waiters = this.waiters
    this.waiters = []
    this.lastWaiter = undefined
    for (const w of waiters) w.reject(this.failure as Error)
  }
}

function callback(start: (done: (err: Error | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => start((err) => (err ? reject(err) : resolve())))
}

/** The buffers left after the first `skip` bytes. */
function remainder(bufs: Buffer[], skip: number): Buffer[] {
  const out: Buffer[] = []
  for (const b of bufs) {
    if (skip >= b.length) skip -= b.length
    else {
      out.push(skip > 0 ? b.subarray(skip) : b)
      skip = 0
    }
  }
  return out
}
