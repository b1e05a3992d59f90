// Writes the x-death history onto a message's properties when it is dead-lettered, exactly as
// RabbitMQ 3.10 does: one entry per (queue, reason), most recent first, with count, exchange,
// routing-keys, time and original-expiration; x-first-death-* set once. Pure; no routing.
import type { DeathReason } from './message.js'

/** Plain, editable message properties (decoded by the wire layer, encoded again after the edit). */
export interface EditableProperties {
  headers?: Record<string, unknown>
  expiration?: string
  [field: string]: unknown
}

/** What the broker needs from the wire layer to view and rewrite raw property bytes. */
export interface PropertiesCodec {
  view(raw: Buffer): import('./message.js').MessageProperties
  rewrite(raw: Buffer, edit: (props: EditableProperties) => void): Buffer
}

export interface Death {
  queue: string
  reason: DeathReason
  exchange: string
  routingKeys: string[]
  nowMs: number
}

export function recordDeath(props: EditableProperties, death: Death): void {
  const headers = (props.headers ??= {})
  const history = Array.isArray(headers['x-death']) ? (headers['x-death'] as Record<string, unknown>[]) : []
  const at = history.findIndex((d) => d.queue === death.queue && d.reason === death.reason)
  let entry: Record<string, unknown>
  if (at >= 0) {
    entry = history[at]
    history.splice(at, 1)
    entry.count = BigInt(Number(entry.count ?? 0) + 1)
    entry.time = new Date(death.nowMs)
    entry = sortedByKey(entry) // RabbitMQ re-sorts an updated entry's fields (conformance: x-death)
  } else {
    entry = {
      count: BigInt(1),
      reason: death.reason,
      queue: death.queue,
      time: new Date(death.nowMs),
      exchange: death.exchange,
      'routing-keys': death.routingKeys,
    }
    // A per-message TTL is removed on dead-lettering, so the copy does not expire again (RabbitMQ).
    if (props.expiration !== undefined) entry['original-expiration'] = props.expiration
  }
  delete props.expiration
  history.unshift(entry)
  headers['x-death'] = history
  if (headers['x-first-death-reason'] === undefined) {
    headers['x-first-death-reason'] = death.reason
    headers['x-first-death-queue'] = death.queue
    headers['x-first-death-exchange'] = death.exchange
  }
  // RabbitMQ writes the headers table back sorted by key.
  props.headers = sortedByKey(headers)
}

function sortedByKey(table: Record<string, unknown>): Record<string, unknown> {
  const sorted: Record<string, unknown> = {}
  for (const key of Object.keys(table).sort()) sorted[key] = table[key]
  return sorted
}

/** RabbitMQ drops a message that would cycle back to a queue it died in, unless it was rejected on the way. */
export function wouldCycle(headers: Record<string, unknown> | undefined, queue: string): boolean {
  const history = headers?.['x-death']
  if (!Array.isArray(history)) return false
  const died = history.some((d) => (d as Record<string, unknown>).queue === queue)
  const rejected = history.some((d) => (d as Record<string, unknown>).reason === 'rejected')
  return died && !rejected
}

/** The routing keys a message was published with: its routing key plus CC and BCC headers. */
export function originalRoutingKeys(routingKey: string, headers: Record<string, unknown> | undefined): string[] {
  const keys = [routingKey]
  for (const h of ['CC', 'BCC']) {
    const v = headers?.[h]
    if (Array.isArray(v)) for (const k of v) if (typeof k === 'string') keys.push(k)
  }
  return keys
}
