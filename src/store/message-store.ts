// The durable store the broker uses: a message is written once into the active segment however
// many queues hold it; delivered/removed marks (batched per queue into events records) and purged
// records follow it in the same log; definitions live beside it. Owns open (lock, recovery), the
// live index and read-back; reclaimer.ts frees segments.
// Must not import broker/, connection/ or wire/; all mutations are synchronous and buffered.
//
//   <dir>/warren.lock         lock-file.ts
//   <dir>/definitions.log     definitions.ts
//   <dir>/NNNNNNNN.seg        segment.ts, records in record-layout.ts; the highest is the active one
import { closeSync, mkdirSync, openSync } from 'node:fs'
import { LRUCache } from 'lru-cache'
import type { TaggedValueFactory } from './argument-codec.js'
import { EventBatches, MAX_BATCH_MARKS, type EventBatch } from './event-batches.js'
import { Definitions, type BindingDefinition, type ExchangeDefinition, type QueueDefinition, type StoredQueueDefinition } from './definitions.js'
import { GroupCommit, type CommitStats } from './group-commit.js'
import { LockFile } from './lock-file.js'
import {
  LOG_HEADER_BYTES, RecordType, SEGMENT_HEADER_BYTES, checkRecord, eventsRecordBytes, liveSetRecordBytes, messageRecordBytes,
  readMessageRecord, writeEventRecord, writeEventsRecord, writeLiveSetRecord, writeMessageRecord, RecordNames, type StoredMessage,
} from './record-layout.js'
import { Reclaimer } from './reclaimer.js'
import { recoverSegments } from './recovery.js'
import { Segment, SegmentReader } from './segment.js'
import { nodeIo, type StoreIo } from './store-io.js'
import { StoreIndex } from './store-index.js'
import { silentLog, type StoreLog } from './store-log.js'

export type { StoredMessage } from './record-layout.js'
export type { BindingDefinition, ExchangeDefinition, QueueDefinition } from './definitions.js'
export type { StoreLog } from './store-log.js'
export type { StoreIo } from './store-io.js'
export type { TaggedValueFactory } from './argument-codec.js'
export { DataDirectoryInUseError } from './lock-file.js'

export interface RecoveredMessage extends StoredMessage { id: number; redelivered: boolean }
export interface RecoverySummary { queues: number; messages: number; bytes: number; ms: number; tornBytes: number }

export interface StoreOptions {
  dir: string
  /** Size at which the active segment is closed and a new one started (default 64 MiB). */
  segmentBytes?: number
  log?: StoreLog
  /** Written data is fsynced unprompted after this long, which also lets reclaiming run (default 200; 0: only on sync()). */
  syncIntervalMs?: number
  /** Bound of the read-back cache (default 32 MiB). */
  readCacheBytes?: number
  /** Rebuilds wire `Typed` argument values (timestamps, decimals) from definitions.log. */
  taggedValue?: TaggedValueFactory
  /** File operations behind group commit (tests inject failures and count fsyncs). */
  io?: StoreIo
}

const DEFAULT_SEGMENT_BYTES = 64 << 20
const DEFAULT_READ_CACHE_BYTES = 32 << 20

export class MessageStore {
  readonly summary: RecoverySummary
  private active: Segment
  private nextId: number
  private lastSeq: number
  private isClosed = false
  private readonly cache: LRUCache<number, StoredMessage>
  private readonly commit: GroupCommit
  private readonly reclaimer: Reclaimer
  private readonly names = new RecordNames()
  /**
   * Delivered/removed marks not yet staged. They go out at the end of the turn, and before a sync,
   * a purge, a queue deletion or a mark that kills a segment, so that every promise a sync makes
   * covers them and the reclaimer dates that death by them. Staging them after records made
   * meanwhile is safe: a mark only names a message appended before it, replaying a mark again is a
   * no-op, and a live set restates the index, which has every mark already. (An active segment that
   * is dead when it is closed may be deleted before the marks that emptied it are durable; a crash
   * then loses only messages that were removed.)
   */
  private readonly batches = new EventBatches()
  private isBatchFlushScheduled = false
  private readonly flushBatchesNow = (): void => {
    this.isBatchFlushScheduled = false
    if (!this.isClosed) this.stageBatches()
  }

