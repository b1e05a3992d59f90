// One queue: its ready messages, its consumers, and dispatch within their credit; TTL, length
// limits, priorities and dead-letter hand-off per its x- arguments. Synchronous; no frames or
// sockets. Persistence goes through the narrow QueueStore interface the store satisfies.
import type { DeathReason, Message, QueuedMessage } from '../message.js'
import type { ConsumerOptions, ConsumerSink } from './consumer.js'
import { ReadyList } from './ready-list.js'
import { PriorityReadyList } from './priority-ready-list.js'
import { PagedTail, type PageReaders } from './paged-tail.js'
import { messageTtlMs, queuePolicy, type QueuePolicy } from './queue-policy.js'

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

/** The transient spill as one queue sees it (the vhost binds it to a spill store queue id). */
export interface Spill {
  write(message: Message): number
  read(spillId: number): Message
  forget(spillId: number): void
  clear(): void
}

interface Consumer {
  readonly sink: ConsumerSink<Queue>
  readonly options: ConsumerOptions
}

export class Queue {
  readonly policy: QueuePolicy
  private readonly ready: ReadyList | PriorityReadyList
  /** Messages beyond the memory budget, oldest first, all newer than every ready message. */
  private readonly tail = new PagedTail()
  private readyBytes = 0
  private consumers: Consumer[] = []
  private roundRobin = 0
  private nextSeq = 0
  private dispatching = false
  private redispatch = false
  private expiryTimer: NodeJS.Timeout | undefined
  private expiryAtMs = 0
  private unusedTimer: NodeJS.Timeout | undefined
  /** While enqueue() dispatches: messages expiring from this moment on may still go out. */
  private freshSinceMs = Infinity
  /** Delivered to consumers or basic.get and not yet acked. */
  unackedCount = 0
  /** Running totals for rates (management API, /metrics): messages in, out, acked. */
  publishedCount = 0
  deliveredCount = 0
  ackedCount = 0
  isDeleted = false
  /** Id in the message store for a durable queue; -1 otherwise. */
  storeId = -1
  store: QueueStore | undefined
  /** Rebuilds a paged-out message from the store (set with `store`). */
  pageIn: ((storeId: number) => Message) | undefined
  /** Where messages the durable store does not hold are paged out over budget (transient spill). */
  spill: Spill | undefined
  private readonly pageReaders: PageReaders = {
    stored: (id) => this.pageIn!(id),
    spilled: (id) => this.spill!.read(id),
  }
  /** Called when an auto-delete queue loses its last consumer, or an x-expires queue goes unused. */
  onUnused: ((queue: Queue) => void) | undefined
  /** Hands messages leaving for the dead-letter exchange to the vhost. */
  onDeadLetter: ((queue: Queue, message: Message, reason: DeathReason) => void) | undefined
  /** Rewrites a message's x-delivery-count header (quorum queues). */
  countDelivery: ((message: Message, count: number) => Message) | undefined
  /** A consumer has ever subscribed (RabbitMQ auto-deletes only after the first consumer). */
  private hadConsumer = false

  constructor(
    readonly vhost: string,
    readonly name: string,
    readonly options: QueueOptions,
  ) {
    this.policy = queuePolicy(options.arguments)
    const maxPriority = this.policy.maxPriority
    this.ready = maxPriority !== undefined && maxPriority > 0
      ? new PriorityReadyList(maxPriority, (e) => e.message.properties.priority ?? 0)
      : new ReadyList()
    this.touch()
  }

  get isDurable(): boolean { return this.options.isDurable }
  get isExclusive(): boolean { return this.options.isExclusive }
  get isAutoDelete(): boolean { return this.options.isAutoDelete }
  get exclusiveOwner(): object | undefined { return this.options.exclusiveOwner }
  get messageCount(): number { return this.ready.length + this.tail.length }
  /** Body bytes of ready messages held in memory (paged-out ones excluded). */
  get memoryBytes(): number { return this.readyBytes }
  get consumerCount(): number { return this.consumers.length }
  get isPersisted(): boolean { return this.storeId >= 0 && this.store !== undefined }

