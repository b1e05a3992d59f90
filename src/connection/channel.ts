// One AMQP channel: its state machine, method dispatch to the handlers, the error boundary (soft
// codes close the channel, hard ones the connection), deliveries, acks and prefetch credit.
// Routing and queue state belong to the broker; bytes to the frame writer.
import type { Logger } from 'pino'
import { AmqpError, channelError, commandInvalid, notImplemented, preconditionFailed, ReplyCode } from '../errors.js'
import { MethodId, classIdOf, fitReplyText, methodIdOf, type Method, type BasicPublish } from '../wire/codec.js'
import { ContentAssembler, type ContentCommand } from '../wire/content-assembler.js'
import type { FrameWriter } from '../wire/frame-writer.js'
import type { LazyProperties } from '../wire/basic-properties.js'
import type { Broker } from '../broker/broker.js'
import type { Vhost } from '../broker/vhost.js'
import type { Queue } from '../broker/queue/queue.js'
import type { QueuedMessage } from '../broker/message.js'
import type { Config } from '../config.js'
import { ChannelConsumer, type ConsumerHost } from './channel-consumer.js'
import { Unacked, type Delivery } from './unacked.js'
import type { Confirms } from './confirms.js'
import type { TxBuffer } from './tx-buffer.js'
import type { ReplyTarget } from '../broker/direct-reply.js'

/** The handlers a channel dispatches to (channel-methods.ts), given by the connection. */
export interface ChannelMethods {
  dispatch(ch: Channel, m: Method): void
  publish(ch: Channel, command: ContentCommand<BasicPublish>): void
  /** Extra cleanup when the channel closes (direct reply-to registration). */
  release(ch: Channel): void
}

/** A channel's consumer of amq.rabbitmq.reply-to and the key replies are routed by. */
export interface DirectReplyConsumer extends ReplyTarget {
  readonly consumerTag: string
  readonly key: string
}

/** What a channel needs from its connection. */
export interface ChannelHost {
  readonly writer: FrameWriter
  readonly broker: Broker
  readonly vhost: Vhost
  readonly config: Config
  readonly log: Logger
  /** Identifies the connection as owner of exclusive queues. */
  readonly owner: object
  readonly consumerCancelNotify: boolean
  /** The authenticated user (user-id must match it). */
  readonly username: string | undefined
  /** Publishing is paused by a resource alarm (connection.blocked). */
  readonly isWritable: boolean
  readonly methods: ChannelMethods
  /** A publish arrived: the memory alarm blocks connections that publish. */
  notePublish(): void
  closeConnection(error: AmqpError, classId: number, methodId: number): void
  channelFinished(channelId: number): void
}

export type ChannelState = 'open' | 'closing' | 'closed'

export class Channel implements ConsumerHost {
  state: ChannelState = 'open'
  readonly consumers = new Map<string, ChannelConsumer>()
  readonly unacked = new Unacked()
  private readonly assembler: ContentAssembler<BasicPublish>
  private nextDeliveryTag = 1
  /** basic.qos global=false: the limit given to consumers started from now on. */
  consumerPrefetch = 0
  /** basic.qos global=true: the limit across the channel's consumers. */
  channelPrefetch = 0
  /** Unacked deliveries to consumers (basic.get deliveries count against none). */
  consumerUnacked = 0
  isFlowActive = true
  confirms: Confirms | undefined
  tx: TxBuffer | undefined
  /** This channel's consumer of amq.rabbitmq.reply-to, if any (direct reply-to). */
  replyConsumer: DirectReplyConsumer | undefined
  /** The queue named by the last queue.declare, used when a method names queue ''. */
  lastQueueName = ''
  /** The last publish's property view: the assembler hands back the same bytes when they repeat. */
  lastPropertiesView: LazyProperties | undefined
  /** While an asynchronous step (tx.commit's fsync) runs, later methods wait here in order. */
  private held: (() => void)[] | undefined
  readonly log: Logger

  constructor(
    readonly id: number,
    readonly host: ChannelHost,
  ) {
    this.assembler = new ContentAssembler(Number.MAX_SAFE_INTEGER)
    this.log = host.log.child({ ch: id })
  }

  get vhost(): Vhost { return this.host.vhost }
  get broker(): Broker { return this.host.broker }
  get writer(): FrameWriter { return this.host.writer }

  // ---- incoming ---------------------------------------------------------------------------

  onMethod(m: Method): void {
    if (this.state === 'closing') {
      // After we sent channel.close, only close and close-ok matter (AMQP 0-9-1, 2.2.4).
      if (m.id === MethodId.ChannelCloseOk) this.finish()
      else if (m.id === MethodId.ChannelClose) this.send({ id: MethodId.ChannelCloseOk, args: {} })
      return
    }
    if (this.held) return void this.held.push(() => this.onMethod(m))
    // Per-frame paths catch inline rather than through guard(): no closure per frame (bench/NOTES.md).
    // RabbitMQ names basic.publish when a method interrupts its content.
    const faultId = this.assembler.isIdle ? m.id : MethodId.BasicPublish
    try {
      if (!this.assembler.isIdle) this.assembler.methodFrame()
      else this.dispatch(m)
    } catch (err) {
      this.fail(err, faultId)
    }
  }

