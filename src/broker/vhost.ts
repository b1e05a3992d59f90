// One virtual host: its exchanges, queues and bindings, the declare/delete/bind rules RabbitMQ
// applies to them, and routing a published message to its queues. Synchronous; no frames.
import { randomBytes } from 'node:crypto'
import { queueLimitReached } from './limits.js'
import { accessRefused, AmqpError, notFound, preconditionFailed, resourceLocked, ReplyCode } from '../errors.js'
import type { BindingRecord, BrokerStore, StoredMessageInput } from './broker-store.js'
import type { Binding, Destination } from './exchange/exchange.js'
import { sameArguments } from './field-equality.js'
import { Exchange, type ExchangeOptions } from './exchange/exchange.js'
import { DefaultExchange } from './exchange/default.js'
import { DirectExchange } from './exchange/direct.js'
import { FanoutExchange } from './exchange/fanout.js'
import { TopicExchange } from './exchange/topic.js'
import { HeadersExchange, checkXMatch } from './exchange/headers.js'
import { Queue, type QueueOptions, type Spill } from './queue/queue.js'
import { StreamQueue } from './queue/stream-queue.js'
import { Message, type DeathReason } from './message.js'
import { originalRoutingKeys, recordDeath, wouldCycle, type PropertiesCodec } from './dead-letter.js'
import { validateQueueArguments, checkQueueEquivalence, checkArgumentEquivalence, exclusiveLocked } from './queue/queue-arguments.js'

export const EXCHANGE_TYPES = ['direct', 'fanout', 'topic', 'headers'] as const

export interface ExchangeDeclare {
  name: string; type: string; passive: boolean; durable: boolean; autoDelete: boolean; internal: boolean
  arguments: Record<string, unknown>
}
export interface QueueDeclare {
  name: string; passive: boolean; durable: boolean; exclusive: boolean; autoDelete: boolean
  arguments: Record<string, unknown>
}

export interface VhostOptions {
  /** Views and rewrites raw message properties (dead-lettering, paging, quorum delivery counts). */
  readonly codec?: PropertiesCodec
  /** Body bytes a queue keeps in memory before paging messages out (0: never). */
  readonly queueMemoryBytes?: number
  /** Where messages the durable store does not hold go when a queue is over budget; emptied at boot. */
  readonly spill?: BrokerStore
}

const EMPTY = Buffer.alloc(0)
const PREDECLARED: [string, string][] = [
  ['amq.direct', 'direct'], ['amq.fanout', 'fanout'], ['amq.topic', 'topic'],
  ['amq.headers', 'headers'], ['amq.match', 'headers'],
]

export class Vhost {
  readonly exchanges = new Map<string, Exchange>()
  readonly queues = new Map<string, Queue>()
  /** The vhost's max-queues limit, set by the broker; undefined = no limit. */
  maxQueues: number | undefined = undefined
  private spillQueues = 0
  /** Reused for every persistent publish: the store copies what it needs and keeps neither (BrokerStore.append). */
  private readonly storeQueueIds: number[] = []
  private readonly storeInput: StoredMessageInput = { exchange: '', routingKey: '', properties: EMPTY, body: EMPTY }

  constructor(
    readonly name: string,
    private readonly store?: BrokerStore,
    private readonly options: VhostOptions = {},
  ) {
    this.exchanges.set('', new DefaultExchange(name, this.queues))
    for (const [n, type] of PREDECLARED) {
      this.exchanges.set(n, this.makeExchange(n, type, { isDurable: true, isAutoDelete: false, isInternal: false, arguments: {} }))
    }
  }

  // ---- exchanges -------------------------------------------------------------------------

  exchange(name: string): Exchange {
    const ex = this.exchanges.get(name)
    if (!ex) throw notFound(`no exchange '${name}' in vhost '${this.name}'`)
    return ex
  }