  /** Paging keeps only ids in memory, so it is for queues whose limits do not need each message. */
  private get canPage(): boolean {
    return this.isPlainFifo && (this.pageIn !== undefined || this.spill !== undefined) && (this.options.memoryBudgetBytes ?? 0) > 0
  }

  /** No limit that needs every message in memory: priorities, TTLs, byte limits, streams, quorum. */
  private get isPlainFifo(): boolean {
    const p = this.policy
    return p.maxPriority === undefined && p.messageTtlMs === undefined && p.maxLengthBytes === undefined &&
      p.queueType !== 'stream' && p.queueType !== 'quorum'
  }

  /** Recovery may leave this queue's messages on disk (it can read them back, in plain FIFO order). */
  get canPageFromStore(): boolean {
    return this.pageIn !== undefined && this.isPlainFifo
  }

  // ---- enqueue ----------------------------------------------------------------------------

  /** x-overflow reject-publish: would this message be refused? */
  refuses(message: Message): boolean {
    const p = this.policy
    if (p.overflow === 'drop-head') return false
    if (p.maxLength !== undefined && this.messageCount >= p.maxLength) return true
    return p.maxLengthBytes !== undefined && this.readyBytes + message.bodyBytes > p.maxLengthBytes
  }

  enqueue(message: Message, redelivered = false): void {
    this.publishedCount++
    // Read before the message's expiry is computed: a TTL of 0 must count as fresh in this dispatch
    // even when the clock ticks in between (a 1 ms race that dropped such a message now and then).
    const enqueuedAtMs = Date.now()
    if (this.tail.length > 0 || (this.canPage && this.readyBytes >= this.options.memoryBudgetBytes!)) this.page(message, redelivered)
    else this.pushReady(message, redelivered, 0)
    this.enforceLimits()
    if (this.consumers.length === 0) return
    this.freshSinceMs = enqueuedAtMs
    try {
      this.dispatch()
    } finally {
      this.freshSinceMs = Infinity
    }
  }

  /** A recovered persisted message, left on disk until the queue needs it. */
  restorePaged(storeId: number, redelivered: boolean): void {
    this.tail.pushStored(storeId, redelivered)
  }

  private pushReady(message: Message, redelivered: boolean, deliveryCount: number): void {
    const expiresAtMs = this.expiryOf(message)
    this.ready.push({ message, seq: this.nextSeq++, redelivered, expiresAtMs, deliveryCount })
    this.readyBytes += message.bodyBytes
    if (expiresAtMs > 0) this.scheduleExpiry(expiresAtMs)
  }

  /** RabbitMQ: the lower of the queue's x-message-ttl and the message's expiration applies. */
  private expiryOf(message: Message): number {
    const own = messageTtlMs(message.properties.expiration)
    const queueTtl = this.policy.messageTtlMs
    const ttl = own === undefined ? queueTtl : queueTtl === undefined ? own : Math.min(own, queueTtl)
    return ttl === undefined ? 0 : Date.now() + ttl
  }

  /** Past the budget, a persisted message keeps only its store id in memory. */
  private page(message: Message, redelivered: boolean): void {
    if (message.storeId >= 0 && this.isPersisted && this.pageIn) this.tail.pushStored(message.storeId, redelivered)
    else if (this.spill) this.tail.pushSpilled(this.spill.write(message), redelivered)
    else this.tail.pushMessage(message, redelivered)
  }

  /** x-max-length / x-max-length-bytes with drop-head: the oldest messages make room. */
  private enforceLimits(): void {
    const p = this.policy
    if (p.maxLength === undefined && p.maxLengthBytes === undefined) return
    while ((p.maxLength !== undefined && this.messageCount > p.maxLength) || (p.maxLengthBytes !== undefined && this.readyBytes > p.maxLengthBytes)) {
      const head = this.shiftReady()
      if (!head) break
      this.drop(head, 'maxlen')
    }
  }