  private constructor(
    private readonly dir: string,
    private readonly dirFd: number,
    private readonly lock: LockFile,
    private readonly definitions: Definitions,
    private readonly index: StoreIndex,
    private readonly segmentBytes: number,
    io: StoreIo,
    log: StoreLog,
    options: StoreOptions,
    recovery: { nextId: number; lastSeq: number },
    summary: RecoverySummary,
  ) {
    this.summary = summary
    this.nextId = recovery.nextId
    this.lastSeq = recovery.lastSeq
    this.cache = new LRUCache<number, StoredMessage>({
      maxSize: options.readCacheBytes ?? DEFAULT_READ_CACHE_BYTES,
      sizeCalculation: (m) => m.properties.length + m.body.length + 64,
    })
    this.commit = new GroupCommit({
      io, log, dirFd, side: definitions, afterSync: () => this.reclaimer.run(), syncIntervalMs: options.syncIntervalMs ?? 200,
    })
    this.reclaimer = new Reclaimer({
      index, commit: this.commit, side: definitions, io, dirFd, log,
      activeSegment: () => this.active,
      stageLiveSet: (root, entries) => this.stageLiveSet(root, entries),
    })
    index.onDead = (id, segment) => {
      this.cache.delete(id)
      if (segment.liveMessages === 0 && segment !== this.active) this.reclaimer.noteDying(segment)
    }
    const last = index.segments[index.segments.length - 1]
    if (last && last.size < this.segmentBytes) this.active = last
    else this.active = this.createSegment()
  }

  /** Creates `dir` if needed, takes its lock, replays definitions and segments, reclaims dead segments. */
  static async open(options: StoreOptions): Promise<MessageStore> {
    const started = performance.now()
    const log = options.log ?? silentLog
    const segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES
    if (!(segmentBytes >= 4096)) throw new RangeError(`segmentBytes must be at least 4096, not ${segmentBytes}`)
    mkdirSync(options.dir, { recursive: true })
    const lock = LockFile.acquire(options.dir)
    let dirFd = -1
    const index = new StoreIndex()
    let definitions: Definitions | undefined
    try {
      dirFd = openSync(options.dir, 'r')
      let store: MessageStore | undefined
      let early: Error | undefined
      definitions = Definitions.open({
        dir: options.dir, dirFd, log, taggedValue: options.taggedValue,
        onWriteError: (err) => (store ? store.commit.fail(err) : (early = err)),
      })
      const queues = definitions.queues()
      for (const q of queues) index.addQueue(q.id)
      const recovery = recoverSegments(options.dir, index, log)
      const summary: RecoverySummary = {
        queues: queues.length, messages: index.queuedMessages(), bytes: recovery.bytes, ms: 0,
        tornBytes: recovery.tornBytes + definitions.tornBytes,
      }
      store = new MessageStore(options.dir, dirFd, lock, definitions, index, segmentBytes, options.io ?? nodeIo, log, options, recovery, summary)
      if (early) throw early
      store.reclaimer.noteDeadAtOpen()
      await store.commit.sync() // a new active segment's header and directory entry
      await store.reclaimer.run()
      summary.ms = Math.round(performance.now() - started)
      log.info({ dir: options.dir, ...summary }, 'store recovered')
      return store
    } catch (err) {
      for (const s of index.segments) s.close()
      definitions?.close()
      if (dirFd >= 0) closeSync(dirFd)
      lock.release()
      throw err
    }
  }

  exchanges(): ExchangeDefinition[] {
    return this.definitions.exchanges()
  }

  queues(): StoredQueueDefinition[] {
    return this.definitions.queues()
  }

  bindings(): BindingDefinition[] {
    return this.definitions.bindings()
  }

  putExchange(def: ExchangeDefinition): void {
    this.assertOpen()
    this.definitions.putExchange(def)
  }

  deleteExchange(vhost: string, name: string): void {
    this.assertOpen()
    this.definitions.deleteExchange(vhost, name)
  }

  putQueue(def: QueueDefinition): number {
    this.assertOpen()
    const id = this.definitions.putQueue(def)
    this.index.addQueue(id)
    return id
  }

  /** Deletes the queue and drops its messages. Needs no log record: ids are never reused, and
   *  recovery ignores messages of queues definitions.log does not have. */
  deleteQueue(queueId: number): void {
    this.assertOpen()
    this.stageBatches()
    this.batches.forget(queueId)
    this.definitions.deleteQueue(queueId)
    this.index.dropQueue(queueId)
    this.reclaimer.settle()
  }

  putBinding(def: BindingDefinition): void {
    this.assertOpen()
    this.definitions.putBinding(def)
  }

  deleteBinding(def: BindingDefinition): void {
    this.assertOpen()
    this.definitions.deleteBinding(def)
  }