  declareExchange(req: ExchangeDeclare): Exchange {
    if (req.passive) {
      if (req.name === '') throw accessRefused('operation not permitted on the default exchange')
      return this.exchange(req.name)
    }
    if (req.name === '') throw accessRefused("operation not permitted on the default exchange")
    const existing = this.exchanges.get(req.name)
    if (!existing && req.name.startsWith('amq.')) {
      throw accessRefused(`exchange name '${req.name}' contains reserved prefix 'amq.*'`)
    }
    if (!(EXCHANGE_TYPES as readonly string[]).includes(req.type)) {
      // RabbitMQ's two wordings: an empty type is invalid, any other is unknown.
      throw new AmqpError(ReplyCode.CommandInvalid, `${req.type === '' ? 'invalid' : 'unknown'} exchange type '${req.type}'`)
    }
    if (existing) {
      this.checkExchangeEquivalence(existing, req)
      return existing
    }
    const options = { isDurable: req.durable, isAutoDelete: req.autoDelete, isInternal: req.internal, arguments: req.arguments }
    const ex = this.makeExchange(req.name, req.type, options)
    this.exchanges.set(req.name, ex)
    if (ex.isDurable) this.store?.putExchange({ vhost: this.name, name: ex.name, type: ex.type, durable: true, autoDelete: ex.isAutoDelete, internal: ex.isInternal, arguments: ex.options.arguments })
    return ex
  }

  /** Re-creates a durable exchange from the store at boot. */
  restoreExchange(name: string, type: string, options: ExchangeOptions): void {
    if (!this.exchanges.has(name)) this.exchanges.set(name, this.makeExchange(name, type, options))
  }

  deleteExchange(name: string, ifUnused: boolean): void {
    if (name === '' ) throw accessRefused('operation not permitted on the default exchange')
    if (name.startsWith('amq.')) throw accessRefused(`deletion of system exchange '${name}' in vhost '${this.name}' not allowed`)
    const ex = this.exchanges.get(name)
    if (!ex) return // RabbitMQ 3.10: deleting a missing exchange succeeds
    if (ifUnused && ex.bindings.length > 0) throw preconditionFailed(`exchange '${name}' in vhost '${this.name}' in use`)
    this.removeExchange(ex)
  }

  private removeExchange(ex: Exchange): void {
    this.exchanges.delete(ex.name)
    ex.isDeleted = true
    for (const b of [...ex.bindings]) this.dropBinding(b)
    for (const other of this.exchanges.values()) {
      for (const b of other.unbindAll(ex)) this.afterUnbind(b)
    }
    if (ex.isDurable) this.store?.deleteExchange(this.name, ex.name)
  }

  private makeExchange(name: string, type: string, options: ExchangeOptions): Exchange {
    switch (type) {
      case 'fanout': return new FanoutExchange(this.name, name, 'fanout', options)
      case 'topic': return new TopicExchange(this.name, name, options)
      case 'headers': return new HeadersExchange(this.name, name, 'headers', options)
      default: return new DirectExchange(this.name, name, 'direct', options)
    }
  }

  private checkExchangeEquivalence(ex: Exchange, req: ExchangeDeclare): void {
    const where = `for exchange '${ex.name}' in vhost '${this.name}'`
    const differs = (field: string, received: unknown, current: unknown) => {
      throw preconditionFailed(`inequivalent arg '${field}' ${where}: received '${received}' but current is '${current}'`)
    }
    if (ex.type !== req.type) differs('type', req.type, ex.type)
    if (ex.isDurable !== req.durable) differs('durable', req.durable, ex.isDurable)
    if (ex.isAutoDelete !== req.autoDelete) differs('auto_delete', req.autoDelete, ex.isAutoDelete)
    if (ex.isInternal !== req.internal) differs('internal', req.internal, ex.isInternal)
    checkArgumentEquivalence('alternate-exchange', req.arguments, ex.options.arguments, where)
  }

  /** Back to the predeclared state: every queue and declared exchange gone, and every binding. */
  reset(): void {
    for (const q of [...this.queues.values()]) this.removeQueue(q)
    for (const ex of [...this.exchanges.values()]) {
      if (ex.name === '' || ex.isDeleted) continue // an auto-delete one may have gone with its last binding
      if (ex.name.startsWith('amq.')) for (const b of [...ex.bindings]) this.dropBinding(b) // e.g. amq.direct -> amq.fanout
      else this.removeExchange(ex)
    }
  }