  // ---- taking -----------------------------------------------------------------------------

  /** The next live ready message, refilling from the paged tail and dropping expired ones. */
  private shiftReady(): QueuedMessage | undefined {
    for (;;) {
      if (this.tail.length > 0 && this.ready.length < 2) this.refill()
      const entry = this.ready.shift()
      if (!entry) return undefined
      this.readyBytes -= entry.message.bodyBytes
      // A TTL of 0 still reaches a consumer waiting at the moment of publishing (RabbitMQ), and
      // nobody later: `freshSinceMs` is set only while enqueue() hands out the message it just took.
      if (entry.expiresAtMs === 0 || entry.expiresAtMs > Date.now() || entry.expiresAtMs >= this.freshSinceMs) return entry
      this.drop(entry, 'expired')
    }
  }

  private refill(): void {
    const budget = this.options.memoryBudgetBytes ?? 0
    const target = budget > 0 ? budget / 2 : Infinity
    let loaded = 0
    while (this.tail.length > 0 && (loaded < 1 || this.readyBytes < target) && loaded < 10_000) {
      const next = this.tail.shift(this.pageReaders)!
      if (next.spillId >= 0) this.spill!.forget(next.spillId) // in memory again: the spill copy goes
      this.pushReady(next.message, next.redelivered, 0)
      loaded++
    }
  }

  /** basic.get: the head message, counted as unacked unless no-ack. */
  get(noAck: boolean): QueuedMessage | undefined {
    this.touch()
    const entry = this.shiftReady()
    if (!entry) return undefined
    // Quorum queues' basic.get-ok carries x-delivery-count even the first time; deliveries to
    // consumers carry it only once it is above 0 (RabbitMQ 3.10).
    if (this.countDelivery && entry.deliveryCount === 0) entry.message = this.countDelivery(entry.message, 0)
    this.taken(entry, noAck)
    return entry
  }

  // ---- settling ---------------------------------------------------------------------------

  /** An acked delivery leaves the queue for good. */
  settle(entry: QueuedMessage): void {
    this.ackedCount++
    this.unackedCount--
    this.forget(entry)
  }

  /** A delivery rejected without requeue: gone, or dead-lettered with reason `rejected`. */
  reject(entry: QueuedMessage): void {
    this.unackedCount--
    this.drop(entry, 'rejected')
  }

  /** Unacked deliveries come back to their original positions, marked redelivered. */
  requeue(entries: readonly QueuedMessage[]): void {
    this.unackedCount -= entries.length
    if (this.isDeleted) return
    const back: QueuedMessage[] = []
    for (const entry of entries) {
      entry.redelivered = true
      if (this.countDelivery) {
        // Quorum queues count returns, and dead-letter past x-delivery-limit (RabbitMQ).
        entry.deliveryCount++
        const limit = this.policy.deliveryLimit
        if (limit !== undefined && entry.deliveryCount > limit) {
          this.drop(entry, 'delivery_limit')
          continue
        }
        entry.message = this.countDelivery(entry.message, entry.deliveryCount)
      }
      back.push(entry)
      this.readyBytes += entry.message.bodyBytes
    }
    this.ready.insertManyBySeq(back)
    this.enforceLimits() // a requeue over x-max-length drops from the head too (RabbitMQ)
    this.dispatch()
  }

  purge(): number {
    const count = this.messageCount
    this.ready.drain()
    this.tail.clear()
    this.spill?.clear()
    this.readyBytes = 0
    if (this.isPersisted) this.store!.purge(this.storeId)
    return count
  }

  private drop(entry: QueuedMessage, reason: DeathReason): void {
    this.forget(entry)
    if (this.policy.deadLetterExchange !== undefined && !this.isDeleted) this.onDeadLetter?.(this, entry.message, reason)
  }

  // ---- expiry -----------------------------------------------------------------------------

