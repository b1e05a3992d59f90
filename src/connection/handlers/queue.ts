// queue.declare / bind / unbind / purge / delete: translate arguments to vhost calls and answer.
// An empty queue name means the channel's most recently declared queue (AMQP 0-9-1).
import { MethodId, type Method } from '../../wire/codec.js'
import { AmqpError, notFound, notImplemented, ReplyCode } from '../../errors.js'
import type { Channel } from '../channel.js'
import { declareReplyQueue, isReplyToQueue } from './direct-reply.js'
import { checkAccess, checkBindAccess } from './access.js'

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
      if (!a.passive && name !== '') checkDeclareAccess(ch, name, a.arguments)
      const q = vhost.declareQueue(
        { name, passive: a.passive, durable: a.durable, exclusive: a.exclusive, autoDelete: a.autoDelete, arguments: a.arguments },
        owner,
      )
      if (!a.passive && name === '') checkServerNamedAccess(ch, q.name)
      ch.lastQueueName = q.name
      if (!a.nowait) {
        ch.send({ id: MethodId.QueueDeclareOk, args: { queue: q.name, messageCount: q.messageCount, consumerCount: q.consumerCount } })
      }
      return
    }
    case MethodId.QueueBind:
      checkBindAccess(ch, 'queue', queueNameOf(ch, m.args.queue), m.args.exchange, m.args.routingKey)
      vhost.bindQueue(queueNameOf(ch, m.args.queue), m.args.exchange, m.args.routingKey, m.args.arguments, owner)
      if (!m.args.nowait) ch.send({ id: MethodId.QueueBindOk, args: {} })
      return
    case MethodId.QueueUnbind:
      checkBindAccess(ch, 'queue', queueNameOf(ch, m.args.queue), m.args.exchange, m.args.routingKey)
      vhost.unbindQueue(queueNameOf(ch, m.args.queue), m.args.exchange, m.args.routingKey, m.args.arguments, owner)
      ch.send({ id: MethodId.QueueUnbindOk, args: {} })
      return
    case MethodId.QueuePurge: {
      checkAccess(ch, 'read', 'queue', queueNameOf(ch, m.args.queue))
      const q = vhost.queue(queueNameOf(ch, m.args.queue), owner)
      if (q.policy.queueType === 'stream') throw notImplemented(`queue.purge not supported by stream queues queue '${q.name}' in vhost '${vhost.name}'`)
      const count = q.purge()
      if (!m.args.nowait) ch.send({ id: MethodId.QueuePurgeOk, args: { messageCount: count } })
      return
    }
    case MethodId.QueueDelete: {
      checkAccess(ch, 'configure', 'queue', queueNameOf(ch, m.args.queue))
      const count = vhost.deleteQueue(queueNameOf(ch, m.args.queue), m.args.ifUnused, m.args.ifEmpty, owner)
      if (!m.args.nowait) ch.send({ id: MethodId.QueueDeleteOk, args: { messageCount: count } })
      return
    }
  }
  throw new AmqpError(ReplyCode.CommandInvalid, 'unexpected queue method from client')
}

/**
 * RabbitMQ: configure on the queue; and for a new queue with a dead-letter exchange, read on the
 * queue and write on that exchange (publishing dead letters later is not checked).
 */
function checkDeclareAccess(ch: Channel, name: string, args: Record<string, unknown>): void {
  checkAccess(ch, 'configure', 'queue', name)
  const dlx = args['x-dead-letter-exchange']
  if (typeof dlx !== 'string' || ch.vhost.queues.has(name)) return
  checkAccess(ch, 'read', 'queue', name)
  checkAccess(ch, 'write', 'exchange', dlx)
}

/**
 * RabbitMQ checks configure on the generated amq.gen- name. The vhost picks that name as it
 * creates the queue, so a refused one is deleted again within the same turn, unseen by anyone.
 */
function checkServerNamedAccess(ch: Channel, name: string): void {
  try {
    checkAccess(ch, 'configure', 'queue', name)
  } catch (err) {
    ch.vhost.deleteQueue(name, false, false, ch.host.owner)
    ch.lastQueueName = ''
    throw err
  }
}