  /** Writes the message once for all of `queueIds`; returns its id. Buffered: sync() makes it durable. */
  append(queueIds: readonly number[], message: StoredMessage): number {
    this.assertOpen()
    const n = queueIds.length
    for (let i = 0; i < n; i++) {
      if (!this.index.queues.has(queueIds[i])) throw new Error(`queue ${queueIds[i]} is not in the store`)
    }
    if (n > 1 && new Set(queueIds).size !== n) throw new Error('a message was appended to the same queue twice')
    const id = this.nextId
    this.names.encode(message)
    const bytes = messageRecordBytes(n, message, this.names)
    const segment = this.segmentFor(bytes)
    const at = this.commit.reserve(segment, bytes)
    const offset = segment.size
    writeMessageRecord(this.commit.staging, at, bytes, id, queueIds, message, this.names)
    this.commit.commit(segment, bytes)
    this.index.addMessage(segment, id, offset, bytes, queueIds)
    this.nextId++
    this.reclaimer.settle()
    return id
  }

  /** Marks the message delivered from the queue (recovered as redelivered); staged in a batch. */
  delivered(queueId: number, messageId: number): void {
    this.assertOpen()
    const target = this.index.delivered(queueId, messageId)
    if (!target) return
    const batch = this.batchFor(queueId, messageId)
    batch.addDelivered(messageId, target)
    this.batched(batch)
  }

  /** The queue let go of the message; staged in a batch. */
  remove(queueId: number, messageId: number): void {
    this.assertOpen()
    const target = this.index.remove(queueId, messageId)
    if (!target) return
    const batch = this.batchFor(queueId, messageId)
    batch.addRemoved(messageId, target)
    this.batched(batch)
  }

  purge(queueId: number): void {
    this.assertOpen()
    this.stageBatches()
    const maxId = this.nextId - 1
    const touched = this.index.purge(queueId, maxId)
    if (touched.size === 0) return
    const segment = this.stagePurged(queueId, maxId)
    for (const target of touched) this.index.noteReference(segment, target)
    this.reclaimer.settle()
  }

  /** The message, from the read cache, the write buffer, or its segment file. */
  read(messageId: number): StoredMessage {
    const cached = this.cache.get(messageId)
    if (cached) return cached
    const segment = this.index.segmentOf(messageId)
    if (!segment || segment.refsOf(messageId) === 0) throw new Error(`message ${messageId} is not in the store`)
    const bytes = segment.bytesOf(messageId)
    const inMemory = this.commit.recordInMemory(segment, segment.offsetOf(messageId), bytes)
    const record = inMemory ? Buffer.from(inMemory) : segment.readRecord(messageId)
    if (checkRecord(record, 0, bytes, LOG_HEADER_BYTES) !== bytes) {
      throw new Error(`message ${messageId} in ${segment.path} fails its checksum`)
    }
    const message = readMessageRecord(record, 0, bytes)
    this.cache.set(messageId, message)
    return message
  }

  /** The queue's messages in enqueue order, with redelivered set for those delivered before. */
  recovered(queueId: number): RecoveredMessage[] {
    const out: RecoveredMessage[] = []
    const queue = this.index.queues.get(queueId)
    if (!queue) return out
    // Records were checksummed by the recovery scan moments ago; reading them back in file order
    // through one window keeps boot at one read per megabyte rather than one per message.
    const reader = new SegmentReader()
    queue.forEachLive((id, isDelivered) => {
      const segment = this.index.segmentOf(id) as Segment
      const offset = segment.offsetOf(id), bytes = segment.bytesOf(id)
      const inMemory = this.commit.recordInMemory(segment, offset, bytes)
      const record = inMemory ? Buffer.from(inMemory) : reader.read(segment, offset, bytes)
      const m = readMessageRecord(record, 0, bytes)
      out.push({ id, redelivered: isDelivered, exchange: m.exchange, routingKey: m.routingKey, properties: m.properties, body: m.body })
    })
    return out
  }

  /** The queue's message ids in enqueue order, without reading them: for queues that page from disk. */
  recoveredIds(queueId: number, visit: (messageId: number, redelivered: boolean) => void): void {
    this.index.queues.get(queueId)?.forEachLive(visit)
  }

  /** Resolves once every call made before it is written and fsynced (one fsync per round). */
  sync(): Promise<void> {
    if (!this.isClosed) this.stageBatches()
    return this.commit.sync()
  }

  /** Bytes in segment files (including what is buffered for them). */
  diskBytes(): number {
    let n = 0
    for (const s of this.index.segments) n += s.size
    return n
  }