  /** A content header frame, payload[start, end) (the frame's span of its socket chunk). */
  onHeader(payload: Buffer, start = 0, end = payload.length): void {
    if (this.state === 'closing') return
    if (this.held) {
      const copy = Buffer.from(payload.subarray(start, end)) // the socket chunk is not ours to keep
      return void this.held.push(() => this.onHeader(copy))
    }
    const faultId = this.contentMethodId()
    try {
      const done = this.assembler.header(payload, start, end)
      if (done) this.published(done)
    } catch (err) {
      this.fail(err, faultId)
    }
  }

  /** A content body frame, payload[start, end). */
  onBody(payload: Buffer, start = 0, end = payload.length): void {
    if (this.state === 'closing') return
    if (this.held) {
      const copy = Buffer.from(payload.subarray(start, end)) // the socket chunk is not ours to keep
      return void this.held.push(() => this.onBody(copy))
    }
    const faultId = this.contentMethodId()
    try {
      const done = this.assembler.body(payload, start, end)
      if (done) this.published(done)
    } catch (err) {
      this.fail(err, faultId)
    }
  }

  /** Content faults name basic.publish once it started the command, else no method (RabbitMQ). */
  private contentMethodId(): number {
    return this.assembler.isIdle ? 0 : MethodId.BasicPublish
  }

  private published(command: ContentCommand<BasicPublish>): void {
    this.host.methods.publish(this, command)
  }

  private dispatch(m: Method): void {
    if (classIdOf(m.id) === 20) return this.onChannelMethod(m)
    if (m.id === MethodId.BasicPublish) return this.assembler.start(m.args)
    this.host.methods.dispatch(this, m)
  }

  private onChannelMethod(m: Method): void {
    switch (m.id) {
      case MethodId.ChannelOpen:
        throw channelError("second 'channel.open' seen")
      case MethodId.ChannelFlow:
        // RabbitMQ 3.10 refuses to stop deliveries by channel.flow (consumers use prefetch instead).
        if (!m.args.active) throw notImplemented('active=false')
        this.send({ id: MethodId.ChannelFlowOk, args: { active: true } })
        return
      case MethodId.ChannelClose:
        this.release()
        this.send({ id: MethodId.ChannelCloseOk, args: {} })
        return this.finish()
      default:
        // open-ok, flow-ok and an unsolicited close-ok are the server's to send.
        throw commandInvalid('unimplemented method')
    }
  }

  /** The error boundary: one place turns a thrown error into the close RabbitMQ would send. */
  guard(methodId: number, run: () => void): void {
    try {
      run()
    } catch (err) {
      this.fail(err, methodId)
    }
  }

  fail(err: unknown, methodId: number): void {
    if (!(err instanceof AmqpError)) {
      this.log.error({ err }, 'internal error in channel')
      err = new AmqpError(ReplyCode.InternalError, '')
    }
    const e = err as AmqpError
    // RabbitMQ's 541 names no method: the channel process crashed rather than refused one.
    if (e.replyCode === ReplyCode.InternalError) return this.host.closeConnection(e, 0, 0)
    if (e.scope === 'connection') return this.host.closeConnection(e, classIdOf(methodId), methodIdOf(methodId))
    this.log.warn({ replyCode: e.replyCode, classId: classIdOf(methodId), methodId: methodIdOf(methodId) }, 'channel closed')
    this.closeWithError(e, methodId)
  }

  /** Sends channel.close for a soft error; the channel ignores everything until close-ok. */
  closeWithError(e: AmqpError, methodId: number): void {
    if (this.state !== 'open') return
    this.release()
    this.state = 'closing'
    this.send({
      id: MethodId.ChannelClose,
      args: { replyCode: e.replyCode, replyText: fitReplyText(e.replyText), classId: classIdOf(methodId), methodId: methodIdOf(methodId) },
    })
  }

  // ---- async steps ------------------------------------------------------------------------

  /** Holds later methods until `work` settles, so replies keep the order of requests. */
  hold(work: Promise<void>, methodId: number): void {
    this.held = []
    work.then(
      () => this.unhold(),
      (err: unknown) => {
        this.fail(err, methodId)
        this.unhold()
      },
    )
  }

  private unhold(): void {
    const held = this.held ?? []
    this.held = undefined
    for (let i = 0; i < held.length; i++) {
      const heldAgain = this.held as (() => void)[] | undefined
      if (heldAgain) { // another async step began: keep the rest behind it
        heldAgain.push(...held.slice(i))
        return
      }
      held[i]()
    }
  }

  // ---- outgoing ---------------------------------------------------------------------------

  send(m: Method): void {
    this.writer.method(this.id, m)
  }

  isWritable(): boolean {
    return this.state === 'open' && this.isFlowActive && this.host.isWritable
  }

