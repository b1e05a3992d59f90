// Basic class: publish, get, consume/cancel, ack/nack/reject (with their 406s), recover, qos and
// prefetch, requeue ordering, mandatory returns, immediate, consumer priorities and exclusivity.
import { scenario, type Scenario } from '../scenario.js'
import { Typed } from '../../src/wire/field-table.js'
import { consume, declareQueue, get, publish, publishAll } from './helpers.js'

/** A queue with `n` messages m1..mn on channel 1 of a fresh connection. */
async function withMessages(t: Parameters<Scenario['run']>[0], n: number, exclusive = true) {
  const c = await t.open()
  const q = t.q()
  await declareQueue(c, 1, q, { exclusive })
  publishAll(c, 1, q, Array.from({ length: n }, (_, i) => `m${i + 1}`))
  return { c, q }
}

/** Gets `n` messages (no ack) so their delivery tags are 1..n. */
async function getN(c: Awaited<ReturnType<typeof withMessages>>['c'], q: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await get(c, 1, q)
}

const ackError = (name: string, about: string, act: (c: Awaited<ReturnType<typeof withMessages>>['c']) => void, gets = 1): Scenario =>
  scenario('basic', name, about, async (t) => {
    const { c, q } = await withMessages(t, 2)
    await getN(c, q, gets)
    act(c)
    c.send(1, 'basic.qos', { prefetchCount: 1 })
    await c.outcome(1, 'basic.qos-ok')
  })

