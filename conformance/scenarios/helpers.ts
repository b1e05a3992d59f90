// Small conversations many scenarios share (declare, publish, get, consume). Each is a send plus
// the wait for its reply; none hides a frame from the transcript.
import type { RawClient, Args } from '../raw-client.js'
import type { BasicProperties } from '../../src/wire/codec.js'
import type { FieldTable } from '../../src/wire/field-table.js'
import type { MethodEntry } from '../transcript.js'

export const declareQueue = (c: RawClient, ch: number, queue: string, o: Args & { arguments?: FieldTable } = {}) =>
  c.call(ch, 'queue.declare', { queue, ...o })

export const declareExchange = (c: RawClient, ch: number, exchange: string, type = 'direct', o: Args = {}) =>
  c.call(ch, 'exchange.declare', { exchange, type, ...o })

export const bindQueue = (c: RawClient, ch: number, queue: string, exchange: string, routingKey = '', args: FieldTable = {}) =>
  c.call(ch, 'queue.bind', { queue, exchange, routingKey, arguments: args })

/** Publishes to the default exchange (routing key = queue name) unless an exchange is given. */
export const publish = (c: RawClient, ch: number, routingKey: string, body: string | Buffer = '', props: BasicProperties = {}, exchange = '', more: Args = {}) =>
  c.publish(ch, { exchange, routingKey, ...more }, body, props)

export const get = (c: RawClient, ch: number, queue: string, noAck = false): Promise<MethodEntry> =>
  c.call(ch, 'basic.get', { queue, noAck }, ['basic.get-ok', 'basic.get-empty'])

export const consume = (c: RawClient, ch: number, queue: string, consumerTag = '', o: Args = {}): Promise<MethodEntry> =>
  c.call(ch, 'basic.consume', { queue, consumerTag, ...o })

/** Publishes bodies one by one to a queue through the default exchange. */
export function publishAll(c: RawClient, ch: number, queue: string, bodies: string[]): void {
  for (const b of bodies) publish(c, ch, queue, b)
}

/** basic.get until the queue is empty, at most `max` times (bounded), acking nothing. */
export async function drain(c: RawClient, ch: number, queue: string, max = 10, noAck = true): Promise<void> {
  for (let i = 0; i < max; i++) if ((await get(c, ch, queue, noAck)).method === 'basic.get-empty') return
}

export const CLOSE_OK = { replyCode: 200, replyText: 'bye', classId: 0, methodId: 0 }

/**
 * Puts `ch` in confirm mode and publishes bodies to a queue, waiting for their confirms: RabbitMQ
 * counts a message in declare-ok / purge-ok / delete-ok only once its queue has it, which an
 * unconfirmed publish does not guarantee (the counts were racy in recordings without this).
 */
export async function fill(c: RawClient, ch: number, queue: string, bodies: string[], props: BasicProperties = {}): Promise<void> {
  await c.call(ch, 'confirm.select')
  for (const b of bodies) publish(c, ch, queue, b, props)
  await c.confirmAll(ch)
}
