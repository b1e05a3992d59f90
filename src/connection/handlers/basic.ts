// The basic class: qos, consume, cancel, publish, get, ack, nack, reject, recover. Publishing
// routes through the vhost; acks settle through the channel. Replies follow RabbitMQ's texts.
import { randomBytes } from 'node:crypto'
import { MethodId, type Method, type BasicPublish } from '../../wire/codec.js'
import type { ContentCommand } from '../../wire/content-assembler.js'
import { LazyProperties, propertiesCodec } from '../../wire/basic-properties.js'
import {
  AmqpError, ReplyCode, accessRefused, notAllowed, notImplemented, preconditionFailed,
} from '../../errors.js'
import { Message } from '../../broker/message.js'
import type { Exchange } from '../../broker/exchange/exchange.js'
import { ChannelConsumer } from '../channel-consumer.js'
import type { Channel } from '../channel.js'
import type { Delivery } from '../unacked.js'
import type { Settlement } from '../tx-buffer.js'
import { queueNameOf } from './queue.js'
import { typeNameOf } from '../../broker/queue/queue-arguments.js'
import { checkPublishedProperties } from './publish-checks.js'
import { checkAccess } from './access.js'
import { consumeReplies, cancelReplies, isReplyToQueue, stampReplyTo } from './direct-reply.js'
import { DirectReplyRegistry } from '../../broker/direct-reply.js'

export function dispatchBasic(ch: Channel, m: Method): void {
  switch (m.id) {
    case MethodId.BasicQos: {
      const a = m.args
      if (a.prefetchSize !== 0) throw notImplemented(`prefetch_size!=0 (${a.prefetchSize})`)
      if (a.global) ch.channelPrefetch = a.prefetchCount
      else ch.consumerPrefetch = a.prefetchCount
      ch.send({ id: MethodId.BasicQosOk, args: {} })
      ch.resumeDeliveries()
      return
    }
    case MethodId.BasicConsume: return consume(ch, m.args)
    case MethodId.BasicCancel: {
      if (ch.replyConsumer?.consumerTag === m.args.consumerTag) cancelReplies(ch)
      const c = ch.consumers.get(m.args.consumerTag)
      if (c) ch.consumers.delete(c.consumerTag)
      if (!m.args.nowait) ch.send({ id: MethodId.BasicCancelOk, args: { consumerTag: m.args.consumerTag } })
      if (c) c.queue.removeConsumer(c)
      return
    }
    case MethodId.BasicGet: {
      checkAccess(ch, 'read', 'queue', queueNameOf(ch, m.args.queue))
      const q = ch.vhost.queue(queueNameOf(ch, m.args.queue), ch.host.owner)
      if (q.policy.queueType === 'stream') throw notImplemented(`basic.get not supported by stream queues queue '${q.name}' in vhost '${ch.vhost.name}'`)
      const entry = q.get(m.args.noAck)
      if (entry) ch.deliverGet(q, entry, m.args.noAck)
      else ch.send({ id: MethodId.BasicGetEmpty, args: { clusterId: '' } })
      return
    }
    case MethodId.BasicAck:
      return settle(ch, takeDeliveries(ch, m.args.deliveryTag, m.args.multiple), 'ack')
    case MethodId.BasicNack:
      return settle(ch, takeDeliveries(ch, m.args.deliveryTag, m.args.multiple), m.args.requeue ? 'requeue' : 'drop')
    case MethodId.BasicReject:
      return settle(ch, takeDeliveries(ch, m.args.deliveryTag, false), m.args.requeue ? 'requeue' : 'drop')
    case MethodId.BasicRecover:
    case MethodId.BasicRecoverAsync:
      // RabbitMQ only requeues; redelivering to the same consumer (requeue=false) it does not implement.
      if (!m.args.requeue) throw notImplemented('requeue=false')
      ch.requeue(ch.unacked.takeAll())
      if (m.id === MethodId.BasicRecover) ch.send({ id: MethodId.BasicRecoverOk, args: {} })
      return
  }
  throw new AmqpError(ReplyCode.CommandInvalid, 'unexpected basic method from client')
}

