// Publishing and getting messages through the API (POST .../publish, POST .../get): JSON
// properties ⇄ AMQP basic properties, payload encodings, and the four ack modes of a get.
import type { Vhost } from '../broker/vhost.js'
import type { Exchange } from '../broker/exchange/exchange.js'
import type { Queue } from '../broker/queue/queue.js'
import { Message, type QueuedMessage } from '../broker/message.js'
import { decodeProperties, encodeProperties, type BasicProperties } from '../wire/codec.js'
import { propertiesCodec } from '../wire/basic-properties.js'
import { badRequest } from './http.js'
import { tableToJson } from './field-json.js'

/** RabbitMQ's JSON names for the basic properties, and ours. */
const PROPERTY_NAMES: readonly [string, keyof BasicProperties][] = [
  ['content_type', 'contentType'], ['content_encoding', 'contentEncoding'], ['headers', 'headers'],
  ['delivery_mode', 'deliveryMode'], ['priority', 'priority'], ['correlation_id', 'correlationId'],
  ['reply_to', 'replyTo'], ['expiration', 'expiration'], ['message_id', 'messageId'], ['timestamp', 'timestamp'],
  ['type', 'type'], ['user_id', 'userId'], ['app_id', 'appId'], ['cluster_id', 'clusterId'],
]
const NUMERIC = new Set<keyof BasicProperties>(['deliveryMode', 'priority', 'timestamp'])

export function propertiesFromJson(json: Record<string, unknown>): BasicProperties {
  const props: Record<string, unknown> = {}
  const byJsonName = new Map(PROPERTY_NAMES)
  for (const [key, value] of Object.entries(json)) {
    const name = byJsonName.get(key)
    if (!name) throw badRequest(`invalid property: ${key}`)
    if (value === null || value === undefined) continue
    if (name === 'headers') {
      if (typeof value !== 'object' || Array.isArray(value)) throw badRequest('headers must be an object')
      props.headers = value
    } else if (NUMERIC.has(name)) {
      const n = typeof value === 'string' ? Number(value) : value
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw badRequest(`${key} must be a non-negative integer`)
      props[name] = n
    } else {
      // RabbitMQ accepts numbers for string properties such as expiration and keeps their text.
      if (typeof value !== 'string' && typeof value !== 'number') throw badRequest(`${key} must be a string`)
      props[name] = String(value)
    }
  }
  return props as BasicProperties
}

export function propertiesToJson(raw: Buffer): Record<string, unknown> {
  const props = decodeProperties(raw) as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const [jsonName, name] of PROPERTY_NAMES) {
    const v = props[name]
    if (v === undefined) continue
    out[jsonName] = name === 'headers' ? tableToJson(v as Record<string, unknown>) : v
  }
  return out
}

export interface PublishRequest {
  readonly routingKey: string
  readonly properties: BasicProperties
  readonly payload: Buffer
}

/** Routes and enqueues a message as basic.publish would; true when some queue took it. */
export function publish(vhost: Vhost, exchange: Exchange, req: PublishRequest): boolean {
  // A routing key or property an AMQP frame cannot carry would fail later, on delivery to a consumer.
  if (Buffer.byteLength(req.routingKey) > 255) throw badRequest('routing_key is longer than 255 bytes')
  let raw: Buffer
  try {
    raw = encodeProperties(req.properties)
  } catch (err) {
    if (err instanceof RangeError) throw badRequest(`properties: ${err.message}`)
    throw err
  }
  const message = new Message(exchange.name, req.routingKey, raw, propertiesCodec.view(raw), req.payload)
  const queues = vhost.route(exchange, message)
  if (queues.length === 0) return false
  return vhost.enqueue(queues, message)
}

export function decodePayload(payload: string, encoding: string): Buffer {
  if (encoding === 'string') return Buffer.from(payload, 'utf8')
  if (encoding === 'base64') return Buffer.from(payload, 'base64')
  throw badRequest(`payload_encoding must be string or base64, not ${encoding}`)
}

export type AckMode = 'ack_requeue_true' | 'ack_requeue_false' | 'reject_requeue_true' | 'reject_requeue_false'
export const ACK_MODES: readonly AckMode[] = ['ack_requeue_true', 'ack_requeue_false', 'reject_requeue_true', 'reject_requeue_false']

export interface GetRequest {
  readonly count: number
  readonly ackMode: AckMode
  readonly encoding: 'auto' | 'base64'
  readonly truncateBytes: number | undefined
}

/**
 * Takes up to `count` messages; the *_requeue_true modes put them all back afterwards, marked
 * redelivered (RabbitMQ gets them unacked and rejects them with requeue, so each is seen once).
 */
export function getMessages(q: Queue, req: GetRequest): Record<string, unknown>[] {
  const taken: QueuedMessage[] = []
  const out: Record<string, unknown>[] = []
  for (let i = 0; i < req.count; i++) {
    const entry = q.get(false)
    if (!entry) break
    taken.push(entry)
    out.push(messageJson(entry, q.messageCount, req))
  }
  if (req.ackMode === 'ack_requeue_true' || req.ackMode === 'reject_requeue_true') q.requeue(taken)
  else if (req.ackMode === 'ack_requeue_false') for (const e of taken) q.settle(e)
  else for (const e of taken) q.reject(e)
  return out
}

function messageJson(entry: QueuedMessage, remaining: number, req: GetRequest): Record<string, unknown> {
  const m = entry.message
  const body = req.truncateBytes === undefined ? m.body : m.body.subarray(0, req.truncateBytes)
  const isText = req.encoding === 'auto' && isUtf8(body)
  return {
    payload_bytes: m.body.length,
    redelivered: entry.redelivered,
    exchange: m.exchange,
    routing_key: m.routingKey,
    message_count: remaining,
    properties: propertiesToJson(m.rawProperties),
    payload: isText ? body.toString('utf8') : body.toString('base64'),
    payload_encoding: isText ? 'string' : 'base64',
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true })
function isUtf8(body: Buffer): boolean {
  try {
    utf8.decode(body)
    return true
  } catch {
    return false // not text: the API shows it as base64
  }
}
