// queue.declare / bind / unbind / purge / delete: translate arguments to vhost calls and answer.
// An empty queue name means the channel's most recently declared queue (AMQP 0-9-1).
import { MethodId, type Method } from '../../wire/codec.js'
import { AmqpError, notFound, notImplemented, ReplyCode } from '../../errors.js'
import type { Channel } from '../channel.js'
import { declareReplyQueue, isReplyToQueue } from './direct-reply.js'

/** Resolves '' to the channel's last declared queue, as RabbitMQ does. */
export function queueNameOf(ch: Channel, name: string): string {
  if (name !== '') return name
  if (ch.lastQueueName === '') throw notFound('no previously declared queue')
  return ch.lastQueueName
}

export function dispatchQueue(ch: Channel, m: Method): void {
  const vhost = ch.vhost, owner = ch.host.owner
  switch (m.id) {
    case MethodId.QueueDeclare: {
      const a = m.args
      if (isReplyToQueue(a.queue)) return declareReplyQueue(ch, a.passive)
      // '' names a new server-named queue, or (passive) the channel's last one, '' if none (RabbitMQ).
      const name = a.queue === '' && a.passive ? ch.lastQueueName : a.queue
      const q = vhost.declareQueue(
        { name, passive: a.passive, durable: a.durable, exclusive: a.exclusive, autoDelete: a.autoDelete, arguments: a.arguments },
        owner,
      )
      ch.lastQueueName = q.name
      if (!a.nowait) {
        ch.send({ id: MethodId.QueueDeclareOk, args: { queue: q.name, messageCount: q.messageCount, consumerCount: q.consumerCount } })
      }
      return
    }
    case MethodId.QueueBind:
      vhost.bindQueue(queueNameOf(ch, m.args.queue), m.args.exchange, m.args.routingKey, m.args.arguments, owner)
      if (!m.args.nowait) ch.send({ id: MethodId.QueueBindOk, args: {} })
      return
    case MethodId.QueueUnbind:
      vhost.unbindQueue(queueNameOf(ch, m.args.queue), m.args.exchange, m.args.routingKey, m.args.arguments, owner)
      ch.send({ id: MethodId.QueueUnbindOk, args: {} })
      return
    case MethodId.QueuePurge: {
      const q = vhost.queue(queueNameOf(ch, m.args.queue), owner)
      if (q.policy.queueType === 'stream') throw notImplemented(`queue.purge not supported by stream queues queue '${q.name}' in vhost '${vhost.name}'`)
      const count = q.purge()
      if (!m.args.nowait) ch.send({ id: MethodId.QueuePurgeOk, args: { messageCount: count } })
      return
    }
    case MethodId.QueueDelete: {
      const count = vhost.deleteQueue(queueNameOf(ch, m.args.queue), m.args.ifUnused, m.args.ifEmpty, owner)
      if (!m.args.nowait) ch.send({ id: MethodId.QueueDeleteOk, args: { messageCount: count } })
      return
    }
  }
  throw new AmqpError(ReplyCode.CommandInvalid, 'unexpected queue method from client')
}