function consume(ch: Channel, a: Extract<Method, { id: typeof MethodId.BasicConsume }>['args']): void {
  if (isReplyToQueue(a.queue)) {
    const tag = a.consumerTag === '' ? generateConsumerTag() : a.consumerTag
    if (ch.consumers.has(tag)) throw notAllowed(`attempt to reuse consumer tag '${tag}'`)
    return consumeReplies(ch, tag, a.noAck, a.nowait)
  }
  const queueName = queueNameOf(ch, a.queue)
  checkAccess(ch, 'read', 'queue', queueName)
  const q = ch.vhost.queue(queueName, ch.host.owner)
  const tag = a.consumerTag === '' ? generateConsumerTag() : a.consumerTag
  if (ch.consumers.has(tag)) throw notAllowed(`attempt to reuse consumer tag '${tag}'`)
  if (q.hasExclusiveConsumer() || (a.exclusive && q.consumerCount > 0)) {
    throw accessRefused(`queue '${queueName}' in vhost '${ch.vhost.name}' in exclusive use`)
  }
  if (q.policy.queueType === 'stream' && a.noAck) {
    throw notImplemented(`automatic acknowledgement not supported by stream queues queue '${queueName}' in vhost '${ch.vhost.name}'`)
  }
  if (q.policy.queueType === 'stream' && ch.consumerPrefetch === 0) {
    // RabbitMQ: stream consumers must set a prefetch (basic.qos) first.
    throw preconditionFailed(`consumer prefetch count is not set for 'queue '${queueName}' in vhost '${ch.vhost.name}''`)
  }
  if (q.policy.queueType === 'quorum' && ch.channelPrefetch > 0) {
    throw notImplemented(`queue '${queueName}' in vhost '${ch.vhost.name}' does not support global qos`)
  }
  const priority = consumerPriority(a.arguments, queueName, ch.vhost.name)
  const consumer = new ChannelConsumer(tag, q, a.noAck, ch.consumerPrefetch, ch)
  ch.consumers.set(tag, consumer)
  // consume-ok goes out before the first delivery.
  if (!a.nowait) ch.send({ id: MethodId.BasicConsumeOk, args: { consumerTag: tag } })
  q.addConsumer(consumer, { isExclusive: a.exclusive, priority, owner: ch, streamOffset: a.arguments['x-stream-offset'] })
}

/** Server-generated consumer tags, as RabbitMQ spells them. */
function generateConsumerTag(): string {
  return 'amq.ctag-' + randomBytes(16).toString('base64url').slice(0, 22)
}

function consumerPriority(args: Record<string, unknown>, queue: string, vhost: string): number {
  const v = args['x-priority']
  if (v === undefined) return 0
  if (typeof v === 'number' && Number.isInteger(v)) return v
  if (typeof v === 'bigint') return Number(v)
  throw preconditionFailed(`invalid arg 'x-priority' for queue '${queue}' in vhost '${vhost}': "expected integer, got ${typeNameOf(args, 'x-priority')}"`)
}

function takeDeliveries(ch: Channel, tag: number, multiple: boolean): Delivery[] {
  const taken = ch.unacked.take(tag, multiple)
  if (!taken) throw preconditionFailed(`unknown delivery tag ${tag}`)
  return taken
}


function settle(ch: Channel, deliveries: Delivery[], how: Settlement): void {
  if (ch.tx) ch.tx.settlements.push({ deliveries, how })
  else applySettlement(ch, deliveries, how)
}

export function applySettlement(ch: Channel, deliveries: Delivery[], how: Settlement): void {
  if (how === 'requeue') ch.requeue(deliveries)
  else if (how === 'drop') ch.reject(deliveries)
  else ch.settle(deliveries)
}

// ---- publishing -----------------------------------------------------------------------------