  // ---- queues ----------------------------------------------------------------------------

  /** The named queue, checking that an exclusive queue belongs to this connection (405). */
  queue(name: string, owner: object | undefined): Queue {
    const q = this.queues.get(name)
    if (!q) throw notFound(`no queue '${name}' in vhost '${this.name}'`)
    if (q.isExclusive && q.exclusiveOwner !== owner) throw this.lockedError(name)
    return q
  }

  /** Declares (or checks) a queue; an empty name asks for a server-named `amq.gen-` queue. */
  declareQueue(req: QueueDeclare, owner: object): Queue {
    // Generated names carry the reserved prefix on purpose, so they skip its check.
    if (req.name === '' && !req.passive) {
      const name = this.generateQueueName()
      this.checkQueueLimit(name)
      return this.createQueue({ ...req, name }, owner)
    }
    const existing = this.queues.get(req.name)
    if (req.passive) {
      if (!existing) throw notFound(`no queue '${req.name}' in vhost '${this.name}'`)
      return this.queue(req.name, owner)
    }
    // RabbitMQ refuses the prefix on every non-passive declare, even of an existing amq.gen- queue.
    if (req.name.startsWith('amq.')) {
      throw accessRefused(`queue name '${req.name}' contains reserved prefix 'amq.*'`)
    }
    if (existing) {
      if (existing.isExclusive && existing.exclusiveOwner !== owner) throw this.lockedError(req.name)
      checkQueueEquivalence(existing, req, this.name)
      return existing
    }
    this.checkQueueLimit(req.name)
    return this.createQueue(req, owner)
  }

  /** RabbitMQ checks max-queues for a queue about to be created, before its arguments. */
  private checkQueueLimit(name: string): void {
    if (this.maxQueues !== undefined && this.queues.size >= this.maxQueues) throw queueLimitReached(name, this.name, this.maxQueues)
  }

  private createQueue(req: QueueDeclare, owner: object): Queue {
    validateQueueArguments(req.arguments, req.name, this.name)
    if (req.arguments['x-queue-type'] === 'quorum' || req.arguments['x-queue-type'] === 'stream') this.checkReplicatedFlags(req)
    const q = this.newQueue(req.name, {
      isDurable: req.durable, isExclusive: req.exclusive, isAutoDelete: req.autoDelete,
      arguments: req.arguments, exclusiveOwner: req.exclusive ? owner : undefined,
    })
    // RabbitMQ: exclusive queues are never persisted, even when declared durable.
    if (q.isDurable && !q.isExclusive && this.store) {
      this.attachStore(q, this.store.putQueue({ vhost: this.name, name: q.name, durable: true, autoDelete: q.isAutoDelete, arguments: req.arguments }))
    }
    this.addQueue(q)
    return q
  }

  /** RabbitMQ: quorum and stream queues must be durable, not exclusive, not auto-delete. */
  private checkReplicatedFlags(req: QueueDeclare): void {
    const where = `for queue '${req.name}' in vhost '${this.name}'`
    if (req.exclusive) throw preconditionFailed(`invalid property 'exclusive-owner' ${where}`)
    if (!req.durable) throw preconditionFailed(`invalid property 'non-durable' ${where}`)
    if (req.autoDelete) throw preconditionFailed(`invalid property 'auto-delete' ${where}`)
  }

  /** A queue with this vhost's memory budget and dead-lettering (used for new and recovered queues). */
  newQueue(name: string, options: Omit<QueueOptions, 'memoryBudgetBytes'>): Queue {
    const queueOptions = { ...options, memoryBudgetBytes: this.options.queueMemoryBytes ?? 0 }
    const isStream = options.arguments['x-queue-type'] === 'stream'
    const q = isStream ? new StreamQueue(this.name, name, queueOptions) : new Queue(this.name, name, queueOptions)
    const codec = this.options.codec
    if (codec && q instanceof StreamQueue) q.stampOffset = (m, offset) => this.withHeader(m, 'x-stream-offset', BigInt(offset), codec)
    if (codec && this.options.spill) q.spill = this.spillFor(q, this.options.spill, codec)
    if (codec) {
      q.onDeadLetter = (from, message, reason) => this.deadLetter(from, message, reason, codec)
      if (q.policy.queueType === 'quorum') q.countDelivery = (m, count) => this.withDeliveryCount(m, count, codec)
    }
    return q
  }