export const basicScenarios: Scenario[] = [
  scenario('basic', 'basic-publish-get', 'get-ok carries delivery tag, redelivered, exchange, routing key and the remaining message count', async (t) => {
    const { c, q } = await withMessages(t, 3)
    await get(c, 1, q)
    await get(c, 1, q)
    await c.close()
  }),
  scenario('basic', 'basic-get-empty', 'basic.get on an empty queue: get-empty with an empty cluster-id', async (t) => {
    const { c, q } = await withMessages(t, 0)
    await get(c, 1, q)
    await c.close()
  }),
  scenario('basic', 'basic-get-no-ack', 'get with no-ack: the message is gone without an ack', async (t) => {
    const { c, q } = await withMessages(t, 1)
    await get(c, 1, q, true)
    await c.call(1, 'queue.declare', { queue: q, passive: true })
    await c.close()
  }),
  scenario('basic', 'basic-get-missing-queue', 'basic.get from a missing queue: 404', async (t) => {
    const c = await t.open()
    c.send(1, 'basic.get', { queue: t.q() })
    await c.outcome(1, ['basic.get-ok', 'basic.get-empty'])
  }),
  scenario('basic', 'basic-publish-missing-exchange', 'publishing to a missing exchange: channel.close 404 naming basic.publish', async (t) => {
    const c = await t.open()
    publish(c, 1, 'k', 'x', {}, t.x('missing'))
    await c.outcome(1)
  }),
  scenario('basic', 'basic-publish-default-exchange-unroutable', 'publishing to the default exchange with no such queue drops the message silently', async (t) => {
    const c = await t.open()
    publish(c, 1, t.q('nobody'), 'dropped')
    await c.call(1, 'basic.qos', { prefetchCount: 1 })
    await c.close()
  }),
  scenario('basic', 'basic-publish-mandatory-unroutable', 'mandatory and unroutable: basic.return 312 NO_ROUTE with the content', async (t) => {
    const c = await t.open()
    publish(c, 1, 'cf-no-binding', 'come back', { contentType: 'text/plain', messageId: 'r1' }, 'amq.direct', { mandatory: true })
    await c.expect(1, 'basic.return')
    await c.close()
  }),
  scenario('basic', 'basic-publish-mandatory-default-exchange', 'mandatory to the default exchange with no such queue: basic.return', async (t) => {
    const c = await t.open()
    publish(c, 1, t.q('nobody'), 'back', {}, '', { mandatory: true })
    await c.expect(1, 'basic.return')
    await c.close()
  }),
  scenario('basic', 'basic-publish-mandatory-routable', 'mandatory and routable: no return', async (t) => {
    const { c, q } = await withMessages(t, 0)
    publish(c, 1, q, 'stays', {}, '', { mandatory: true })
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('basic', 'basic-publish-immediate', 'immediate=true (RabbitMQ does not implement it)', async (t) => {
    const { c, q } = await withMessages(t, 0)
    publish(c, 1, q, 'now', {}, '', { immediate: true })
    await c.outcome(1, [])
  }),
  scenario('basic', 'basic-consume-server-tag', 'consume with an empty tag gets an amq.ctag- tag; deliver carries it', async (t) => {
    const { c, q } = await withMessages(t, 1)
    await consume(c, 1, q, '', { noAck: true })
    await c.expect(1, 'basic.deliver')
    await c.close()
  }),
  scenario('basic', 'basic-consume-deliver-ack', 'deliveries in order with tags 1..n; ack multiple', async (t) => {
    const { c, q } = await withMessages(t, 3)
    await consume(c, 1, q, 'ct')
    await c.expect(1, 'basic.deliver')
    await c.expect(1, 'basic.deliver')
    await c.expect(1, 'basic.deliver')
    c.send(1, 'basic.ack', { deliveryTag: 3, multiple: true })
    await c.call(1, 'queue.declare', { queue: q, passive: true })
    await c.close()
  }),
  scenario('basic', 'basic-consume-missing-queue', 'consume from a missing queue: 404', async (t) => {
    const c = await t.open()
    c.send(1, 'basic.consume', { queue: t.q(), consumerTag: 'x' })
    await c.outcome(1, 'basic.consume-ok')
  }),
  scenario('basic', 'basic-consume-duplicate-tag', 'reusing a consumer tag on the channel: 530 NOT_ALLOWED (connection)', async (t) => {
    const { c, q } = await withMessages(t, 0)
    await consume(c, 1, q, 'dup')
    c.send(1, 'basic.consume', { queue: q, consumerTag: 'dup' })
    await c.outcome(1, 'basic.consume-ok')
  }),
  scenario('basic', 'basic-consume-same-tag-other-channel', 'the same consumer tag on another channel is fine', async (t) => {
    const { c, q } = await withMessages(t, 0)
    await c.openChannel(2)
    await consume(c, 1, q, 'shared')
    await consume(c, 2, q, 'shared')
    await c.close()
  }),
  scenario('basic', 'basic-consume-exclusive-conflict', 'exclusive consume on a queue that has a consumer: 403', async (t) => {
    const { c, q } = await withMessages(t, 0)
    await consume(c, 1, q, 'first')
    c.send(1, 'basic.consume', { queue: q, consumerTag: 'second', exclusive: true })
    await c.outcome(1, 'basic.consume-ok')
  }),
  scenario('basic', 'basic-consume-after-exclusive', 'consume on a queue with an exclusive consumer: 403', async (t) => {
    const { c, q } = await withMessages(t, 0)
    await consume(c, 1, q, 'owner', { exclusive: true })
    c.send(1, 'basic.consume', { queue: q, consumerTag: 'second' })
    await c.outcome(1, 'basic.consume-ok')
  }),
  scenario('basic', 'basic-consume-nowait', 'consume and cancel with nowait send no reply; deliveries still flow', async (t) => {
    const { c, q } = await withMessages(t, 1)
    c.send(1, 'basic.consume', { queue: q, consumerTag: 'quiet', noAck: true, nowait: true })
    await c.expect(1, 'basic.deliver')
    c.send(1, 'basic.cancel', { consumerTag: 'quiet', nowait: true })
    publish(c, 1, q, 'after cancel')
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('basic', 'basic-consume-nowait-empty-tag', 'consume with nowait and an empty tag', async (t) => {
    const { c, q } = await withMessages(t, 0)
    c.send(1, 'basic.consume', { queue: q, consumerTag: '', nowait: true })
    c.send(1, 'basic.qos', { prefetchCount: 1 })
    await c.outcome(1, 'basic.qos-ok')
  }),
  scenario('basic', 'basic-cancel', 'cancel-ok echoes the tag; no more deliveries', async (t) => {
    const { c, q } = await withMessages(t, 0)
    await consume(c, 1, q, 'gone')
    await c.call(1, 'basic.cancel', { consumerTag: 'gone' })
    publish(c, 1, q, 'stays')
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('basic', 'basic-cancel-unknown-tag', 'cancel of an unknown consumer tag still gets cancel-ok', async (t) => {
    const c = await t.open()
    await c.call(1, 'basic.cancel', { consumerTag: 'never-existed' })
    await c.close()
  }),
  scenario('basic', 'basic-cancel-keeps-unacked', 'cancelling leaves delivered messages unacked until ack or close', async (t) => {
    const { c, q } = await withMessages(t, 1)
    await consume(c, 1, q, 'ct')
    await c.expect(1, 'basic.deliver')
    await c.call(1, 'basic.cancel', { consumerTag: 'ct' })
    c.send(1, 'basic.ack', { deliveryTag: 1 })
    await c.call(1, 'queue.declare', { queue: q, passive: true })
    await c.close()
  }),
  scenario('basic', 'basic-consumer-cancel-from-server-method', 'basic.cancel from client with server-generated tag', async (t) => {
    const { c, q } = await withMessages(t, 0)
    await consume(c, 1, q, '')
    await c.call(1, 'queue.delete', { queue: q })
    await c.close()
  }),
  ackError('basic-ack-unknown-tag', 'ack of an unknown delivery tag: 406 PRECONDITION_FAILED', (c) => c.send(1, 'basic.ack', { deliveryTag: 5 })),
  ackError('basic-ack-twice', 'acking the same tag twice: 406', (c) => { c.send(1, 'basic.ack', { deliveryTag: 1 }); c.send(1, 'basic.ack', { deliveryTag: 1 }) }),
  ackError('basic-ack-tag-zero', 'ack tag 0 without multiple', (c) => c.send(1, 'basic.ack', { deliveryTag: 0 })),
  ackError('basic-ack-zero-multiple', 'ack tag 0 with multiple acks everything outstanding', (c) => c.send(1, 'basic.ack', { deliveryTag: 0, multiple: true }), 2),
  ackError('basic-ack-multiple-unknown', 'ack multiple above the highest tag', (c) => c.send(1, 'basic.ack', { deliveryTag: 9, multiple: true }), 2),
  ackError('basic-nack-unknown-tag', 'nack of an unknown tag: 406', (c) => c.send(1, 'basic.nack', { deliveryTag: 7 })),
  ackError('basic-reject-unknown-tag', 'reject of an unknown tag: 406', (c) => c.send(1, 'basic.reject', { deliveryTag: 7 })),
  ackError('basic-ack-no-ack-delivery', 'acking a message taken with no-ack: unknown tag', (c) => c.send(1, 'basic.ack', { deliveryTag: 1 }), 0),
  ackError('basic-reject-multiple-unknown-after-ack', 'reject after ack of the same tag', (c) => { c.send(1, 'basic.ack', { deliveryTag: 1 }); c.send(1, 'basic.reject', { deliveryTag: 1, requeue: true }) }),
  scenario('basic', 'basic-ack-other-channel', "acking a tag on another channel than the delivery's: 406 there", async (t) => {
    const { c, q } = await withMessages(t, 1)
    await c.openChannel(2)
    await get(c, 1, q)
    c.send(2, 'basic.ack', { deliveryTag: 1 })
    await c.outcome(2, [])
  }),
  scenario('basic', 'basic-nack-requeue', 'nack with requeue: the message comes back redelivered, at the head', async (t) => {
    const { c, q } = await withMessages(t, 2)
    await get(c, 1, q)
    c.send(1, 'basic.nack', { deliveryTag: 1, requeue: true })
    await get(c, 1, q)
    await get(c, 1, q)
    await c.close()
  }),
  scenario('basic', 'basic-nack-multiple-requeue-order', 'nack multiple with requeue keeps the original order', async (t) => {
    const { c, q } = await withMessages(t, 3)
    await getN(c, q, 3)
    c.send(1, 'basic.nack', { deliveryTag: 3, multiple: true, requeue: true })
    await getN(c, q, 3)
    await c.close()
  }),
  scenario('basic', 'basic-requeue-out-of-order', 'rejecting 3 then 1 with requeue: basic.get returns them in original queue order', async (t) => {
    const { c, q } = await withMessages(t, 4)
    await getN(c, q, 3)
    c.send(1, 'basic.reject', { deliveryTag: 3, requeue: true })
    c.send(1, 'basic.reject', { deliveryTag: 1, requeue: true })
    await getN(c, q, 4)
    await c.close()
  }),
  scenario('basic', 'basic-nack-no-requeue-drops', 'nack without requeue discards the message', async (t) => {
    const { c, q } = await withMessages(t, 1)
    await get(c, 1, q)
    c.send(1, 'basic.nack', { deliveryTag: 1, requeue: false })
    await get(c, 1, q)
    await c.close()
  }),
  scenario('basic', 'basic-reject-requeue', 'reject with requeue: redelivered=true on the next get', async (t) => {
    const { c, q } = await withMessages(t, 1)
    await get(c, 1, q)
    c.send(1, 'basic.reject', { deliveryTag: 1, requeue: true })
    await get(c, 1, q)
    await c.close()
  }),
  scenario('basic', 'basic-reject-no-requeue', 'reject without requeue discards', async (t) => {
    const { c, q } = await withMessages(t, 1)
    await get(c, 1, q)
    c.send(1, 'basic.reject', { deliveryTag: 1, requeue: false })
    await c.call(1, 'queue.declare', { queue: q, passive: true })
    await c.close()
  }),
  scenario('basic', 'basic-requeue-to-consumer-redelivered', 'a requeued message is redelivered to a consumer with redelivered=true', async (t) => {
    const { c, q } = await withMessages(t, 1)
    await consume(c, 1, q, 'ct')
    await c.expect(1, 'basic.deliver')
    c.send(1, 'basic.reject', { deliveryTag: 1, requeue: true })
    await c.expect(1, 'basic.deliver')
    c.send(1, 'basic.ack', { deliveryTag: 2 })
    await c.call(1, 'basic.cancel', { consumerTag: 'ct' })
    await c.close()
  }),
  scenario('basic', 'basic-recover-requeue', 'basic.recover requeue=true: unacked messages come back redelivered', async (t) => {
    const { c, q } = await withMessages(t, 2)
    await getN(c, q, 2)
    await c.call(1, 'basic.recover', { requeue: true })
    await getN(c, q, 2)
    await c.close()
  }),
  scenario('basic', 'basic-recover-no-requeue', 'basic.recover requeue=false', async (t) => {
    const { c, q } = await withMessages(t, 1)
    await consume(c, 1, q, 'ct')
    await c.expect(1, 'basic.deliver')
    c.send(1, 'basic.recover', { requeue: false })
    await c.outcome(1, 'basic.recover-ok')
  }),
  scenario('basic', 'basic-recover-async', 'basic.recover-async (deprecated)', async (t) => {
    const { c, q } = await withMessages(t, 1)
    await get(c, 1, q)
    c.send(1, 'basic.recover-async', { requeue: true })
    c.send(1, 'basic.qos', { prefetchCount: 1 })
    await c.outcome(1, 'basic.qos-ok')
  }),
  scenario('basic', 'basic-qos-prefetch-count', 'prefetch-count 1: the second delivery waits for the first ack', async (t) => {
    const { c, q } = await withMessages(t, 3)
    await c.call(1, 'basic.qos', { prefetchCount: 1 })
    await consume(c, 1, q, 'ct')
    await c.expect(1, 'basic.deliver')
    await c.call(1, 'queue.declare', { queue: q, passive: true })
    c.send(1, 'basic.ack', { deliveryTag: 1 })
    await c.expect(1, 'basic.deliver')
    c.send(1, 'basic.ack', { deliveryTag: 2 })
    await c.expect(1, 'basic.deliver')
    c.send(1, 'basic.ack', { deliveryTag: 3 })
    await c.call(1, 'basic.cancel', { consumerTag: 'ct' })
    await c.close()
  }),
  scenario('basic', 'basic-qos-prefetch-size-nonzero', 'basic.qos with prefetch-size > 0', async (t) => {
    const c = await t.open()
    c.send(1, 'basic.qos', { prefetchSize: 1000, prefetchCount: 1 })
    await c.outcome(1, 'basic.qos-ok')
  }),
  scenario('basic', 'basic-qos-global', 'global prefetch shared by two consumers on one channel', async (t) => {
    const c = await t.open()
    const a = t.q('a'), b = t.q('b')
    await declareQueue(c, 1, a, { exclusive: true })
    await declareQueue(c, 1, b, { exclusive: true })
    publishAll(c, 1, a, ['a1', 'a2'])
    publishAll(c, 1, b, ['b1', 'b2'])
    await c.call(1, 'basic.qos', { prefetchCount: 1, global: true })
    await consume(c, 1, a, 'ca')
    await c.expect(1, 'basic.deliver')
    await consume(c, 1, b, 'cb')
    await c.call(1, 'queue.declare', { queue: b, passive: true })
    await c.close()
  }),
  scenario('basic', 'basic-qos-per-consumer', 'prefetch applies to each new consumer separately when not global', async (t) => {
    const c = await t.open()
    const a = t.q('a'), b = t.q('b')
    await declareQueue(c, 1, a, { exclusive: true })
    await declareQueue(c, 1, b, { exclusive: true })
    publishAll(c, 1, a, ['a1', 'a2'])
    publishAll(c, 1, b, ['b1', 'b2'])
    await c.call(1, 'basic.qos', { prefetchCount: 1 })
    await consume(c, 1, a, 'ca')
    await c.expect(1, 'basic.deliver')
    await consume(c, 1, b, 'cb')
    await c.expect(1, 'basic.deliver')
    await c.call(1, 'queue.declare', { queue: a, passive: true })
    await c.call(1, 'queue.declare', { queue: b, passive: true })
    await c.close()
  }),
  scenario('basic', 'basic-qos-zero-unlimited', 'prefetch-count 0 means unlimited', async (t) => {
    const { c, q } = await withMessages(t, 3)
    await c.call(1, 'basic.qos', { prefetchCount: 0 })
    await consume(c, 1, q, 'ct')
    for (let i = 0; i < 3; i++) await c.expect(1, 'basic.deliver')
    await c.close()
  }),
  scenario('basic', 'basic-qos-get-ignores-prefetch', 'basic.get is not limited by prefetch', async (t) => {
    const { c, q } = await withMessages(t, 2)
    await c.call(1, 'basic.qos', { prefetchCount: 1 })
    await getN(c, q, 2)
    await c.close()
  }),
  scenario('basic', 'basic-consumer-priority', 'x-priority: the higher-priority consumer gets the messages while it has credit', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    await consume(c, 1, q, 'low', { noAck: true, arguments: { 'x-priority': 1 } })
    await consume(c, 1, q, 'high', { noAck: true, arguments: { 'x-priority': 10 } })
    publishAll(c, 1, q, ['p1', 'p2'])
    await c.expect(1, 'basic.deliver')
    await c.expect(1, 'basic.deliver')
    await c.close()
  }),
  scenario('basic', 'basic-consumer-priority-invalid', 'x-priority that is not an integer', async (t) => {
    const { c, q } = await withMessages(t, 0)
    c.send(1, 'basic.consume', { queue: q, consumerTag: 'bad', arguments: { 'x-priority': 'high' } })
    await c.outcome(1, 'basic.consume-ok')
  }),
  scenario('basic', 'basic-round-robin', 'two consumers on one queue get messages round-robin', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    await consume(c, 1, q, 'a', { noAck: true })
    await consume(c, 1, q, 'b', { noAck: true })
    publishAll(c, 1, q, ['r1', 'r2', 'r3', 'r4'])
    for (let i = 0; i < 4; i++) await c.expect(1, 'basic.deliver')
    await c.close()
  }),
  scenario('basic', 'basic-no-local-ignored', 'no-local is accepted and ignored: own messages are delivered', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    await consume(c, 1, q, 'nl', { noLocal: true, noAck: true })
    publish(c, 1, q, 'mine')
    await c.expect(1, 'basic.deliver')
    await c.close()
  }),
  scenario('basic', 'basic-deliver-redelivered-after-close', 'unacked messages of a closed connection are redelivered to the next consumer', async (t) => {
    const first = await t.open()
    const q = t.q()
    await declareQueue(first, 1, q)
    publish(first, 1, q, 'again')
    await consume(first, 1, q, 'c1')
    await first.expect(1, 'basic.deliver')
    await first.close()
    const second = await t.open()
    await consume(second, 1, q, 'c2', { noAck: true })
    await second.expect(1, 'basic.deliver')
    await second.call(1, 'queue.delete', { queue: q })
  }),
  scenario('basic', 'basic-publish-routing-key-255', 'a 255-byte routing key round-trips', async (t) => {
    const { c, q } = await withMessages(t, 0)
    await c.call(1, 'queue.bind', { queue: q, exchange: 'amq.direct', routingKey: 'k'.repeat(255) })
    publish(c, 1, 'k'.repeat(255), 'long key', {}, 'amq.direct')
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('basic', 'basic-headers-all-types', 'every field-table type in message headers round-trips byte for byte', async (t) => {
    const { c, q } = await withMessages(t, 0)
    publish(c, 1, q, 'typed', {
      headers: {
        t: true, f: false, b: new Typed('b', -7), B: new Typed('B', 200), s: new Typed('s', -300), u: new Typed('u', 60000),
        I: new Typed('I', -70000), i: new Typed('i', 3_000_000_000), l: new Typed('l', -9_000_000_000n), fl: new Typed('f', 0.5),
        d: new Typed('d', -1.25), D: new Typed('D', { scale: 3, value: 12345 }), T: new Typed('T', 1_600_000_000), S: 'string ✓',
        x: Buffer.from([0, 1, 2, 255]), V: null, A: [1, 'two', [3], { four: 4 }], F: { nested: { deeper: 'yes' } },
      },
    })
    await get(c, 1, q, true)
    await c.close()
  }),
]
