// A stream queue (x-queue-type stream): an append-only log that consumers read from their own
// offsets (x-stream-offset: first, last, next, an offset, a timestamp or an interval) without
// removing anything; retention by x-max-length-bytes and x-max-age. As RabbitMQ 3.10 over AMQP 0-9-1.
import type { Message, QueuedMessage } from '../message.js'
import type { ConsumerOptions, ConsumerSink } from './consumer.js'
import { Queue, type QueueOptions } from './queue.js'

interface LogEntry {
  readonly offset: number
  readonly timestampMs: number
  readonly entry: QueuedMessage
}

interface Reader {
  readonly sink: ConsumerSink<Queue>
  next: number
}

const UNITS_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, D: 86_400_000, M: 2_592_000_000, Y: 31_536_000_000 }

export class StreamQueue extends Queue {
  private log: LogEntry[] = []
  private firstOffset = 0
  private logBytes = 0
  private readers: Reader[] = []
  /** Adds the x-stream-offset header RabbitMQ puts on every delivery from a stream. */
  stampOffset: ((message: Message, offset: number) => Message) | undefined

  constructor(vhost: string, name: string, options: QueueOptions) {
    super(vhost, name, options)
  }

  private get nextOffset(): number {
    return this.firstOffset + this.log.length
  }

  override get messageCount(): number { return this.log.length }
  override get consumerCount(): number { return this.readers.length }
  override get memoryBytes(): number { return this.logBytes }
  override refuses(): boolean { return false }

  override enqueue(message: Message): void {
    const offset = this.nextOffset
    const stamped = this.stampOffset ? this.stampOffset(message, offset) : message
    this.log.push({ offset, timestampMs: Date.now(), entry: { message: stamped, seq: offset, redelivered: false, expiresAtMs: 0, deliveryCount: 0 } })
    this.logBytes += message.bodyBytes
    this.retain()
    this.dispatch()
  }

  /** Retention: the oldest entries go once the log is over x-max-length-bytes or older than x-max-age. */
  private retain(): void {
    const maxBytes = this.policy.maxLengthBytes
    const maxAgeMs = parseAge(this.options.arguments['x-max-age'])
    const oldest = maxAgeMs === undefined ? 0 : Date.now() - maxAgeMs
    let drop = 0
    while (drop < this.log.length - 1 && ((maxBytes !== undefined && this.logBytes > maxBytes) || this.log[drop].timestampMs < oldest)) {
      const gone = this.log[drop].entry.message
      this.logBytes -= gone.bodyBytes
      if (this.isPersisted && gone.storeId >= 0) this.store!.remove(this.storeId, gone.storeId)
      drop++
    }
    if (drop === 0) return
    this.log = this.log.slice(drop)
    this.firstOffset += drop
  }

  override addConsumer(sink: ConsumerSink<Queue>, options: ConsumerOptions): void {
    this.touch()
    this.readers.push({ sink, next: this.startOffset(options.streamOffset) })
    this.dispatch()
  }

  /** Where a new consumer starts reading (RabbitMQ's x-stream-offset; `next` by default). */
  private startOffset(spec: unknown): number {
    if (spec === 'first') return this.firstOffset
    if (spec === 'last') return Math.max(this.firstOffset, this.nextOffset - 1)
    if (typeof spec === 'number' || typeof spec === 'bigint') return Math.min(Math.max(Number(spec), this.firstOffset), this.nextOffset)
    const sinceMs = timestampOf(spec) ?? (typeof spec === 'string' ? parseAgeAgo(spec) : undefined)
    if (sinceMs !== undefined) {
      const found = this.log.find((e) => e.timestampMs >= sinceMs)
      return found ? found.offset : this.nextOffset
    }
    return this.nextOffset
  }

  override removeConsumer(sink: ConsumerSink<Queue>): void {
    this.readers = this.readers.filter((r) => r.sink !== sink)
  }

  override hasExclusiveConsumer(): boolean {
    return false
  }

  override dispatch(): void {
    for (const reader of this.readers) {
      while (reader.next < this.nextOffset && reader.sink.canAccept()) {
        if (reader.next < this.firstOffset) reader.next = this.firstOffset
        const e = this.log[reader.next - this.firstOffset]
        reader.next++
        this.unackedCount++
        reader.sink.deliver(this, e.entry)
      }
    }
  }

  // Reading a stream removes nothing: acks and rejects only return credit.
  override settle(_entry: QueuedMessage): void { this.unackedCount-- }
  override reject(_entry: QueuedMessage): void { this.unackedCount-- }
  override requeue(entries: readonly QueuedMessage[]): void { this.unackedCount -= entries.length }

  override purge(): number {
    return 0
  }

  override markDeleted(): number {
    this.isDeleted = true
    const count = 0 // RabbitMQ's queue.delete-ok reports no count for a stream
    const readers = this.readers
    this.readers = []
    for (const r of readers) r.sink.cancelledByServer(this)
    this.log = []
    this.logBytes = 0
    return count
  }

  override *readyMessages(): IterableIterator<{ message: Message; redelivered: boolean }> {
    for (const e of this.log) yield { message: e.entry.message, redelivered: false }
  }
}

/** A timestamp argument arrives as an AMQP timestamp (seconds), decoded as a typed value. */
function timestampOf(spec: unknown): number | undefined {
  if (spec !== null && typeof spec === 'object' && (spec as { tag?: unknown }).tag === 'T') {
    return Number((spec as { value: number }).value) * 1000
  }
  return undefined
}

/** RabbitMQ's interval syntax: a number and one of Y M D h m s, e.g. `7D` or `30m`. */
function parseAge(spec: unknown): number | undefined {
  if (typeof spec !== 'string') return undefined
  const m = /^(\d+)([YMDhms])$/.exec(spec)
  return m ? Number(m[1]) * UNITS_MS[m[2]] : undefined
}

function parseAgeAgo(spec: string): number | undefined {
  const age = parseAge(spec)
  return age === undefined ? undefined : Date.now() - age
}