  /** Publishes a message that left `from` to its dead-letter exchange, with its x-death history. */
  private deadLetter(from: Queue, message: Message, reason: DeathReason, codec: PropertiesCodec): void {
    const dlxName = from.policy.deadLetterExchange
    const dlx = dlxName === undefined ? undefined : this.exchanges.get(dlxName)
    if (!dlx) return // RabbitMQ drops the message when the dead-letter exchange does not exist
    const routingKeys = originalRoutingKeys(message.routingKey, message.properties.headers)
    const raw = codec.rewrite(message.rawProperties, (props) => {
      recordDeath(props, { queue: from.name, reason, exchange: message.exchange, routingKeys, nowMs: Date.now() })
      // The CC and BCC keys now live in x-death's routing-keys (RabbitMQ drops the headers).
      delete props.headers?.CC
      delete props.headers?.BCC
      if (from.policy.queueType === 'quorum') delete props.headers?.['x-delivery-count']
    })
    const dead = new Message(dlx.name, from.policy.deadLetterRoutingKey ?? message.routingKey, raw, codec.view(raw), message.body)
    const queues = this.route(dlx, dead).filter((q) => !wouldCycle(dead.properties.headers, q.name) || reason === 'rejected')
    if (queues.length > 0) this.enqueue(queues, dead)
  }

  private withDeliveryCount(m: Message, count: number, codec: PropertiesCodec): Message {
    return this.withHeader(m, 'x-delivery-count', BigInt(count), codec) // a long, as RabbitMQ writes it
  }

  /** A queue's share of the transient spill, its spill-store queue made on first use. */
  private spillFor(q: Queue, spill: BrokerStore, codec: PropertiesCodec): Spill {
    let spillQueueId = -1
    const id = () => {
      if (spillQueueId < 0) spillQueueId = spill.putQueue({ vhost: this.name, name: `${q.name} ${++this.spillQueues}`, durable: true, autoDelete: false, arguments: {} })
      return spillQueueId
    }
    return {
      write: (m) => spill.append([id()], { exchange: m.exchange, routingKey: m.routingKey, properties: m.rawProperties, body: m.body }),
      read: (spillId) => {
        const stored = spill.read(spillId)
        const m = new Message(stored.exchange, stored.routingKey, stored.properties, codec.view(stored.properties), stored.body)
        m.storeId = -1 // its store copy (if any) is not in this queue's durable records
        return m
      },
      forget: (spillId) => spill.remove(id(), spillId),
      clear: () => {
        if (spillQueueId >= 0) spill.purge(spillQueueId)
      },
    }
  }

  /** A copy of the message with one header set (it keeps its place in the store). */
  private withHeader(m: Message, name: string, value: unknown, codec: PropertiesCodec): Message {
    const raw = codec.rewrite(m.rawProperties, (props) => {
      ;(props.headers ??= {})[name] = value
    })
    const rewritten = new Message(m.exchange, m.routingKey, raw, codec.view(raw), m.body)
    rewritten.storeId = m.storeId
    return rewritten
  }

  /** Connects a durable queue to its store records, so it persists and can page. */
  attachStore(q: Queue, storeId: number): void {
    const store = this.store
    if (!store) return
    q.storeId = storeId
    q.store = store
    const codec = this.options.codec
    if (codec) {
      q.pageIn = (id) => {
        const stored = store.read(id)
        const m = new Message(stored.exchange, stored.routingKey, stored.properties, codec.view(stored.properties), stored.body)
        m.storeId = id
        return m
      }
    }
  }

