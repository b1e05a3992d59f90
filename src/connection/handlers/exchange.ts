// exchange.declare / delete / bind / unbind: translate arguments to vhost calls and answer.
import { MethodId, type Method } from '../../wire/codec.js'
import { AmqpError, ReplyCode } from '../../errors.js'
import type { Channel } from '../channel.js'
import { EXCHANGE_TYPES } from '../../broker/vhost.js'
import { checkAccess, checkBindAccess } from './access.js'

export function dispatchExchange(ch: Channel, m: Method): void {
  const vhost = ch.vhost
  switch (m.id) {
    case MethodId.ExchangeDeclare: {
      const a = m.args
      // RabbitMQ: configure on non-passive declares only, after the type and default-exchange
      // checks (the vhost makes those) and before the amq. prefix check.
      if (!a.passive && a.exchange !== '' && isKnownType(a.type)) checkDeclareAccess(ch, a.exchange, a.arguments)
      vhost.declareExchange({
        name: a.exchange, type: a.type, passive: a.passive, durable: a.durable,
        autoDelete: a.autoDelete, internal: a.internal, arguments: a.arguments,
      })
      if (!a.nowait) ch.send({ id: MethodId.ExchangeDeclareOk, args: {} })
      return
    }
    case MethodId.ExchangeDelete:
      if (m.args.exchange !== '') checkAccess(ch, 'configure', 'exchange', m.args.exchange)
      vhost.deleteExchange(m.args.exchange, m.args.ifUnused)
      if (!m.args.nowait) ch.send({ id: MethodId.ExchangeDeleteOk, args: {} })
      return
    case MethodId.ExchangeBind:
      checkBindAccess(ch, 'exchange', m.args.destination, m.args.source, m.args.routingKey)
      vhost.bindExchange(m.args.destination, m.args.source, m.args.routingKey, m.args.arguments)
      if (!m.args.nowait) ch.send({ id: MethodId.ExchangeBindOk, args: {} })
      return
    case MethodId.ExchangeUnbind:
      checkBindAccess(ch, 'exchange', m.args.destination, m.args.source, m.args.routingKey)
      vhost.unbindExchange(m.args.destination, m.args.source, m.args.routingKey, m.args.arguments)
      if (!m.args.nowait) ch.send({ id: MethodId.ExchangeUnbindOk, args: {} })
      return
  }
  throw new AmqpError(ReplyCode.CommandInvalid, 'unexpected exchange method from client')
}

const isKnownType = (type: string): boolean => (EXCHANGE_TYPES as readonly string[]).includes(type)

/**
 * RabbitMQ: configure on the exchange; and for a new exchange with an alternate exchange, read
 * on the exchange and write on the alternate (where its unroutable messages will go).
 */
function checkDeclareAccess(ch: Channel, name: string, args: Record<string, unknown>): void {
  checkAccess(ch, 'configure', 'exchange', name)
  const alternate = args['alternate-exchange']
  if (typeof alternate !== 'string' || ch.vhost.exchanges.has(name)) return
  checkAccess(ch, 'read', 'exchange', name)
  checkAccess(ch, 'write', 'exchange', alternate)
}
