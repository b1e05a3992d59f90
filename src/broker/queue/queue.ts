// One queue: its ready messages, its consumers, and dispatch within their credit. Synchronous; no
// frames or sockets. Persistence goes through the narrow QueueStore interface the store satisfies.
import type { Message, QueuedMessage } from '../message.js'
import type { ConsumerOptions, ConsumerSink } from './consumer.js'
import { ReadyList } from './ready-list.js'
import { PagedTail } from './paged-tail.js'

/** What a durable queue asks of the message store (MessageStore satisfies it). */
export interface QueueStore {
  read(messageId: number): { exchange: string; routingKey: string; properties: Buffer; body: Buffer }
  delivered(queueId: number, messageId: number): void
  remove(queueId: number, messageId: number): void
  purge(queueId: number): void
}

export interface QueueOptions {
  readonly isDurable: boolean
  readonly isExclusive: boolean
  readonly isAutoDelete: boolean
  readonly arguments: Record<string, unknown>
  /** The connection that owns an exclusive queue. */
  readonly exclusiveOwner?: object
  /** Body bytes kept in memory before persisted messages are paged out (0: no paging). */
  readonly memoryBudgetBytes?: number
}

interface Consumer {
  readonly sink: ConsumerSink
  readonly options: ConsumerOptions
}

export class Queue {
  private readonly ready = new ReadyList()
  /** Messages beyond the memory budget, oldest first, all newer than every ready message. */
  private readonly tail = new PagedTail()
  private readyBytes = 0
  /** Rebuilds a paged-out message from the store (set with `store`). */
  pageIn: ((storeId: number) => Message) | undefined
  private consumers: Consumer[] = []
  private roundRobin = 0
  private nextSeq = 0
  private dispatching = false
  private redispatch = false
  /** Delivered to consumers or basic.get and not yet acked. */
  unackedCount = 0
  isDeleted = false
  /** Id in the message store for a durable queue; -1 otherwise. */
  storeId = -1
  store: QueueStore | undefined
  /** Called when the last consumer of an auto-delete queue goes away. */
  onUnused: ((queue: Queue) => void) | undefined
  /** A consumer has ever subscribed (RabbitMQ auto-deletes only after the first consumer). */
  private hadConsumer = false

  constructor(
    readonly vhost: string,
    readonly name: string,
    readonly options: QueueOptions,
  ) {}

  get isDurable(): boolean { return this.options.isDurable }
  get isExclusive(): boolean { return this.options.isExclusive }
  get isAutoDelete(): boolean { return this.options.isAutoDelete }
  get exclusiveOwner(): object | undefined { return this.options.exclusiveOwner }
  get messageCount(): number { return this.ready.length + this.tail.length }
  get consumerCount(): number { return this.consumers.length }
  get isPersisted(): boolean { return this.storeId >= 0 && this.store !== undefined }

  enqueue(message: Message, redelivered = false): void {
    if (this.tail.length > 0 || this.isOverBudget()) this.page(message, redelivered)
    else this.pushReady(message, redelivered)
    if (this.consumers.length > 0) this.dispatch()
  }

  /** A recovered persisted message, left on disk until the queue needs it. */
  restorePaged(storeId: number, redelivered: boolean): void {
    this.tail.pushStored(storeId, redelivered)
  }

  private pushReady(message: Message, redelivered: boolean): void {
    this.ready.push({ message, seq: this.nextSeq++, redelivered })
    this.readyBytes += message.bodyBytes
  }

  private isOverBudget(): boolean {
    const budget = this.options.memoryBudgetBytes ?? 0
    return budget > 0 && this.readyBytes >= budget && this.pageIn !== undefined
  }

  /** Past the budget, a persisted message keeps only its store id in memory. */
  private page(message: Message, redelivered: boolean): void {
    if (message.storeId >= 0 && this.isPersisted && this.pageIn) this.tail.pushStored(message.storeId, redelivered)
    else this.tail.pushMessage(message, redelivered)
  }

  /** The next ready message, refilling the head from the paged tail when it runs low. */
  private shiftReady(): QueuedMessage | undefined {
    if (this.tail.length > 0 && this.ready.length < 2) this.refill()
    const entry = this.ready.shift()
    if (entry) this.readyBytes -= entry.message.bodyBytes
    return entry
  }

  private refill(): void {
    const budget = this.options.memoryBudgetBytes ?? 0
    const target = budget > 0 ? budget / 2 : Infinity
    let loaded = 0
    while (this.tail.length > 0 && (loaded < 1 || this.readyBytes < target) && loaded < 10_000) {
      const next = this.tail.shift(this.pageIn!)!
      this.pushReady(next.message, next.redelivered)
      loaded++
    }
  }

