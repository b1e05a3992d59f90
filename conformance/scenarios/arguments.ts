// x- argument validation on queue.declare (types and ranges, RabbitMQ's 406 texts) and the
// behaviour the valid ones switch on: TTL, max-length with each overflow mode, priorities,
// dead-lettering with x-death, per-message expiration.
import { scenario, type Scenario } from '../scenario.js'
import { Typed, type FieldTable } from '../../src/wire/field-table.js'
import { consume, declareQueue, fill, get, publish, publishAll } from './helpers.js'

/** Declares a queue with one argument and records whether RabbitMQ accepts it. */
const arg = (name: string, args: FieldTable, about: string): Scenario =>
  scenario('arguments', name, about, async (t) => {
    const c = await t.open()
    c.send(1, 'queue.declare', { queue: t.q(), exclusive: true, arguments: args })
    await c.outcome(1, 'queue.declare-ok')
  })

export const argumentScenarios: Scenario[] = [
  arg('arg-message-ttl-valid', { 'x-message-ttl': 60000 }, 'x-message-ttl as a signed int'),
  arg('arg-message-ttl-short', { 'x-message-ttl': new Typed('s', 100) }, 'x-message-ttl as a short'),
  arg('arg-message-ttl-byte', { 'x-message-ttl': new Typed('b', 5) }, 'x-message-ttl as a byte'),
  arg('arg-message-ttl-long', { 'x-message-ttl': new Typed('l', 1000n) }, 'x-message-ttl as a long'),
  arg('arg-message-ttl-zero', { 'x-message-ttl': 0 }, 'x-message-ttl 0 is allowed'),
  arg('arg-message-ttl-negative', { 'x-message-ttl': -1 }, 'x-message-ttl negative: 406'),
  arg('arg-message-ttl-string', { 'x-message-ttl': '1000' }, 'x-message-ttl as a string: 406'),
  arg('arg-message-ttl-float', { 'x-message-ttl': new Typed('d', 1.5) }, 'x-message-ttl as a double: 406'),
  arg('arg-message-ttl-too-large', { 'x-message-ttl': new Typed('l', 2n ** 40n) }, 'x-message-ttl above the maximum'),
  arg('arg-message-ttl-bool', { 'x-message-ttl': true }, 'x-message-ttl as a boolean'),
  arg('arg-expires-valid', { 'x-expires': 60000 }, 'x-expires positive'),
  arg('arg-expires-zero', { 'x-expires': 0 }, 'x-expires 0: 406'),
  arg('arg-expires-negative', { 'x-expires': -5 }, 'x-expires negative: 406'),
  arg('arg-expires-string', { 'x-expires': 'soon' }, 'x-expires as a string: 406'),
  arg('arg-max-length-valid', { 'x-max-length': 10 }, 'x-max-length positive'),
  arg('arg-max-length-zero', { 'x-max-length': 0 }, 'x-max-length 0 is allowed'),
  arg('arg-max-length-negative', { 'x-max-length': -1 }, 'x-max-length negative: 406'),
  arg('arg-max-length-string', { 'x-max-length': '10' }, 'x-max-length as a string: 406'),
  arg('arg-max-length-bytes-valid', { 'x-max-length-bytes': 1024 }, 'x-max-length-bytes positive'),
  arg('arg-max-length-bytes-negative', { 'x-max-length-bytes': -1 }, 'x-max-length-bytes negative: 406'),
  arg('arg-max-length-bytes-float', { 'x-max-length-bytes': new Typed('f', 1.5) }, 'x-max-length-bytes as a float: 406'),
  arg('arg-overflow-drop-head', { 'x-overflow': 'drop-head' }, 'x-overflow drop-head'),
  arg('arg-overflow-reject-publish', { 'x-overflow': 'reject-publish' }, 'x-overflow reject-publish'),
  arg('arg-overflow-reject-publish-dlx', { 'x-overflow': 'reject-publish-dlx' }, 'x-overflow reject-publish-dlx'),
  arg('arg-overflow-invalid', { 'x-overflow': 'drop-tail' }, 'x-overflow with an unknown value: 406'),
  arg('arg-overflow-wrong-type', { 'x-overflow': 1 }, 'x-overflow as a number: 406'),
  arg('arg-dlx-valid', { 'x-dead-letter-exchange': 'cfx.some-dlx' }, 'x-dead-letter-exchange string (need not exist)'),
  arg('arg-dlx-wrong-type', { 'x-dead-letter-exchange': 5 }, 'x-dead-letter-exchange as a number: 406'),
  arg('arg-dlx-routing-key-valid', { 'x-dead-letter-exchange': 'cfx.dlx', 'x-dead-letter-routing-key': 'rk' }, 'x-dead-letter-routing-key with a DLX'),
  arg('arg-dlx-routing-key-without-dlx', { 'x-dead-letter-routing-key': 'rk' }, 'x-dead-letter-routing-key without x-dead-letter-exchange: 406'),
  arg('arg-dlx-routing-key-wrong-type', { 'x-dead-letter-exchange': 'cfx.dlx', 'x-dead-letter-routing-key': 7 }, 'x-dead-letter-routing-key as a number: 406'),
  arg('arg-max-priority-valid', { 'x-max-priority': 10 }, 'x-max-priority 10'),
  arg('arg-max-priority-zero', { 'x-max-priority': 0 }, 'x-max-priority 0'),
  arg('arg-max-priority-255', { 'x-max-priority': 255 }, 'x-max-priority 255'),
  arg('arg-max-priority-256', { 'x-max-priority': 256 }, 'x-max-priority 256: 406'),
  arg('arg-max-priority-negative', { 'x-max-priority': -1 }, 'x-max-priority negative: 406'),
  arg('arg-max-priority-string', { 'x-max-priority': '5' }, 'x-max-priority as a string: 406'),
  arg('arg-queue-type-classic', { 'x-queue-type': 'classic' }, 'x-queue-type classic'),
  arg('arg-queue-type-invalid', { 'x-queue-type': 'fancy' }, 'x-queue-type unknown: 406'),
  arg('arg-queue-type-wrong-type', { 'x-queue-type': 1 }, 'x-queue-type as a number'),
  arg('arg-queue-type-quorum-exclusive', { 'x-queue-type': 'quorum' }, 'a quorum queue cannot be exclusive (or non-durable)'),
  arg('arg-single-active-consumer-valid', { 'x-single-active-consumer': true }, 'x-single-active-consumer true'),
  arg('arg-single-active-consumer-wrong-type', { 'x-single-active-consumer': 'yes' }, 'x-single-active-consumer as a string: 406'),
  arg('arg-queue-mode-lazy', { 'x-queue-mode': 'lazy' }, 'x-queue-mode lazy'),
  arg('arg-queue-mode-invalid', { 'x-queue-mode': 'sleepy' }, 'x-queue-mode unknown: 406'),
  arg('arg-unknown-x-argument', { 'x-made-up': 'ok' }, 'unknown x- arguments are accepted'),
  scenario('arguments', 'arg-queue-type-quorum-durable', 'a durable quorum queue declares; declare-ok counts', async (t) => {
    const c = await t.open()
    const q = t.q()
    c.send(1, 'queue.declare', { queue: q, durable: true, arguments: { 'x-queue-type': 'quorum' } })
    if ((await c.outcome(1, 'queue.declare-ok')) !== 'queue.declare-ok') return
    await c.call(1, 'queue.delete', { queue: q })
    await c.close()
  }),
  scenario('arguments', 'ttl-message-expired-on-get', 'x-message-ttl 0: a message not delivered at once is dropped', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true, arguments: { 'x-message-ttl': 0 } })
    publish(c, 1, q, 'expires')
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('arguments', 'ttl-per-message-expiration-zero', 'expiration "0" on a message: dropped before basic.get', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    publish(c, 1, q, 'gone', { expiration: '0' })
    publish(c, 1, q, 'stays', { expiration: '60000' })
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('arguments', 'ttl-expiration-invalid', 'expiration that is not a number: 406', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    publish(c, 1, q, 'bad', { expiration: 'soon' })
    await c.outcome(1, [])
  }),
  scenario('arguments', 'ttl-expiration-negative', 'a negative expiration: 406', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    publish(c, 1, q, 'bad', { expiration: '-1' })
    await c.outcome(1, [])
  }),
  scenario('arguments', 'max-length-drop-head', 'x-max-length 2 (drop-head): the oldest messages are dropped', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true, arguments: { 'x-max-length': 2 } })
    await fill(c, 1, q, ['1', '2', '3', '4'])
    await c.call(1, 'queue.declare', { queue: q, passive: true })
    await get(c, 1, q, true)
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('arguments', 'max-length-zero', 'x-max-length 0 keeps nothing', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true, arguments: { 'x-max-length': 0 } })
    publish(c, 1, q, 'x')
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('arguments', 'max-length-bytes', 'x-max-length-bytes counts body bytes', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true, arguments: { 'x-max-length-bytes': 10 } })
    await fill(c, 1, q, ['aaaa', 'bbbb', 'cccc'])
    await c.call(1, 'queue.declare', { queue: q, passive: true })
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('arguments', 'max-length-reject-publish', 'x-overflow reject-publish keeps the first messages', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true, arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } })
    publishAll(c, 1, q, ['first', 'second'])
    await get(c, 1, q, true)
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('arguments', 'priority-ordering', 'x-max-priority: higher priority messages are delivered first, FIFO within a priority', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true, arguments: { 'x-max-priority': 10 } })
    const msgs: [string, number | undefined][] = [['p1', 1], ['p5a', 5], ['none', undefined], ['p9', 9], ['p5b', 5], ['p200', 200]]
    for (const [b, p] of msgs) publish(c, 1, q, b, p === undefined ? {} : { priority: p })
    for (let i = 0; i < msgs.length; i++) await get(c, 1, q, true)
    await c.close()
  }),
  scenario('arguments', 'priority-ignored-without-max', 'without x-max-priority, priority is ignored (FIFO)', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    publish(c, 1, q, 'low', { priority: 1 })
    publish(c, 1, q, 'high', { priority: 9 })
    await get(c, 1, q, true)
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('arguments', 'dead-letter-on-reject', 'reject without requeue dead-letters with an x-death header (reason rejected)', async (t) => {
    const c = await t.open()
    const q = t.q('work'), dlq = t.q('dead'), dlx = t.x('dlx')
    await c.call(1, 'exchange.declare', { exchange: dlx, type: 'fanout' })
    await declareQueue(c, 1, dlq, { exclusive: true })
    await c.call(1, 'queue.bind', { queue: dlq, exchange: dlx })
    await declareQueue(c, 1, q, { exclusive: true, arguments: { 'x-dead-letter-exchange': dlx } })
    publish(c, 1, q, 'doomed', { messageId: 'd1', headers: { keep: 'me' } })
    await get(c, 1, q)
    c.send(1, 'basic.reject', { deliveryTag: 1, requeue: false })
    await consume(c, 1, dlq, 'dead', { noAck: true })
    await c.expect(1, 'basic.deliver')
    await c.close()
  }),
  scenario('arguments', 'dead-letter-routing-key', 'x-dead-letter-routing-key replaces the routing key', async (t) => {
    const c = await t.open()
    const q = t.q('work'), dlq = t.q('dead')
    await declareQueue(c, 1, dlq, { exclusive: true })
    await declareQueue(c, 1, q, { exclusive: true, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dlq } })
    publish(c, 1, q, 'rerouted')
    await get(c, 1, q)
    c.send(1, 'basic.nack', { deliveryTag: 1, requeue: false })
    await consume(c, 1, dlq, 'dead', { noAck: true })
    await c.expect(1, 'basic.deliver')
    await c.close()
  }),
  scenario('arguments', 'dead-letter-expired', 'an expired message is dead-lettered with reason expired', async (t) => {
    const c = await t.open()
    const q = t.q('work'), dlq = t.q('dead')
    await declareQueue(c, 1, dlq, { exclusive: true })
    await consume(c, 1, dlq, 'dead', { noAck: true })
    await declareQueue(c, 1, q, { exclusive: true, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dlq, 'x-message-ttl': 0 } })
    publish(c, 1, q, 'expired')
    await c.expect(1, 'basic.deliver')
    await c.close()
  }),
  scenario('arguments', 'dead-letter-max-length', 'drop-head overflow dead-letters with reason maxlen', async (t) => {
    const c = await t.open()
    const q = t.q('work'), dlq = t.q('dead')
    await declareQueue(c, 1, dlq, { exclusive: true })
    await consume(c, 1, dlq, 'dead', { noAck: true })
    await declareQueue(c, 1, q, { exclusive: true, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dlq, 'x-max-length': 1 } })
    publishAll(c, 1, q, ['old', 'new'])
    await c.expect(1, 'basic.deliver')
    await get(c, 1, q, true)
    await c.close()
  }),
]
