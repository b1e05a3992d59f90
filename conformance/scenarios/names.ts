// Names that are not UTF-8. RabbitMQ 3.10 closes the connection with 501 "Malformed UTF-8 in
// shortstr" when a method's shortstr is not UTF-8, except basic.publish: its exchange and routing
// key are taken as bytes and come back in basic.return and basic.get-ok. A table's field names are
// not checked either.
import { scenario, type Scenario } from '../scenario.js'
import { FrameType } from '../../src/wire/codec.js'
import { frameBytes, headerPayload, methodPayload, type Args, type RawClient } from '../raw-client.js'
import { bindQueue, declareQueue, get } from './helpers.js'

const PLACEHOLDER = 'BAD'
const NOT_UTF8 = Buffer.from([0xff, 0xfe, 0x41])

/** The method's payload with PLACEHOLDER's bytes swapped for bytes of the same length. */
function payloadWith(name: string, args: Args, bytes: Buffer = NOT_UTF8, placeholder = PLACEHOLDER): Buffer {
  const payload = methodPayload(name, args)
  bytes.copy(payload, payload.indexOf(placeholder))
  return payload
}

function sendWith(c: RawClient, ch: number, name: string, args: Args): void {
  c.sent.add(name)
  c.writeRaw(frameBytes(FrameType.Method, ch, payloadWith(name, args)))
}

/** basic.publish with a routing key of `keyBytes`, then a one-byte body. */
function publishWithKey(c: RawClient, ch: number, exchange: string, keyBytes: Buffer, mandatory = false): void {
  const placeholder = 'K'.repeat(keyBytes.length)
  c.sent.add('basic.publish')
  c.writeRaw(Buffer.concat([
    frameBytes(FrameType.Method, ch, payloadWith('basic.publish', { exchange, routingKey: placeholder, mandatory }, keyBytes, placeholder)),
    frameBytes(FrameType.Header, ch, headerPayload(1)),
    frameBytes(FrameType.Body, ch, Buffer.from('a')),
  ]))
}

const closedWith501 = (name: string, method: string, args: (t: { q: () => string; x: () => string }) => Args) =>
  scenario('names', name, `${method} with a shortstr that is not UTF-8 closes the connection with 501`, async (t) => {
    const c = await t.open()
    sendWith(c, 1, method, args(t))
    await c.outcome(1)
  })

export const nameScenarios: Scenario[] = [
  closedWith501('names-not-utf8-queue-declare', 'queue.declare', () => ({ queue: `cf.${PLACEHOLDER}` })),
  closedWith501('names-not-utf8-exchange-declare', 'exchange.declare', () => ({ exchange: `cfx.${PLACEHOLDER}`, type: 'direct' })),
  closedWith501('names-not-utf8-consumer-tag', 'basic.consume', () => ({ queue: 'amq.rabbitmq.reply-to', consumerTag: PLACEHOLDER, noAck: true })),
  scenario('names', 'names-not-utf8-binding-key', 'queue.bind with a binding key that is not UTF-8 closes the connection with 501', async (t) => {
    const c = await t.open()
    await declareQueue(c, 1, t.q())
    sendWith(c, 1, 'queue.bind', { queue: t.q(), exchange: 'amq.direct', routingKey: PLACEHOLDER })
    await c.outcome(1)
  }),
  scenario('names', 'names-not-utf8-table-field-name', 'a table field name that is not UTF-8 is accepted', async (t) => {
    const c = await t.open()
    const payload = methodPayload('queue.declare', { queue: t.q(), arguments: { [`x-${PLACEHOLDER}`]: 1 } })
    NOT_UTF8.copy(payload, payload.indexOf(`x-${PLACEHOLDER}`) + 2)
    c.sent.add('queue.declare')
    c.writeRaw(frameBytes(FrameType.Method, 1, payload))
    await c.outcome(1, 'queue.declare-ok')
  }),
  scenario('names', 'names-not-utf8-publish-returned', 'a 200-byte routing key that is not UTF-8 comes back in basic.return', async (t) => {
    const c = await t.open()
    publishWithKey(c, 1, '', Buffer.alloc(200, 0xff), true)
    await c.call(1, 'basic.qos', { prefetchCount: 1 })
  }),
  scenario('names', 'names-not-utf8-publish-delivered', 'a routing key that is not UTF-8 is routed by a topic # binding and delivered as sent', async (t) => {
    const c = await t.open()
    await declareQueue(c, 1, t.q())
    await bindQueue(c, 1, t.q(), 'amq.topic', '#')
    publishWithKey(c, 1, 'amq.topic', Buffer.concat([Buffer.from('a.'), Buffer.alloc(100, 0xc3)]))
    await c.call(1, 'basic.qos', { prefetchCount: 1 })
    await get(c, 1, t.q(), true)
  }),
  scenario('names', 'names-not-utf8-publish-unknown-exchange', 'publish to an exchange name that is not UTF-8 is a 404 naming it', async (t) => {
    const c = await t.open()
    c.sent.add('basic.publish')
    c.writeRaw(Buffer.concat([
      frameBytes(FrameType.Method, 1, payloadWith('basic.publish', { exchange: `cfx.${PLACEHOLDER}`, routingKey: 'k' })),
      frameBytes(FrameType.Header, 1, headerPayload(1)),
      frameBytes(FrameType.Body, 1, Buffer.from('a')),
    ]))
    await c.outcome(1)
  }),
]