  /** Writes, fsyncs, directory syncs so far (tests and benchmarks). */
  get stats(): Readonly<CommitStats> {
    return this.commit.stats
  }

  /** Bytes of typed arrays behind the in-memory index (benchmarks: bytes per message). */
  indexBytes(): number {
    return this.index.indexBytes()
  }

  /** Flushes, fsyncs and releases the lock. Rejects if the final flush fails (the lock is released anyway). */
  async close(): Promise<void> {
    if (this.isClosed) return
    this.stageBatches()
    this.isClosed = true
    try {
      await this.commit.close()
    } finally {
      for (const s of this.index.segments) s.close()
      this.definitions.close()
      closeSync(this.dirFd)
      this.cache.clear()
      this.lock.release()
    }
  }

  private assertOpen(): void {
    if (this.isClosed) throw new Error(`store ${this.dir} is closed`)
  }

  /** The segment a record of `bytes` goes to: the active one, or a new one if it would overflow. */
  private segmentFor(bytes: number): Segment {
    const active = this.active
    if (active.size + bytes <= this.segmentBytes || active.size <= SEGMENT_HEADER_BYTES) return active
    const next = this.createSegment()
    active.trim()
    this.active = next
    if (active.liveMessages === 0) this.reclaimer.noteDying(active) // settled when the current call ends
    return next
  }

  private createSegment(): Segment {
    const segment = Segment.create(this.dir, ++this.lastSeq, this.nextId)
    this.index.addSegment(segment)
    this.commit.noteCreated(segment)
    return segment
  }

  /** The queue's batch, with room for a mark naming `messageId` (a full or out-of-span batch is staged first). */
  private batchFor(queueId: number, messageId: number): EventBatch {
    const batch = this.batches.of(queueId)
    if (batch.marks >= MAX_BATCH_MARKS || !batch.fits(messageId)) this.stageBatch(batch)
    return batch
  }

  /** After a mark was added: staged at the end of the turn, or now if a segment died of it. */
  private batched(batch: EventBatch): void {
    this.batches.noteAdded(batch)
    if (this.reclaimer.hasDying) {
      // The reclaimer notes when a segment died by what is staged; the mark that killed it must be.
      this.stageBatches()
    } else if (!this.isBatchFlushScheduled) {
      this.isBatchFlushScheduled = true
      setImmediate(this.flushBatchesNow)
    }
  }

  /** Stages every waiting batch as one events record per queue. */
  private stageBatches(): void {
    const waiting = this.batches.waiting
    if (waiting.length === 0) return
    for (let i = 0; i < waiting.length; i++) this.stageBatch(waiting[i], false)
    waiting.length = 0
    this.reclaimer.settle()
  }

  /** Stages one batch's events record and empties the batch; `unlist` when it stays registered as waiting otherwise. */
  private stageBatch(batch: EventBatch, unlist = true): void {
    const marks = batch.marks
    if (marks === 0) return
    const bytes = eventsRecordBytes(marks)
    const segment = this.segmentFor(bytes)
    const at = this.commit.reserve(segment, bytes)
    writeEventsRecord(this.commit.staging, at, batch.queueId, batch.lowestId, batch.delivered, batch.deliveredCount, batch.removed, batch.removedCount)
    this.commit.commit(segment, bytes)
    for (const target of batch.targets) this.index.noteReference(segment, target)
    batch.clear()
    if (unlist) {
      const i = this.batches.waiting.indexOf(batch)
      if (i >= 0) this.batches.waiting.splice(i, 1)
    }
  }

  /** Stages a purged record about a queue's messages up to `messageId`; returns where it went. */
  private stagePurged(queueId: number, messageId: number): Segment {
    const segment = this.segmentFor(LOG_HEADER_BYTES)
    const at = this.commit.reserve(segment, LOG_HEADER_BYTES)
    writeEventRecord(this.commit.staging, at, RecordType.Purged, queueId, messageId)
    this.commit.commit(segment, LOG_HEADER_BYTES)
    return segment
  }

  /** Stages a live set record for `root` (reclaimer.ts says why); returns the segment it went to. */
  private stageLiveSet(root: Segment, entries: readonly number[]): Segment {
    const bytes = liveSetRecordBytes(entries.length / 2)
    const segment = this.segmentFor(bytes)
    const at = this.commit.reserve(segment, bytes)
    writeLiveSetRecord(this.commit.staging, at, root.firstId, root.nextId, entries)
    this.commit.commit(segment, bytes)
    this.index.noteReference(segment, root)
    return segment
  }
}