  /** basic.get: the head message, counted as unacked unless no-ack. */
  get(noAck: boolean): QueuedMessage | undefined {
    const entry = this.shiftReady()
    if (entry) this.taken(entry, noAck)
    return entry
  }

  /** An acked (or dropped) delivery leaves the queue for good. */
  settle(entry: QueuedMessage): void {
    this.unackedCount--
    this.forget(entry)
  }

  /** Unacked deliveries come back to their original positions, marked redelivered. */
  requeue(entries: readonly QueuedMessage[]): void {
    this.unackedCount -= entries.length
    if (this.isDeleted) return
    for (const entry of entries) {
      entry.redelivered = true
      this.ready.insertBySeq(entry)
      this.readyBytes += entry.message.bodyBytes
    }
    this.dispatch()
  }

  purge(): number {
    const count = this.messageCount
    this.ready.drain()
    this.tail.clear()
    this.readyBytes = 0
    if (this.isPersisted) this.store!.purge(this.storeId)
    return count
  }

  addConsumer(sink: ConsumerSink, options: ConsumerOptions): void {
    const consumer = { sink, options }
    // Highest priority first; equal priorities keep subscription order (x-priority, RabbitMQ).
    let at = this.consumers.length
    while (at > 0 && this.consumers[at - 1].options.priority < options.priority) at--
    this.consumers.splice(at, 0, consumer)
    this.hadConsumer = true
    this.dispatch()
  }

  hasExclusiveConsumer(): boolean {
    return this.consumers.some((c) => c.options.isExclusive)
  }

  removeConsumer(sink: ConsumerSink): void {
    const at = this.consumers.findIndex((c) => c.sink === sink)
    if (at < 0) return
    this.consumers.splice(at, 1)
    if (this.roundRobin > at) this.roundRobin--
    if (this.consumers.length === 0 && this.isAutoDelete && this.hadConsumer && !this.isDeleted) this.onUnused?.(this)
  }

  /** Marks the queue gone: tells its consumers and forgets its messages. */
  markDeleted(): number {
    this.isDeleted = true
    const count = this.messageCount
    const consumers = this.consumers
    this.consumers = []
    for (const c of consumers) c.sink.cancelledByServer(this)
    this.ready.drain()
    this.tail.clear()
    this.readyBytes = 0
    return count
  }

  /** Ready messages, oldest first, for inspection (paged ones are read back from the store). */
  *readyMessages(): IterableIterator<{ message: Message; redelivered: boolean }> {
    yield* this.ready
    if (this.pageIn) yield* this.tail.entries(this.pageIn)
  }

  /** Delivers ready messages to consumers with credit, round-robin within the top priority. */
  dispatch(): void {
    if (this.dispatching) {
      this.redispatch = true // a delivery freed credit or requeued: loop again once done
      return
    }
    this.dispatching = true
    try {
      do {
        this.redispatch = false
        while (this.ready.length > 0 || this.tail.length > 0) {
          const consumer = this.nextConsumer()
          if (consumer === undefined) break
          const entry = this.shiftReady()!
          this.taken(entry, consumer.sink.isNoAck)
          consumer.sink.deliver(this, entry)
        }
      } while (this.redispatch)
    } finally {
      this.dispatching = false
    }
  }

  private taken(entry: QueuedMessage, noAck: boolean): void {
    if (noAck) this.forget(entry)
    else {
      this.unackedCount++
      if (this.isPersisted && entry.message.storeId >= 0) this.store!.delivered(this.storeId, entry.message.storeId)
    }
  }

  private forget(entry: QueuedMessage): void {
    if (this.isPersisted && entry.message.storeId >= 0 && !this.isDeleted) this.store!.remove(this.storeId, entry.message.storeId)
  }

  private nextConsumer(): Consumer | undefined {
    const consumers = this.consumers, n = consumers.length
    if (n === 0) return undefined
    // Within the highest priority that has credit, continue round-robin from the last one served.
    let i = 0
    while (i < n) {
      const priority = consumers[i].options.priority
      let end = i
      while (end < n && consumers[end].options.priority === priority) end++
      const size = end - i
      const start = this.roundRobin >= i && this.roundRobin < end ? this.roundRobin - i : 0
      for (let k = 0; k < size; k++) {
        const idx = i + ((start + k) % size)
        if (consumers[idx].sink.canAccept()) {
          this.roundRobin = idx + 1 < end ? idx + 1 : i
          return consumers[idx]
        }
      }
      i = end
    }
    return undefined
  }
}