  hasChannelCredit(): boolean {
    return this.channelPrefetch === 0 || this.consumerUnacked < this.channelPrefetch
  }

  /** The next delivery tag (deliveries, get-ok, direct replies share one sequence). */
  nextTag(): number {
    return this.nextDeliveryTag++
  }

  deliver(consumer: ChannelConsumer, queue: Queue, entry: QueuedMessage): void {
    const tag = this.nextDeliveryTag++
    if (!consumer.isNoAck) {
      this.unacked.add({ tag, queue, entry, consumer, atMs: Date.now() })
      consumer.unackedCount++
      this.consumerUnacked++
    }
    const msg = entry.message
    this.writer.deliver(this.id, consumer.consumerTag, tag, entry.redelivered, msg.exchange, msg.routingKey, msg.rawProperties, msg.body)
  }

  /** basic.get-ok: counted as unacked unless no-ack, against no consumer's prefetch. */
  deliverGet(queue: Queue, entry: QueuedMessage, noAck: boolean): void {
    const tag = this.nextDeliveryTag++
    if (!noAck) this.unacked.add({ tag, queue, entry, consumer: undefined, atMs: Date.now() })
    const msg = entry.message
    this.writer.content(
      this.id,
      {
        id: MethodId.BasicGetOk,
        args: { deliveryTag: tag, redelivered: entry.redelivered, exchange: msg.exchange, routingKey: msg.routingKey, messageCount: queue.messageCount },
      },
      msg.rawProperties,
      msg.body,
    )
  }

  consumerCancelledByServer(consumer: ChannelConsumer): void {
    this.consumers.delete(consumer.consumerTag)
    if (!this.host.consumerCancelNotify) return
    // After the reply to whatever deleted the queue: RabbitMQ sends queue.delete-ok first.
    queueMicrotask(() => {
      if (this.state === 'open') this.send({ id: MethodId.BasicCancel, args: { consumerTag: consumer.consumerTag, nowait: true } })
    })
  }

  /** Acked or dropped deliveries leave their queues; freed credit lets consumers go on. */
  settle(deliveries: readonly Delivery[]): void {
    for (const d of deliveries) {
      this.forgetCredit(d)
      d.queue.settle(d.entry)
    }
    this.resumeDeliveries()
  }

  /** Deliveries rejected without requeue: dropped, or dead-lettered where the queue says so. */
  reject(deliveries: readonly Delivery[]): void {
    for (const d of deliveries) {
      this.forgetCredit(d)
      d.queue.reject(d.entry)
    }
    this.resumeDeliveries()
  }

  /** Deliveries go back to their queues, in the order given. */
  requeue(deliveries: readonly Delivery[]): void {
    for (const d of deliveries) {
      this.forgetCredit(d)
      d.queue.requeue([d.entry])
    }
    this.resumeDeliveries()
  }

  private forgetCredit(d: Delivery): void {
    if (d.consumer) {
      d.consumer.unackedCount--
      this.consumerUnacked--
    }
  }

  /** Asks the queues of this channel's consumers to dispatch again (credit freed, socket drained). */
  resumeDeliveries(): void {
    for (const c of this.consumers.values()) {
      if (c.queue.messageCount > 0 && c.canAccept()) c.queue.dispatch()
    }
  }

  /** RabbitMQ's consumer_timeout: a delivery unacked for too long closes its channel with 406. */
  checkConsumerTimeout(nowMs: number, timeoutMs: number): void {
    const oldest = this.unacked.oldest()
    if (this.state !== 'open' || !oldest || nowMs - oldest.atMs <= timeoutMs) return
    this.log.warn({ timeoutMs }, 'consumer timeout')
    this.closeWithError(preconditionFailed(
      `delivery acknowledgement on channel ${this.id} timed out. Timeout value used: ${timeoutMs} ms. ` +
      'This timeout value can be configured, see consumers doc guide to learn more',
    ), 0)
  }

  // ---- closing ----------------------------------------------------------------------------

  /** Cancels consumers and requeues unacked deliveries (channel or connection closing). */
  release(): void {
    if (this.state === 'closed') return
    this.assembler.reset()
    this.held = undefined
    this.host.methods.release(this)
    const consumers = [...this.consumers.values()]
    this.consumers.clear()
    // Requeue before removing consumers, so auto-delete queues still see the messages go back.
    const pending = this.unacked.takeAll()
    for (const d of pending) this.forgetCredit(d)
    const byQueue = new Map<Queue, QueuedMessage[]>()
    for (const d of pending) {
      const list = byQueue.get(d.queue)
      if (list) list.push(d.entry)
      else byQueue.set(d.queue, [d.entry])
    }
    this.state = 'closing' // no deliveries to this channel while queues re-dispatch
    for (const [q, entries] of byQueue) q.requeue(entries)
    for (const c of consumers) c.queue.removeConsumer(c)
  }

  private finish(): void {
    this.state = 'closed'
    this.host.channelFinished(this.id)
  }
}
