// Bindings as RabbitMQ 3.10's management API shows them (GET /api/bindings), including the
// default exchange's implicit binding of every queue, and the properties_key that names one.
import { createHash } from 'node:crypto'
import type { Vhost } from '../../broker/vhost.js'
import type { Binding } from '../../broker/exchange/exchange.js'
import { Queue } from '../../broker/queue/queue.js'
import { tableToJson } from '../field-json.js'

export interface BindingView {
  readonly vhost: string
  readonly source: string
  readonly destination: string
  readonly destinationType: 'queue' | 'exchange'
  readonly routingKey: string
  readonly arguments: Record<string, unknown>
}

/** Every binding of a vhost, the default exchange's implicit ones first (RabbitMQ lists them too). */
export function vhostBindings(vhost: Vhost): BindingView[] {
  const out: BindingView[] = []
  for (const q of vhost.queues.values()) {
    out.push({ vhost: vhost.name, source: '', destination: q.name, destinationType: 'queue', routingKey: q.name, arguments: {} })
  }
  for (const b of vhost.allBindings()) out.push(bindingView(vhost.name, b))
  return out
}

export function bindingView(vhost: string, b: Binding): BindingView {
  return {
    vhost, source: b.source.name, destination: b.destination.name,
    destinationType: b.destination instanceof Queue ? 'queue' : 'exchange',
    routingKey: b.bindingKey, arguments: b.arguments,
  }
}

export function bindingJson(b: BindingView): Record<string, unknown> {
  return {
    source: b.source,
    vhost: b.vhost,
    destination: b.destination,
    destination_type: b.destinationType,
    routing_key: b.routingKey,
    arguments: tableToJson(b.arguments),
    properties_key: propertiesKey(b.routingKey, b.arguments),
  }
}

/**
 * Names a binding in DELETE /api/bindings/.../props: the routing key with `%` and `~` escaped, or
 * with arguments the key, `~` and a digest of them. RabbitMQ digests with erlang:phash2, which we
 * cannot reproduce; our digest is stable, so keys read from this API round-trip.
 */
export function propertiesKey(routingKey: string, args: Record<string, unknown>): string {
  const quoted = routingKey.replace(/%/g, '%25').replace(/~/g, '%7E')
  if (Object.keys(args).length === 0) return quoted
  const digest = createHash('sha1').update(JSON.stringify(sortKeys(tableToJson(args)))).digest('base64url').slice(0, 11)
  return `${quoted}~${digest}`
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys)
  if (typeof v !== 'object' || v === null) return v
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]))
}