  private scheduleExpiry(atMs: number): void {
    if (this.expiryTimer && this.expiryAtMs <= atMs) return
    clearTimeout(this.expiryTimer)
    this.expiryAtMs = atMs
    this.expiryTimer = setTimeout(() => this.expireNow(), Math.max(0, atMs - Date.now()) + 1)
    this.expiryTimer.unref()
  }

  /** Removes every expired ready message, oldest first, wherever it sits in the queue. */
  private expireNow(): void {
    this.expiryTimer = undefined
    if (this.isDeleted) return
    const now = Date.now()
    let next = 0
    const expired = this.ready.removeWhere((e) => {
      if (e.expiresAtMs === 0) return false
      if (e.expiresAtMs <= now) return true
      if (next === 0 || e.expiresAtMs < next) next = e.expiresAtMs
      return false
    })
    for (const e of expired) {
      this.readyBytes -= e.message.bodyBytes
      this.drop(e, 'expired')
    }
    if (next > 0) this.scheduleExpiry(next)
  }

  // ---- consumers --------------------------------------------------------------------------

  addConsumer(sink: ConsumerSink<Queue>, options: ConsumerOptions): void {
    this.touch()
    // Single active consumer: registration order decides who is active, not priority.
    const priority = this.policy.isSingleActiveConsumer ? 0 : options.priority
    const consumer = { sink, options: { ...options, priority } }
    // Highest priority first; equal priorities keep subscription order (x-priority, RabbitMQ).
    let at = this.consumers.length
    while (at > 0 && this.consumers[at - 1].options.priority < priority) at--
    this.consumers.splice(at, 0, consumer)
    this.hadConsumer = true
    this.dispatch()
  }

  hasExclusiveConsumer(): boolean {
    return this.consumers.some((c) => c.options.isExclusive)
  }

  removeConsumer(sink: ConsumerSink<Queue>): void {
    const at = this.consumers.findIndex((c) => c.sink === sink)
    if (at < 0) return
    this.consumers.splice(at, 1)
    if (this.roundRobin > at) this.roundRobin--
    this.touch()
    if (this.consumers.length === 0 && this.isAutoDelete && this.hadConsumer && !this.isDeleted) this.onUnused?.(this)
    else if (this.consumers.length > 0) this.dispatch() // a single active consumer may have changed
  }

  /** x-expires: the queue is deleted after going unused (no consumers, no get, no redeclare) that long. */
  touch(): void {
    const ms = this.policy.expiresMs
    if (ms === undefined || this.isDeleted) return
    clearTimeout(this.unusedTimer)
    this.unusedTimer = setTimeout(() => {
      if (this.consumers.length === 0 && !this.isDeleted) this.onUnused?.(this)
      else this.touch()
    }, ms)
    this.unusedTimer.unref()
  }

  /** Marks the queue gone: tells its consumers and forgets its messages. */
  markDeleted(): number {
    this.isDeleted = true
    clearTimeout(this.expiryTimer)
    clearTimeout(this.unusedTimer)
    const count = this.messageCount
    const consumers = this.consumers
    this.consumers = []
    for (const c of consumers) c.sink.cancelledByServer(this)
    this.ready.drain()
    this.tail.clear()
    this.spill?.clear()
    this.readyBytes = 0
    return count
  }

  /** Ready messages, oldest first, for inspection (paged ones are read back from the store). */
  *readyMessages(): IterableIterator<{ message: Message; redelivered: boolean }> {
    yield* this.ready
    yield* this.tail.entries(this.pageReaders)
  }

  // ---- dispatch ---------------------------------------------------------------------------

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
          const entry = this.shiftReady()
          if (!entry) break
          this.taken(entry, consumer.sink.isNoAck)
          consumer.sink.deliver(this, entry)
        }
      } while (this.redispatch)
    } finally {
      this.dispatching = false
    }
  }

  private taken(entry: QueuedMessage, noAck: boolean): void {
    this.deliveredCount++
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
    if (this.policy.isSingleActiveConsumer) return consumers[0].sink.canAccept() ? consumers[0] : undefined
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
