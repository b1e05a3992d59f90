// The channel side of direct reply-to: consuming from amq.rabbitmq.reply-to (no-ack only),
// stamping reply_to on requests, and delivering replies straight to the requesting channel.
import { MethodId } from '../../wire/codec.js'
import { propertiesCodec } from '../../wire/basic-properties.js'
import { notFound, preconditionFailed } from '../../errors.js'
import { Message } from '../../broker/message.js'
import { REPLY_TO_QUEUE } from '../../broker/direct-reply.js'
import type { Channel, DirectReplyConsumer } from '../channel.js'

const FLAG_REPLY_TO = 1 << 9

export function isReplyToQueue(name: string): boolean {
  return name === REPLY_TO_QUEUE
}

/** basic.consume on amq.rabbitmq.reply-to: one no-ack consumer per channel (RabbitMQ's rules). */
export function consumeReplies(ch: Channel, consumerTag: string, noAck: boolean, nowait: boolean): void {
  if (!noAck) throw preconditionFailed('reply consumer cannot acknowledge')
  if (ch.replyConsumer) throw preconditionFailed('reply consumer already set')
  const target: DirectReplyConsumer = {
    consumerTag,
    key: '',
    deliverReply: (message) => {
      if (ch.state !== 'open') return
      ch.writer.content(
        ch.id,
        { id: MethodId.BasicDeliver, args: { consumerTag, deliveryTag: ch.nextTag(), redelivered: false, exchange: message.exchange, routingKey: message.routingKey } },
        message.rawProperties,
        message.body,
      )
    },
  }
  ch.replyConsumer = { ...target, key: ch.broker.directReply.register(target) }
  if (!nowait) ch.send({ id: MethodId.BasicConsumeOk, args: { consumerTag } })
}

export function cancelReplies(ch: Channel): void {
  if (!ch.replyConsumer) return
  ch.broker.directReply.unregister(ch.replyConsumer.key)
  ch.replyConsumer = undefined
}

/** A request naming amq.rabbitmq.reply-to gets the channel's own reply key in its reply_to. */
export function stampReplyTo(ch: Channel, message: Message): Message {
  const raw = message.rawProperties
  if (raw.length < 2 || (((raw[0] << 8) | raw[1]) & FLAG_REPLY_TO) === 0) return message
  const view = propertiesCodec.view(raw)
  if (view.all.replyTo !== REPLY_TO_QUEUE) return message
  if (!ch.replyConsumer) throw preconditionFailed('fast reply consumer does not exist')
  const key = ch.replyConsumer.key
  const rewritten = propertiesCodec.rewrite(raw, (p) => { p.replyTo = key })
  return new Message(message.exchange, message.routingKey, rewritten, propertiesCodec.view(rewritten), message.body)
}

/** queue.declare passive on the pseudo-queue answers as RabbitMQ 3.10 does: empty, one consumer. */
export function declareReplyQueue(ch: Channel, passive: boolean): void {
  if (!passive) throw notFound(`no queue '${REPLY_TO_QUEUE}' in vhost '${ch.vhost.name}'`)
  ch.send({ id: MethodId.QueueDeclareOk, args: { queue: REPLY_TO_QUEUE, messageCount: 0, consumerCount: 1 } })
}
