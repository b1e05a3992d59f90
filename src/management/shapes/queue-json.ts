// A queue as RabbitMQ 3.10's management API shows it (GET /api/queues): flags, arguments, depth
// with rates, consumers, and message_stats when the broker counts publishes and deliveries.
import type { Queue } from '../../broker/queue/queue.js'
import { decodeProperties } from '../../wire/codec.js'
import type { MessageStats } from '../message-stats.js'
import { withRate } from '../message-stats.js'
import { tableToJson } from '../field-json.js'

export function queueJson(q: Queue, stats: MessageStats, node: string): Record<string, unknown> {
  const sample = stats.of(q)
  const ready = q.messageCount, unacked = q.unackedCount
  const json: Record<string, unknown> = {
    name: q.name,
    vhost: q.vhost,
    durable: q.isDurable,
    auto_delete: q.isAutoDelete,
    exclusive: q.isExclusive,
    arguments: tableToJson(q.options.arguments),
    node,
    state: 'running',
    type: q.policy.queueType,
    policy: null,
    operator_policy: null,
    effective_policy_definition: {},
    exclusive_consumer_tag: null,
    single_active_consumer_tag: null,
    consumers: q.consumerCount,
    consumer_capacity: q.consumerCount > 0 ? 1 : 0,
    consumer_utilisation: q.consumerCount > 0 ? 1 : 0, // RabbitMQ: 0, not null, without consumers
    memory: q.memoryBytes,
    message_bytes_ready: q.memoryBytes,
    head_message_timestamp: headTimestamp(q),
    ...withRate('messages', ready + unacked, sample.depthRates.messages),
    ...withRate('messages_ready', ready, sample.depthRates.ready),
    ...withRate('messages_unacknowledged', unacked, sample.depthRates.unacked),
  }
  if (sample.counts) json.message_stats = countsJson(sample.counts, sample.countRates)
  return json
}

/** One queue (GET /api/queues/:vhost/:name): RabbitMQ adds its consumers and per-channel stats (empty in basic rates mode, as ours). */
export function queueDetailJson(q: Queue, stats: MessageStats, node: string, consumers: Record<string, unknown>[]): Record<string, unknown> {
  return { ...queueJson(q, stats, node), consumer_details: consumers, deliveries: [], incoming: [] }
}

/** The timestamp property's bit in the property flags (properties := flags(u16) fields..., see wire/basic-properties.ts). */
const FLAG_TIMESTAMP = 1 << 6

/** The timestamp property of the oldest ready message, or null (RabbitMQ's null when it has none). */
function headTimestamp(q: Queue): number | null {
  const head = q.messageCount === 0 ? undefined : q.readyMessages().next().value
  const raw = head?.message.rawProperties
  if (!raw || raw.length < 2 || (raw.readUInt16BE(0) & FLAG_TIMESTAMP) === 0) return null // decode only a head that has one
  return decodeProperties(raw).timestamp ?? null
}

/** RabbitMQ's message_stats object: publish, deliver_get (deliver + get), ack, each with a rate. */
export function countsJson(counts: { publish: number; deliver: number; ack: number }, rates: { publish: number; deliver: number; ack: number }): Record<string, unknown> {
  return {
    ...withRate('publish', counts.publish, rates.publish),
    ...withRate('deliver_get', counts.deliver, rates.deliver),
    ...withRate('ack', counts.ack, rates.ack),
  }
}