export function publishCommand(ch: Channel, command: ContentCommand<BasicPublish>): void {
  ch.host.notePublish()
  const a = command.method
  const max = ch.host.config.maxMessageBytes
  if (command.body.length > max) {
    throw preconditionFailed(`message size ${command.body.length} is larger than configured max size ${max}`)
  }
  if (a.immediate) throw notImplemented('immediate=true')
  // RabbitMQ: write on the exchange, before looking it up (a missing one is refused, not 404).
  checkAccess(ch, 'write', 'exchange', a.exchange)
  const ex = ch.vhost.exchange(a.exchange)
  if (ex.isInternal) throw accessRefused(`cannot publish to internal exchange '${a.exchange}' in vhost '${ch.vhost.name}'`)
  // RabbitMQ: topic write permission on the routing key; one boolean while nobody has topic permissions.
  if (!ch.broker.topicPermissions.isEmpty) ch.broker.checkTopicAccess(ch.host.username ?? '', ch.vhost.name, ex, a.routingKey, 'write')
  // A view over the same (immutable) bytes is shared: every rewrite makes new bytes and a new view.
  let view = ch.lastPropertiesView
  if (view?.raw !== command.properties) view = ch.lastPropertiesView = new LazyProperties(command.properties)
  checkPublishedProperties(command.properties, ch.host.username, view)
  const message = stampReplyTo(ch, new Message(a.exchange, a.routingKey, command.properties, view, command.body))
  if (ch.tx) return void ch.tx.publishes.push({ exchange: ex, message, mandatory: a.mandatory })
  routeMessage(ch, ex, message, a.mandatory)
}

/** Routes and enqueues; an unroutable mandatory message is returned; confirms follow. */
export function routeMessage(ch: Channel, ex: Exchange, message: Message, mandatory: boolean): void {
  if (ex.name === '' && DirectReplyRegistry.isReplyKey(message.routingKey)) {
    // A reply goes straight to the requesting channel, if it is still there. No queue routed it, so
    // RabbitMQ 3.10 returns a mandatory one as unroutable all the same, before delivering it.
    if (mandatory) returnUnroutable(ch, message)
    ch.broker.directReply.deliver(message.routingKey, message)
    ch.confirms?.published(false)
    return
  }
  const queues = routeWithCopies(ch, ex, message)
  message = withoutBcc(message) // RabbitMQ delivers no BCC header: its keys were for routing only
  let accepted = true
  if (queues.length > 0) accepted = ch.vhost.enqueue(queues, message)
  else if (mandatory) returnUnroutable(ch, message)
  ch.confirms?.published(message.storeId >= 0, !accepted)
}

function returnUnroutable(ch: Channel, message: Message): void {
  ch.writer.content(
    ch.id,
    { id: MethodId.BasicReturn, args: { replyCode: ReplyCode.NoRoute, replyText: 'NO_ROUTE', exchange: message.exchange, routingKey: message.routingKey } },
    message.rawProperties,
    message.body,
  )
}

/**
 * Sender-selected distribution (RabbitMQ): the CC and BCC headers name more routing keys; the
 * queues they reach are added to those of the routing key, each once.
 */
function routeWithCopies(ch: Channel, ex: Exchange, message: Message) {
  const queues = ch.vhost.route(ex, message)
  const copies = copyKeys(message)
  if (copies.length === 0) return queues
  const all = new Set(queues)
  for (const key of copies) {
    const view = Object.create(message, { routingKey: { value: key } }) as Message
    for (const q of ch.vhost.route(ex, view)) all.add(q)
  }
  return [...all]
}

function withoutBcc(message: Message): Message {
  const headers = hasHeaders(message) ? message.properties.headers : undefined
  if (!headers || !('BCC' in headers)) return message
  const raw = propertiesCodec.rewrite(message.rawProperties, (p) => {
    delete (p.headers as Record<string, unknown>).BCC
  })
  return new Message(message.exchange, message.routingKey, raw, propertiesCodec.view(raw), message.body)
}

const hasHeaders = (message: Message) => message.rawProperties.length >= 2 && (message.rawProperties[0] & 0x20) !== 0

const NO_KEYS: readonly string[] = []

function copyKeys(message: Message): readonly string[] {
  if (!hasHeaders(message)) return NO_KEYS
  const headers = message.properties.headers
  const keys: string[] = []
  for (const name of ['CC', 'BCC']) {
    const v = headers?.[name]
    if (Array.isArray(v)) for (const k of v) if (typeof k === 'string') keys.push(k)
  }
  return keys
}