  /** Registers a queue (a new one, or one recovered from the store at boot). */
  addQueue(q: Queue): void {
    q.onUnused = (unused) => this.removeQueue(unused)
    this.queues.set(q.name, q)
  }

  /** A server-generated queue name, as RabbitMQ spells them. */
  generateQueueName(): string {
    let name: string
    do name = 'amq.gen-' + randomBytes(16).toString('base64url').slice(0, 22)
    while (this.queues.has(name))
    return name
  }

  deleteQueue(name: string, ifUnused: boolean, ifEmpty: boolean, owner: object): number {
    if (!this.queues.has(name)) return 0 // RabbitMQ 3.10: deleting a missing queue succeeds
    const q = this.queue(name, owner)
    if (ifUnused && q.consumerCount > 0) throw preconditionFailed(`queue '${name}' in vhost '${this.name}' in use`)
    if (ifEmpty && q.messageCount > 0) throw preconditionFailed(`queue '${name}' in vhost '${this.name}' not empty`)
    return this.removeQueue(q)
  }

  removeQueue(q: Queue): number {
    if (q.isDeleted || this.queues.get(q.name) !== q) return 0
    this.queues.delete(q.name)
    for (const ex of [...this.exchanges.values()]) {
      for (const b of ex.unbindAll(q)) this.afterUnbind(b)
    }
    if (q.isPersisted) this.store!.deleteQueue(q.storeId)
    return q.markDeleted()
  }

  /** Exclusive queues vanish with the connection that declared them. */
  ownerClosed(owner: object): void {
    for (const q of [...this.queues.values()]) if (q.isExclusive && q.exclusiveOwner === owner) this.removeQueue(q)
  }

  private lockedError(name: string): Error {
    return exclusiveLocked(name, this.name)
  }

  // ---- bindings --------------------------------------------------------------------------

  bindQueue(queueName: string, exchangeName: string, bindingKey: string, args: Record<string, unknown>, owner: object): void {
    const q = this.queue(queueName, owner)
    const ex = this.bindableSource(exchangeName)
    this.addBinding({ source: ex, destination: q, bindingKey, arguments: args })
  }

  /** Unbinding what does not exist succeeds, missing queue or exchange included (RabbitMQ 3.10). */
  unbindQueue(queueName: string, exchangeName: string, bindingKey: string, args: Record<string, unknown>, owner: object): void {
    if (!this.queues.has(queueName) || (exchangeName !== '' && !this.exchanges.has(exchangeName))) return
    const q = this.queue(queueName, owner)
    const ex = this.bindableSource(exchangeName)
    const removed = ex.unbind({ destination: q, bindingKey, arguments: args })
    if (removed) this.afterUnbind(removed)
  }

  bindExchange(destination: string, source: string, bindingKey: string, args: Record<string, unknown>): void {
    const dest = this.bindableDestination(destination)
    const src = this.bindableSource(source)
    this.addBinding({ source: src, destination: dest, bindingKey, arguments: args })
  }

  unbindExchange(destination: string, source: string, bindingKey: string, args: Record<string, unknown>): void {
    if ((destination !== '' && !this.exchanges.has(destination)) || (source !== '' && !this.exchanges.has(source))) return
    const dest = this.bindableDestination(destination)
    const src = this.bindableSource(source)
    const removed = src.unbind({ destination: dest, bindingKey, arguments: args })
    if (removed) this.afterUnbind(removed)
  }

  /** Re-creates a durable binding from the store at boot; false if an end is gone. */
  restoreBinding(rec: BindingRecord): boolean {
    const src = this.exchanges.get(rec.source)
    const dest = rec.destinationKind === 'queue' ? this.queues.get(rec.destination) : this.exchanges.get(rec.destination)
    if (!src || !dest || src.name === '') return false
    src.bind({ source: src, destination: dest, bindingKey: rec.bindingKey, arguments: rec.arguments })
    return true
  }

  private bindableSource(name: string): Exchange {
    if (name === '') throw accessRefused("operation not permitted on the default exchange")
    return this.exchange(name)
  }

