// Queue class: declare (named, server-named, passive, redeclare equivalence, reserved names,
// exclusive and auto-delete), bind/unbind, purge and delete with their counts and conditions.
import { scenario, type Scenario } from '../scenario.js'
import { bindQueue, consume, declareExchange, declareQueue, fill, get, publish } from './helpers.js'

const redeclare = (name: string, first: Record<string, unknown>, second: Record<string, unknown>, about: string): Scenario =>
  scenario('queue', name, about, async (t) => {
    const c = await t.open()
    const q = t.q()
    await c.call(1, 'queue.declare', { queue: q, ...first })
    c.send(1, 'queue.declare', { queue: q, ...second })
    await c.outcome(1, 'queue.declare-ok')
  })

/** A queue exclusive to connection c1, then `method` on it from connection c2. */
const otherConnection = (name: string, method: string, args: (q: string) => Record<string, unknown>, reply: string): Scenario =>
  scenario('queue', name, `${method} on another connection's exclusive queue: 405 RESOURCE_LOCKED`, async (t) => {
    const owner = await t.open()
    const q = t.q()
    await declareQueue(owner, 1, q, { exclusive: true })
    const other = await t.open()
    other.send(1, method, args(q))
    await other.outcome(1, reply)
  })

export const queueScenarios: Scenario[] = [
  scenario('queue', 'queue-declare-named', 'declare-ok echoes the name with zero messages and consumers', async (t) => {
    const c = await t.open()
    await declareQueue(c, 1, t.q())
    await c.close()
  }),
  scenario('queue', 'queue-declare-server-named', 'an empty name gets an amq.gen- name', async (t) => {
    const c = await t.open()
    await declareQueue(c, 1, '', { exclusive: true })
    await c.close()
  }),
  scenario('queue', 'queue-declare-server-named-twice', 'two server-named queues get different names', async (t) => {
    const c = await t.open()
    await declareQueue(c, 1, '', { exclusive: true })
    await declareQueue(c, 1, '', { exclusive: true })
    await c.close()
  }),
  scenario('queue', 'queue-declare-counts', 'declare-ok reports ready messages and consumers (passive and active redeclare)', async (t) => {
    const c = await t.open()
    await c.openChannel(2)
    const q = t.q()
    await declareQueue(c, 1, q)
    await fill(c, 1, q, ['a', 'b', 'c'])
    await declareQueue(c, 1, q)
    await consume(c, 2, q, 'counter', { noAck: false })
    await c.call(1, 'queue.declare', { queue: q, passive: true })
    await c.call(1, 'basic.qos', { prefetchCount: 1 })
    await c.close()
  }),
  scenario('queue', 'queue-declare-counts-unacked-excluded', 'messages delivered but unacked are not counted in declare-ok', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q)
    await fill(c, 1, q, ['a', 'b'])
    await get(c, 1, q)
    await c.call(1, 'queue.declare', { queue: q, passive: true })
    await c.close()
  }),
  scenario('queue', 'queue-declare-passive-missing', 'passive declare of a missing queue: 404 NOT_FOUND', async (t) => {
    const c = await t.open()
    c.send(1, 'queue.declare', { queue: t.q(), passive: true })
    await c.outcome(1, 'queue.declare-ok')
  }),
  scenario('queue', 'queue-declare-passive-ignores-flags', 'passive declare ignores durable/exclusive/arguments', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q)
    await c.call(1, 'queue.declare', { queue: q, passive: true, durable: true, autoDelete: true, arguments: { 'x-message-ttl': 5 } })
    await c.close()
  }),
  scenario('queue', 'queue-declare-passive-empty-name', 'passive declare with an empty name and no current queue', async (t) => {
    const c = await t.open()
    c.send(1, 'queue.declare', { queue: '', passive: true })
    await c.outcome(1, 'queue.declare-ok')
  }),
  scenario('queue', 'queue-declare-reserved-amq-prefix', 'declaring amq.* queue names: 403 ACCESS_REFUSED', async (t) => {
    const c = await t.open()
    c.send(1, 'queue.declare', { queue: 'amq.cf-reserved' })
    await c.outcome(1, 'queue.declare-ok')
  }),
  scenario('queue', 'queue-declare-passive-reserved', 'passive declare of a missing amq.* queue', async (t) => {
    const c = await t.open()
    c.send(1, 'queue.declare', { queue: 'amq.cf-reserved', passive: true })
    await c.outcome(1, 'queue.declare-ok')
  }),
  redeclare('queue-redeclare-same', { durable: false }, { durable: false }, 'an equivalent redeclare succeeds'),
  redeclare('queue-redeclare-inequivalent-durable', { durable: false }, { durable: true }, "inequivalent arg 'durable': 406"),
  redeclare('queue-redeclare-inequivalent-auto-delete', {}, { autoDelete: true }, "inequivalent arg 'auto_delete': 406"),
  redeclare('queue-redeclare-inequivalent-exclusive', { exclusive: true }, { exclusive: false }, 'redeclaring an exclusive queue as non-exclusive on the same connection'),
  redeclare('queue-redeclare-inequivalent-ttl', { arguments: { 'x-message-ttl': 1000 } }, { arguments: { 'x-message-ttl': 2000 } }, "inequivalent arg 'x-message-ttl': 406"),
  redeclare('queue-redeclare-missing-arg', { arguments: { 'x-max-length': 10 } }, {}, 'redeclare without an argument the queue was declared with'),
  redeclare('queue-redeclare-added-arg', {}, { arguments: { 'x-max-length': 10 } }, 'redeclare adding an argument'),
  redeclare('queue-redeclare-ttl-type-change', { arguments: { 'x-message-ttl': 1000 } }, { arguments: { 'x-message-ttl': 1000n } }, 'the same TTL as a long instead of an int is equivalent'),
  redeclare('queue-redeclare-unknown-arg-differs', { arguments: { 'x-custom': 'a' } }, { arguments: { 'x-custom': 'b' } }, 'an unknown argument with a different value'),
  redeclare('queue-redeclare-durable-same', { durable: true }, { durable: true }, 'durable queue redeclared durable'),
  otherConnection('queue-exclusive-declare-other-connection', 'queue.declare', (q) => ({ queue: q }), 'queue.declare-ok'),
  otherConnection('queue-exclusive-passive-other-connection', 'queue.declare', (q) => ({ queue: q, passive: true }), 'queue.declare-ok'),
  otherConnection('queue-exclusive-consume-other-connection', 'basic.consume', (q) => ({ queue: q }), 'basic.consume-ok'),
  otherConnection('queue-exclusive-get-other-connection', 'basic.get', (q) => ({ queue: q }), 'basic.get-empty'),
  otherConnection('queue-exclusive-purge-other-connection', 'queue.purge', (q) => ({ queue: q }), 'queue.purge-ok'),
  otherConnection('queue-exclusive-delete-other-connection', 'queue.delete', (q) => ({ queue: q }), 'queue.delete-ok'),
  otherConnection('queue-exclusive-bind-other-connection', 'queue.bind', (q) => ({ queue: q, exchange: 'amq.direct', routingKey: 'k' }), 'queue.bind-ok'),
  scenario('queue', 'queue-exclusive-same-connection-other-channel', 'an exclusive queue is usable from another channel of its connection', async (t) => {
    const c = await t.open()
    await c.openChannel(2)
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    publish(c, 2, q, 'x')
    await get(c, 2, q, true)
    await c.close()
  }),
  scenario('queue', 'queue-exclusive-gone-after-close', "an exclusive queue is deleted when its connection closes", async (t) => {
    const owner = await t.open()
    const q = t.q()
    await declareQueue(owner, 1, q, { exclusive: true })
    await owner.close()
    const other = await t.open()
    other.send(1, 'queue.declare', { queue: q, passive: true })
    await other.outcome(1, 'queue.declare-ok')
  }),
  scenario('queue', 'queue-auto-delete-after-last-consumer', 'an auto-delete queue is deleted when its last consumer cancels', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { autoDelete: true })
    await consume(c, 1, q, 'c1')
    await consume(c, 1, q, 'c2')
    await c.call(1, 'basic.cancel', { consumerTag: 'c1' })
    await c.call(1, 'queue.declare', { queue: q, passive: true })
    await c.call(1, 'basic.cancel', { consumerTag: 'c2' })
    c.send(1, 'queue.declare', { queue: q, passive: true })
    await c.outcome(1, 'queue.declare-ok')
  }),
  scenario('queue', 'queue-auto-delete-never-consumed', 'an auto-delete queue that never had a consumer stays', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { autoDelete: true })
    await c.call(1, 'queue.declare', { queue: q, passive: true })
    await c.call(1, 'queue.delete', { queue: q })
    await c.close()
  }),
  scenario('queue', 'queue-auto-delete-channel-close', 'closing the consuming channel removes its consumer and deletes an auto-delete queue', async (t) => {
    const c = await t.open()
    await c.openChannel(2)
    const q = t.q()
    await declareQueue(c, 1, q, { autoDelete: true })
    await consume(c, 2, q, 'only')
    await c.closeChannel(2)
    c.send(1, 'queue.declare', { queue: q, passive: true })
    await c.outcome(1, 'queue.declare-ok')
  }),
  scenario('queue', 'queue-bind-missing-queue', 'queue.bind to a missing queue: 404', async (t) => {
    const c = await t.open()
    c.send(1, 'queue.bind', { queue: t.q(), exchange: 'amq.direct', routingKey: 'k' })
    await c.outcome(1, 'queue.bind-ok')
  }),
  scenario('queue', 'queue-bind-missing-exchange', 'queue.bind to a missing exchange: 404', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    c.send(1, 'queue.bind', { queue: q, exchange: t.x('missing'), routingKey: 'k' })
    await c.outcome(1, 'queue.bind-ok')
  }),
  scenario('queue', 'queue-bind-default-exchange', 'binding to the default exchange: 403', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    c.send(1, 'queue.bind', { queue: q, exchange: '', routingKey: 'other' })
    await c.outcome(1, 'queue.bind-ok')
  }),
  scenario('queue', 'queue-unbind-default-exchange', 'unbinding from the default exchange: 403', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    c.send(1, 'queue.unbind', { queue: q, exchange: '', routingKey: q })
    await c.outcome(1, 'queue.unbind-ok')
  }),
  scenario('queue', 'queue-bind-empty-name-uses-last-declared', 'queue.bind with an empty queue name binds the channel\'s last declared queue', async (t) => {
    const c = await t.open()
    await declareQueue(c, 1, '', { exclusive: true })
    await c.call(1, 'queue.bind', { queue: '', exchange: 'amq.direct', routingKey: 'cf-last-declared' })
    publish(c, 1, 'cf-last-declared', 'to the last queue', {}, 'amq.direct')
    await get(c, 1, '', true)
    await c.close()
  }),
  scenario('queue', 'queue-bind-empty-name-no-queue', 'queue.bind with an empty name on a channel that declared nothing', async (t) => {
    const c = await t.open()
    c.send(1, 'queue.bind', { queue: '', exchange: 'amq.direct', routingKey: 'k' })
    await c.outcome(1, 'queue.bind-ok')
  }),
  scenario('queue', 'queue-bind-nowait', 'queue.bind with nowait sends no reply and binds', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    c.send(1, 'queue.bind', { queue: q, exchange: 'amq.direct', routingKey: 'cf-nowait', nowait: true })
    publish(c, 1, 'cf-nowait', 'bound', {}, 'amq.direct')
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('queue', 'queue-bind-twice-one-copy', 'binding the same key twice delivers one copy', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    await bindQueue(c, 1, q, 'amq.direct', 'cf-twice')
    await bindQueue(c, 1, q, 'amq.direct', 'cf-twice')
    publish(c, 1, 'cf-twice', 'one', {}, 'amq.direct')
    await get(c, 1, q, true)
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('queue', 'queue-unbind', 'queue.unbind stops routing; unbind-ok', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    await bindQueue(c, 1, q, 'amq.direct', 'cf-unbind')
    await c.call(1, 'queue.unbind', { queue: q, exchange: 'amq.direct', routingKey: 'cf-unbind' })
    publish(c, 1, 'cf-unbind', 'nowhere', {}, 'amq.direct')
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('queue', 'queue-unbind-missing-binding', 'unbinding a binding that does not exist succeeds', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    await c.call(1, 'queue.unbind', { queue: q, exchange: 'amq.direct', routingKey: 'never-bound' })
    await c.close()
  }),
  scenario('queue', 'queue-unbind-missing-queue', 'unbinding a missing queue', async (t) => {
    const c = await t.open()
    c.send(1, 'queue.unbind', { queue: t.q(), exchange: 'amq.direct', routingKey: 'k' })
    await c.outcome(1, 'queue.unbind-ok')
  }),
  scenario('queue', 'queue-unbind-missing-exchange', 'unbinding from a missing exchange', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    c.send(1, 'queue.unbind', { queue: q, exchange: t.x('missing'), routingKey: 'k' })
    await c.outcome(1, 'queue.unbind-ok')
  }),
  scenario('queue', 'queue-purge-counts', 'purge-ok counts ready messages; unacked ones are kept', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q)
    await fill(c, 1, q, ['1', '2', '3', '4'])
    await get(c, 1, q)
    await c.call(1, 'queue.purge', { queue: q })
    await c.call(1, 'queue.purge', { queue: q })
    await c.call(1, 'basic.recover', { requeue: true })
    await c.call(1, 'queue.declare', { queue: q, passive: true })
    await c.close()
  }),
  scenario('queue', 'queue-purge-missing', 'purging a missing queue: 404', async (t) => {
    const c = await t.open()
    c.send(1, 'queue.purge', { queue: t.q() })
    await c.outcome(1, 'queue.purge-ok')
  }),
  scenario('queue', 'queue-purge-nowait', 'purge with nowait sends no reply', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    await fill(c, 1, q, ['1', '2'])
    c.send(1, 'queue.purge', { queue: q, nowait: true })
    await c.call(1, 'queue.declare', { queue: q, passive: true })
    await c.close()
  }),
  scenario('queue', 'queue-delete-counts', 'delete-ok reports the ready messages deleted', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q)
    await fill(c, 1, q, ['1', '2', '3'])
    await c.call(1, 'queue.delete', { queue: q })
    await c.close()
  }),
  scenario('queue', 'queue-delete-missing', 'deleting a missing queue', async (t) => {
    const c = await t.open()
    c.send(1, 'queue.delete', { queue: t.q() })
    await c.outcome(1, 'queue.delete-ok')
  }),
  scenario('queue', 'queue-delete-if-unused-in-use', 'delete if-unused with a consumer: 406', async (t) => {
    const c = await t.open()
    await c.openChannel(2)
    const q = t.q()
    await declareQueue(c, 1, q)
    await consume(c, 2, q, 'busy')
    c.send(1, 'queue.delete', { queue: q, ifUnused: true })
    await c.outcome(1, 'queue.delete-ok')
  }),
  scenario('queue', 'queue-delete-if-unused-unused', 'delete if-unused without consumers succeeds even with messages', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q)
    await fill(c, 1, q, ['m'])
    await c.call(1, 'queue.delete', { queue: q, ifUnused: true })
    await c.close()
  }),
  scenario('queue', 'queue-delete-if-empty-not-empty', 'delete if-empty with messages: 406', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q)
    await fill(c, 1, q, ['m'])
    c.send(1, 'queue.delete', { queue: q, ifEmpty: true })
    await c.outcome(1, 'queue.delete-ok')
  }),
  scenario('queue', 'queue-delete-if-empty-empty', 'delete if-empty of an empty queue succeeds', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q)
    await c.call(1, 'queue.delete', { queue: q, ifEmpty: true })
    await c.close()
  }),
  scenario('queue', 'queue-delete-if-empty-unacked', 'a queue whose only message is unacked counts as empty for if-empty', async (t) => {
    const c = await t.open()
    await c.openChannel(2)
    const q = t.q()
    await declareQueue(c, 1, q)
    await fill(c, 1, q, ['m'])
    await get(c, 2, q)
    c.send(1, 'queue.delete', { queue: q, ifEmpty: true })
    await c.outcome(1, 'queue.delete-ok')
  }),
  scenario('queue', 'queue-delete-nowait', 'delete with nowait sends no reply', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q)
    c.send(1, 'queue.delete', { queue: q, nowait: true })
    c.send(1, 'queue.declare', { queue: q, passive: true })
    await c.outcome(1, 'queue.declare-ok')
  }),
  scenario('queue', 'queue-delete-cancels-consumers', 'deleting a queue notifies its consumers with basic.cancel (consumer_cancel_notify)', async (t) => {
    const consumer = await t.open()
    const q = t.q()
    await declareQueue(consumer, 1, q)
    await consume(consumer, 1, q, 'notify-me')
    const admin = await t.open()
    await admin.call(1, 'queue.delete', { queue: q })
    await consumer.expect(1, 'basic.cancel')
    await consumer.call(1, 'basic.qos', { prefetchCount: 1 })
  }),
  scenario('queue', 'queue-delete-no-cancel-without-capability', 'without consumer_cancel_notify the consumer is dropped silently', async (t) => {
    const consumer = await t.open({ clientProperties: { product: 'old client' } })
    const q = t.q()
    await declareQueue(consumer, 1, q)
    await consume(consumer, 1, q, 'silent')
    const admin = await t.open()
    await admin.call(1, 'queue.delete', { queue: q })
    await admin.close()
    await consumer.call(1, 'basic.qos', { prefetchCount: 1 })
  }),
  scenario('queue', 'queue-delete-by-owner-cancels-own-consumer', 'deleting a queue you consume from on the same channel: cancel then delete-ok', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    await consume(c, 1, q, 'self')
    await c.call(1, 'queue.delete', { queue: q })
    await c.call(1, 'basic.qos', { prefetchCount: 1 })
    await c.close()
  }),
  scenario('queue', 'queue-declare-nowait', 'declare with nowait sends no reply; the queue exists', async (t) => {
    const c = await t.open()
    const q = t.q()
    c.send(1, 'queue.declare', { queue: q, nowait: true, exclusive: true })
    await c.call(1, 'queue.declare', { queue: q, passive: true })
    await c.close()
  }),
  scenario('queue', 'queue-declare-durable', 'a durable queue is declared and deleted', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { durable: true })
    await c.call(1, 'queue.delete', { queue: q })
    await c.close()
  }),
  scenario('queue', 'queue-bind-headers-args-unbind', 'queue.unbind must name the same arguments as the bind to remove a headers binding', async (t) => {
    const c = await t.open()
    const x = t.x(), q = t.q()
    await declareExchange(c, 1, x, 'headers')
    await declareQueue(c, 1, q, { exclusive: true })
    await bindQueue(c, 1, q, x, '', { 'x-match': 'all', a: '1' })
    await c.call(1, 'queue.unbind', { queue: q, exchange: x, routingKey: '', arguments: { 'x-match': 'all', a: '2' } })
    publish(c, 1, '', 'still bound', { headers: { a: '1' } }, x)
    await get(c, 1, q, true)
    await c.call(1, 'queue.unbind', { queue: q, exchange: x, routingKey: '', arguments: { 'x-match': 'all', a: '1' } })
    publish(c, 1, '', 'unbound', { headers: { a: '1' } }, x)
    await get(c, 1, q, true)
    await c.close()
  }),
]
