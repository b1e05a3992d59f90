// An exchange as RabbitMQ 3.10's management API shows it (GET /api/exchanges); the default
// exchange keeps its empty name here and is addressed as `amq.default` in paths.
import type { Exchange } from '../../broker/exchange/exchange.js'
import { tableToJson } from '../field-json.js'

export function exchangeJson(ex: Exchange): Record<string, unknown> {
  return {
    name: ex.name,
    vhost: ex.vhost,
    type: ex.type,
    durable: ex.isDurable,
    auto_delete: ex.isAutoDelete,
    internal: ex.isInternal,
    arguments: tableToJson(ex.options.arguments),
    user_who_performed_action: 'rmq-internal',
  }
}

/** One exchange (GET /api/exchanges/:vhost/:name): RabbitMQ adds per-channel publish stats, empty in its basic rates mode as in ours. */
export function exchangeDetailJson(ex: Exchange): Record<string, unknown> {
  return { ...exchangeJson(ex), incoming: [], outgoing: [] }
}