  private bindableDestination(name: string): Exchange {
    if (name === '') throw accessRefused("operation not permitted on the default exchange")
    return this.exchange(name)
  }

  private addBinding(b: Binding): void {
    if (b.source.type === 'headers') checkXMatch(b.arguments)
    if (b.source.bind(b) && this.isDurableBinding(b)) this.store?.putBinding(this.bindingRecord(b))
  }

  private dropBinding(b: Binding): void {
    if (b.source.unbind(b)) this.afterUnbind(b)
  }

  /** Persists the removal and deletes an auto-delete source left without bindings. */
  private afterUnbind(b: Binding): void {
    if (this.isDurableBinding(b)) this.store?.deleteBinding(this.bindingRecord(b))
    const src = b.source
    if (src.isAutoDelete && src.bindings.length === 0 && !src.isDeleted) this.removeExchange(src)
  }

  private isDurableBinding(b: Binding): boolean {
    const d = b.destination
    return b.source.isDurable && (d instanceof Queue ? d.isPersisted : d.isDurable)
  }

  private bindingRecord(b: Binding): BindingRecord {
    const isQueue = b.destination instanceof Queue
    return {
      vhost: this.name, source: b.source.name, destination: b.destination.name,
      destinationKind: isQueue ? 'queue' : 'exchange', bindingKey: b.bindingKey, arguments: b.arguments,
    }
  }

  /** Every binding in the vhost, including the default exchange's implicit ones, for inspection. */
  allBindings(): Binding[] {
    const out: Binding[] = []
    for (const ex of this.exchanges.values()) out.push(...ex.bindings)
    return out
  }

  // ---- routing ---------------------------------------------------------------------------

  /**
   * The queues a message reaches from an exchange, each once, following exchange-to-exchange
   * bindings (cycles visit each exchange once) and, when nothing matched, alternate exchanges.
   */
  route(source: Exchange, message: Message, seen?: Set<Destination>): Queue[] {
    const direct: Destination[] = []
    source.route(message, direct)
    // Fast path: the common case of one queue and no exchange-to-exchange bindings, with no Set
    // and no second array per publish (bench/NOTES.md).
    if (direct.length === 1 && direct[0] instanceof Queue) return direct as Queue[]
    const queues: Queue[] = []
    seen ??= new Set<Destination>()
    seen.add(source)
    const pending = direct
    for (let i = 0; i < pending.length; i++) {
      const d = pending[i]
      if (seen.has(d)) continue
      seen.add(d)
      if (d instanceof Queue) queues.push(d)
      else d.route(message, pending)
    }
    if (queues.length === 0) {
      const ae = source.alternateExchange && this.exchanges.get(source.alternateExchange)
      // An alternate exchange routes with its own alternates in turn; a cycle of them ends unrouted.
      if (ae && !seen.has(ae)) return this.route(ae, message, seen)
    }
    return queues
  }


  /**
   * Hands a routed message to its queues, writing it once to the store if it must survive.
   * Returns false when a queue refused it (x-overflow reject-publish): the publisher gets a nack.
   */
  enqueue(routed: readonly Queue[], message: Message): boolean {
    let queues = routed
    let refused = false
    for (const q of routed) {
      if (!q.refuses(message)) continue
      refused = true
      queues = queues.filter((other) => other !== q)
      if (q.policy.overflow === 'reject-publish-dlx') q.onDeadLetter?.(q, message, 'maxlen')
    }
    if (message.isPersistent && this.store) {
      const ids = this.storeQueueIds
      ids.length = 0
      for (let i = 0; i < queues.length; i++) if (queues[i].isPersisted) ids.push(queues[i].storeId)
      if (ids.length > 0) {
        const input = this.storeInput
        input.exchange = message.exchange
        input.routingKey = message.routingKey
        input.properties = message.rawProperties
        input.body = message.body
        message.storeId = this.store.append(ids, input)
        input.properties = input.body = EMPTY // not kept alive by this scratch object
      }
    }
    for (const q of queues) q.enqueue(message)
    return !refused
  }
}

