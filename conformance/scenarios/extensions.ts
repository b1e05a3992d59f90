// RabbitMQ's extensions to AMQP 0-9-1, frame by frame: dead-lettering (x-death, x-first-death-*,
// retry cycles, cycles dropped), TTL (queue, per message, x-expires), length limits (drop-head,
// bytes, reject-publish, reject-publish-dlx), priorities (messages and consumers), single active
// consumer, alternate exchanges, direct reply-to, quorum queues, streams, headers x-match end to end.
//
// Determinism: a consumer that receives dead letters or replies lives on its own connection (each
// connection has its own transcript, so its frames cannot interleave with confirms on another). A
// wait for something the broker does silently (a queue expiring, a message expiring with no DLX)
// is itself a broker event: `brokerDelay` dead-letters a message with a short TTL and waits for
// it, so the scenario never sleeps and the wait is in the transcript.
import { scenario, type Scenario, type ScenarioContext } from '../scenario.js'
import type { RawClient } from '../raw-client.js'
import type { FieldTable } from '../../src/wire/field-table.js'
import { bindQueue, consume, declareExchange, declareQueue, fill, get, publish } from './helpers.js'

/** Quorum and stream queues start a member process: give their declare more than the default wait. */
const SLOW_MS = 10_000

/** A connection consuming (no-ack, tag 'dead') from its own exclusive queue `t.q(suffix)`. */
async function sink(t: ScenarioContext, suffix = 'dead'): Promise<{ c: RawClient; q: string }> {
  const c = await t.open()
  const q = t.q(suffix)
  await declareQueue(c, 1, q, { exclusive: true })
  await consume(c, 1, q, 'dead', { noAck: true })
  return { c, q }
}

/** Waits `ms` on the broker's clock: a message with that TTL is dead-lettered to a consumer. */
async function brokerDelay(t: ScenarioContext, ms: number, suffix = 'timer'): Promise<void> {
  const c = await t.open()
  const timer = t.q(suffix), done = t.q(`${suffix}-done`)
  await declareQueue(c, 1, done, { exclusive: true })
  await consume(c, 1, done, 'tick', { noAck: true })
  await declareQueue(c, 1, timer, { exclusive: true, arguments: { 'x-message-ttl': ms, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': done } })
  publish(c, 1, timer, 'tick')
  await c.expect(1, 'basic.deliver', ms + 3000)
  await c.close()
}

/** A queue that dead-letters through the default exchange to `to`. */
const dlxTo = (to: string, more: FieldTable = {}): FieldTable => ({ 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': to, ...more })

/** queue.declare that may be slow (quorum, stream) and whose outcome is the point. */
async function declareSlow(c: RawClient, ch: number, queue: string, args: FieldTable, o: { durable?: boolean; exclusive?: boolean; autoDelete?: boolean } = {}): Promise<boolean> {
  c.send(ch, 'queue.declare', { queue, durable: o.durable ?? true, exclusive: o.exclusive ?? false, autoDelete: o.autoDelete ?? false, arguments: args })
  return (await c.outcome(ch, 'queue.declare-ok', SLOW_MS)) === 'queue.declare-ok'
}

const QUORUM: FieldTable = { 'x-queue-type': 'quorum' }
const STREAM: FieldTable = { 'x-queue-type': 'stream' }

/** A declare of `args` (durable unless said otherwise) whose outcome is recorded. */
const refusal = (group: string, name: string, about: string, args: FieldTable, o: { durable?: boolean; exclusive?: boolean; autoDelete?: boolean }): Scenario =>
  scenario(group, name, about, async (t) => {
    const c = await t.open()
    if (await declareSlow(c, 1, t.q(), args, o)) await c.close()
  })

const deadLetterScenarios: Scenario[] = [
  scenario('dead-letter', 'dlx-reject-original-routing-key', 'reject without requeue: dead-lettered to a direct DLX under the original routing key, with x-death and x-first-death-*', async (t) => {
    const dead = await t.open()
    const dlx = t.x('dlx'), dlq = t.q('dead'), other = t.q('other')
    const c = await t.open()
    const q = t.q('work')
    await declareExchange(dead, 1, dlx, 'direct')
    await declareQueue(dead, 1, dlq, { exclusive: true })
    await bindQueue(dead, 1, dlq, dlx, q)
    await declareQueue(dead, 1, other, { exclusive: true })
    await bindQueue(dead, 1, other, dlx, 'other')
    await consume(dead, 1, dlq, 'dead', { noAck: true })
    await declareQueue(c, 1, q, { exclusive: true, arguments: { 'x-dead-letter-exchange': dlx } })
    publish(c, 1, q, 'rejected', { messageId: 'm1', correlationId: 'c1', headers: { app: 'kept' }, deliveryMode: 2, priority: 3 })
    await get(c, 1, q)
    c.send(1, 'basic.reject', { deliveryTag: 1, requeue: false })
    await dead.expect(1, 'basic.deliver')
    await get(dead, 1, other, true)
    await get(c, 1, q, true)
    await dead.close()
    await c.close()
  }),
  scenario('dead-letter', 'dlx-nack-with-routing-key', 'nack without requeue: x-dead-letter-routing-key replaces the routing key; x-death keeps the original', async (t) => {
    const dead = await t.open()
    const dlx = t.x('dlx'), dlq = t.q('dead'), orig = t.q('orig-key')
    const c = await t.open()
    const q = t.q('work')
    await declareExchange(dead, 1, dlx, 'direct')
    await declareQueue(dead, 1, dlq, { exclusive: true })
    await bindQueue(dead, 1, dlq, dlx, 'moved')
    await declareQueue(dead, 1, orig, { exclusive: true })
    await bindQueue(dead, 1, orig, dlx, q)
    await consume(dead, 1, dlq, 'dead', { noAck: true })
    await declareQueue(c, 1, q, { exclusive: true, arguments: { 'x-dead-letter-exchange': dlx, 'x-dead-letter-routing-key': 'moved' } })
    publish(c, 1, q, 'nacked')
    await get(c, 1, q)
    c.send(1, 'basic.nack', { deliveryTag: 1, requeue: false })
    await dead.expect(1, 'basic.deliver')
    await get(dead, 1, orig, true)
    await dead.close()
    await c.close()
  }),
  scenario('dead-letter', 'dlx-nack-multiple', 'nack multiple without requeue dead-letters every message, in delivery order', async (t) => {
    const { c: dead, q: dlq } = await sink(t)
    const c = await t.open()
    const q = t.q('work')
    await declareQueue(c, 1, q, { exclusive: true, arguments: dlxTo(dlq) })
    await fill(c, 1, q, ['a', 'b', 'c'])
    for (let i = 0; i < 3; i++) await get(c, 1, q)
    c.send(1, 'basic.nack', { deliveryTag: 3, multiple: true, requeue: false })
    for (let i = 0; i < 3; i++) await dead.expect(1, 'basic.deliver')
    await dead.close()
    await c.close()
  }),
  scenario('dead-letter', 'dlx-consumer-reject', 'a consumer rejecting without requeue: dead-lettered, the consumer gets nothing back', async (t) => {
    const { c: dead, q: dlq } = await sink(t)
    const c = await t.open()
    const q = t.q('work')
    await declareQueue(c, 1, q, { exclusive: true, arguments: dlxTo(dlq) })
    await fill(c, 1, q, ['one'])
    await consume(c, 1, q, 'worker')
    const d = await c.expect(1, 'basic.deliver')
    c.send(1, 'basic.reject', { deliveryTag: d.args.deliveryTag, requeue: false })
    await dead.expect(1, 'basic.deliver')
    await c.call(1, 'basic.cancel', { consumerTag: 'worker' })
    await dead.close()
    await c.close()
  }),
  scenario('dead-letter', 'dlx-requeue-is-not-dead-lettered', 'reject with requeue does not dead-letter; a later nack without requeue does, once (count 1)', async (t) => {
    const { c: dead, q: dlq } = await sink(t)
    const c = await t.open()
    const q = t.q('work')
    await declareQueue(c, 1, q, { exclusive: true, arguments: dlxTo(dlq) })
    publish(c, 1, q, 'twice')
    await get(c, 1, q)
    c.send(1, 'basic.reject', { deliveryTag: 1, requeue: true })
    await get(c, 1, q)
    c.send(1, 'basic.nack', { deliveryTag: 2, requeue: false })
    await dead.expect(1, 'basic.deliver')
    await dead.close()
    await c.close()
  }),
  scenario('dead-letter', 'dlx-original-expiration', 'a rejected message with an expiration: x-death has original-expiration, the expiration property is removed', async (t) => {
    const { c: dead, q: dlq } = await sink(t)
    const c = await t.open()
    const q = t.q('work')
    await declareQueue(c, 1, q, { exclusive: true, arguments: dlxTo(dlq) })
    publish(c, 1, q, 'expiring', { expiration: '60000', messageId: 'e1' })
    await get(c, 1, q)
    c.send(1, 'basic.reject', { deliveryTag: 1, requeue: false })
    await dead.expect(1, 'basic.deliver')
    await dead.close()
    await c.close()
  }),
  scenario('dead-letter', 'dlx-cc-bcc-routing-keys', 'x-death routing-keys lists the routing key and the CC keys; BCC never reaches the consumer', async (t) => {
    const { c: dead, q: dlq } = await sink(t)
    const c = await t.open()
    const x = t.x('src'), q = t.q('work')
    await declareExchange(c, 1, x, 'direct')
    await declareQueue(c, 1, q, { exclusive: true, arguments: dlxTo(dlq) })
    await bindQueue(c, 1, q, x, 'main')
    await bindQueue(c, 1, q, x, 'copy')
    await bindQueue(c, 1, q, x, 'hidden')
    publish(c, 1, 'main', 'cc', { headers: { CC: ['copy'], BCC: ['hidden'] } }, x)
    await get(c, 1, q)
    await get(c, 1, q, true)
    c.send(1, 'basic.reject', { deliveryTag: 1, requeue: false })
    await dead.expect(1, 'basic.deliver')
    await dead.close()
    await c.close()
  }),
  scenario('dead-letter', 'dlx-two-queues-x-death-order', 'dead-lettered from two queues in turn: two x-death entries, the most recent first; x-first-death-* name the first', async (t) => {
    const { c: dead, q: dlq } = await sink(t)
    const mid = await t.open()
    const q2 = t.q('second')
    await declareQueue(mid, 1, q2, { exclusive: true, arguments: dlxTo(dlq) })
    await consume(mid, 1, q2, 'second')
    const c = await t.open()
    const q1 = t.q('first')
    await declareQueue(c, 1, q1, { exclusive: true, arguments: dlxTo(q2) })
    publish(c, 1, q1, 'hop')
    await get(c, 1, q1)
    c.send(1, 'basic.reject', { deliveryTag: 1, requeue: false })
    await mid.expect(1, 'basic.deliver')
    mid.send(1, 'basic.reject', { deliveryTag: 1, requeue: false })
    await dead.expect(1, 'basic.deliver')
    await dead.close()
    await mid.close()
    await c.close()
  }),
  scenario('dead-letter', 'dlx-retry-cycle', 'work rejects, the DLX parks the message in a 100 ms TTL queue that dead-letters back to work: three rounds, x-death counts 1 then 2', async (t) => {
    const c = await t.open()
    const work = t.q('work'), delay = t.q('delay')
    await declareQueue(c, 1, delay, { exclusive: true, arguments: dlxTo(work, { 'x-message-ttl': 100 }) })
    await declareQueue(c, 1, work, { exclusive: true, arguments: dlxTo(delay) })
    await consume(c, 1, work, 'worker')
    publish(c, 1, work, 'job', { messageId: 'job-1' })
    for (let round = 1; round <= 3; round++) {
      const d = await c.expect(1, 'basic.deliver')
      if (round < 3) c.send(1, 'basic.reject', { deliveryTag: d.args.deliveryTag, requeue: false })
      else c.send(1, 'basic.ack', { deliveryTag: d.args.deliveryTag })
    }
    await c.call(1, 'basic.cancel', { consumerTag: 'worker' })
    await c.call(1, 'queue.declare', { queue: delay, passive: true })
    await c.close()
  }),
  scenario('dead-letter', 'dlx-retry-cycle-nack-fanout', 'the retry cycle with nack and a fanout DLX: x-death exchange names the fanout, counts grow per queue', async (t) => {
    const c = await t.open()
    const work = t.q('work'), delay = t.q('delay'), retry = t.x('retry')
    await declareExchange(c, 1, retry, 'fanout')
    await declareQueue(c, 1, delay, { exclusive: true, arguments: dlxTo(work, { 'x-message-ttl': 50 }) })
    await bindQueue(c, 1, delay, retry)
    await declareQueue(c, 1, work, { exclusive: true, arguments: { 'x-dead-letter-exchange': retry } })
    await consume(c, 1, work, 'worker')
    publish(c, 1, work, 'job')
    for (let round = 1; round <= 3; round++) {
      const d = await c.expect(1, 'basic.deliver')
      if (round < 3) c.send(1, 'basic.nack', { deliveryTag: d.args.deliveryTag, requeue: false })
      else c.send(1, 'basic.ack', { deliveryTag: d.args.deliveryTag })
    }
    await c.call(1, 'basic.cancel', { consumerTag: 'worker' })
    await c.close()
  }),
  scenario('dead-letter', 'dlx-missing-exchange-drops', 'a DLX that does not exist: the rejected message is dropped', async (t) => {
    const c = await t.open()
    const q = t.q('work')
    await declareQueue(c, 1, q, { exclusive: true, arguments: { 'x-dead-letter-exchange': t.x('missing') } })
    await fill(c, 1, q, ['lost', 'kept'])
    await get(c, 1, q)
    c.send(1, 'basic.reject', { deliveryTag: 1, requeue: false })
    await get(c, 1, q, true)
    await get(c, 1, q, true)
    await c.call(1, 'queue.declare', { queue: q, passive: true })
    await c.close()
  }),
  scenario('dead-letter', 'dlx-declared-after-queue', 'the DLX may be declared after the queue that names it', async (t) => {
    const dead = await t.open()
    const c = await t.open()
    const q = t.q('work'), dlx = t.x('late'), dlq = t.q('dead')
    await declareQueue(c, 1, q, { exclusive: true, arguments: { 'x-dead-letter-exchange': dlx } })
    await declareExchange(dead, 1, dlx, 'fanout')
    await declareQueue(dead, 1, dlq, { exclusive: true })
    await bindQueue(dead, 1, dlq, dlx)
    await consume(dead, 1, dlq, 'dead', { noAck: true })
    publish(c, 1, q, 'late dlx')
    await get(c, 1, q)
    c.send(1, 'basic.reject', { deliveryTag: 1, requeue: false })
    await dead.expect(1, 'basic.deliver')
    await dead.close()
    await c.close()
  }),
  scenario('dead-letter', 'dlx-cycle-without-reject-dropped', 'expiry whose DLX routes back to the same queue: RabbitMQ drops that copy as a cycle at once; the other target gets the message once', async (t) => {
    const c = await t.open()
    const loop = t.x('loop'), q = t.q('cycle')
    await declareExchange(c, 1, loop, 'fanout')
    const { c: watch, q: seen } = await sink(t, 'watch')
    await bindQueue(watch, 1, seen, loop)
    await declareQueue(c, 1, q, { exclusive: true, arguments: { 'x-message-ttl': 50, 'x-dead-letter-exchange': loop } })
    await bindQueue(c, 1, q, loop)
    publish(c, 1, q, 'round and round')
    await watch.expect(1, 'basic.deliver')
    await brokerDelay(t, 200)
    await get(c, 1, q, true)
    await watch.close()
    await c.close()
  }),
  scenario('dead-letter', 'dlx-channel-close-requeues', 'unacked messages of a closed channel are requeued, not dead-lettered', async (t) => {
    const { c: dead, q: dlq } = await sink(t)
    const c = await t.open()
    const q = t.q('work')
    await declareQueue(c, 1, q, { exclusive: true, arguments: dlxTo(dlq) })
    await fill(c, 1, q, ['back'])
    await c.openChannel(2)
    await get(c, 2, q)
    await c.closeChannel(2)
    await get(c, 1, q, true)
    await dead.call(1, 'queue.declare', { queue: dlq, passive: true })
    await dead.close()
    await c.close()
  }),
  scenario('dead-letter', 'dlx-purge-and-delete-not-dead-lettered', 'purged and deleted messages are not dead-lettered', async (t) => {
    const { c: dead, q: dlq } = await sink(t)
    const c = await t.open()
    const a = t.q('purged'), b = t.q('deleted')
    await declareQueue(c, 1, a, { exclusive: true, arguments: dlxTo(dlq) })
    await declareQueue(c, 1, b, { exclusive: true, arguments: dlxTo(dlq) })
    await fill(c, 1, a, ['p1', 'p2'])
    await fill(c, 1, b, ['d1'])
    await c.call(1, 'queue.purge', { queue: a })
    await c.call(1, 'queue.delete', { queue: b })
    await dead.call(1, 'queue.declare', { queue: dlq, passive: true })
    await dead.close()
    await c.close()
  }),
]

const ttlScenarios: Scenario[] = [
  scenario('ttl', 'ttl-queue-expiry-dead-lettered-then-get-empty', 'x-message-ttl 100: the message expires (dead-lettered with reason expired), then basic.get is empty', async (t) => {
    const { c: dead, q: dlq } = await sink(t)
    const c = await t.open()
    const q = t.q('work')
    await declareQueue(c, 1, q, { exclusive: true, arguments: dlxTo(dlq, { 'x-message-ttl': 100 }) })
    publish(c, 1, q, 'short-lived', { messageId: 't1' })
    await dead.expect(1, 'basic.deliver')
    await get(c, 1, q, true)
    await c.call(1, 'queue.declare', { queue: q, passive: true })
    await dead.close()
    await c.close()
  }),
  scenario('ttl', 'ttl-queue-expiry-without-dlx', 'x-message-ttl 100 without a DLX: after 300 ms (broker clock) basic.get is empty', async (t) => {
    const c = await t.open()
    const q = t.q('work')
    await declareQueue(c, 1, q, { exclusive: true, arguments: { 'x-message-ttl': 100 } })
    await fill(c, 1, q, ['gone'])
    await brokerDelay(t, 300)
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('ttl', 'ttl-per-message-expiry-at-head-on-get', 'per-message expiration 50 with no DLX: an expired head message is not returned by basic.get', async (t) => {
    const c = await t.open()
    const q = t.q('work')
    await declareQueue(c, 1, q, { exclusive: true })
    await fill(c, 1, q, ['brief'], { expiration: '50' })
    await brokerDelay(t, 250)
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('ttl', 'ttl-per-message-shorter-than-queue', 'expiration 100 under a queue TTL of 60 s: the message expires at 100 ms; the next one (no expiration) stays', async (t) => {
    const { c: dead, q: dlq } = await sink(t)
    const c = await t.open()
    const q = t.q('work')
    await declareQueue(c, 1, q, { exclusive: true, arguments: dlxTo(dlq, { 'x-message-ttl': 60000 }) })
    await c.call(1, 'confirm.select')
    publish(c, 1, q, 'brief', { expiration: '100' })
    publish(c, 1, q, 'stays')
    await c.confirmAll(1)
    await dead.expect(1, 'basic.deliver')
    await get(c, 1, q, true)
    await get(c, 1, q, true)
    await dead.close()
    await c.close()
  }),
  scenario('ttl', 'ttl-queue-shorter-than-per-message', 'a queue TTL of 100 under a message expiration of 60 s: the queue TTL wins; x-death keeps original-expiration', async (t) => {
    const { c: dead, q: dlq } = await sink(t)
    const c = await t.open()
    const q = t.q('work')
    await declareQueue(c, 1, q, { exclusive: true, arguments: dlxTo(dlq, { 'x-message-ttl': 100 }) })
    publish(c, 1, q, 'queue ttl', { expiration: '60000' })
    await dead.expect(1, 'basic.deliver')
    await dead.close()
    await c.close()
  }),
  scenario('ttl', 'ttl-expiration-zero-to-waiting-consumer', "expiration '0' with a consumer ready: delivered, the property intact", async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    await consume(c, 1, q, 'ready', { noAck: true })
    publish(c, 1, q, 'now', { expiration: '0' })
    await c.expect(1, 'basic.deliver')
    await c.close()
  }),
  scenario('ttl', 'ttl-expiration-zero-dead-lettered', "expiration '0' with no consumer and a DLX: dead-lettered at once (reason expired, original-expiration '0')", async (t) => {
    const { c: dead, q: dlq } = await sink(t)
    const c = await t.open()
    const q = t.q('work')
    await declareQueue(c, 1, q, { exclusive: true, arguments: dlxTo(dlq) })
    publish(c, 1, q, 'zero', { expiration: '0' })
    await dead.expect(1, 'basic.deliver')
    await get(c, 1, q, true)
    await dead.close()
    await c.close()
  }),
  scenario('ttl', 'ttl-queue-ttl-zero-to-waiting-consumer', 'x-message-ttl 0 with a consumer ready: delivered', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true, arguments: { 'x-message-ttl': 0 } })
    await consume(c, 1, q, 'ready', { noAck: true })
    publish(c, 1, q, 'just in time')
    await c.expect(1, 'basic.deliver')
    await c.close()
  }),
  scenario('ttl', 'ttl-expired-dead-lettered-in-order', 'three messages expiring together are dead-lettered in publish order, each with reason expired', async (t) => {
    const { c: dead, q: dlq } = await sink(t)
    const c = await t.open()
    const q = t.q('work')
    await declareQueue(c, 1, q, { exclusive: true, arguments: dlxTo(dlq, { 'x-message-ttl': 100 }) })
    await fill(c, 1, q, ['first', 'second', 'third'])
    for (let i = 0; i < 3; i++) await dead.expect(1, 'basic.deliver')
    await dead.close()
    await c.close()
  }),
  scenario('ttl', 'ttl-x-expires-deletes-unused-queue', 'x-expires 100 on a queue nobody uses: gone after 400 ms (broker clock), passive declare 404', async (t) => {
    const c = await t.open()
    const q = t.q('expiring')
    await declareQueue(c, 1, q, { arguments: { 'x-expires': 100 } })
    await brokerDelay(t, 400)
    c.send(1, 'queue.declare', { queue: q, passive: true })
    await c.outcome(1, 'queue.declare-ok')
    await c.close()
  }),
  scenario('ttl', 'ttl-x-expires-kept-while-consumed', 'x-expires 100 on a queue with a consumer: still there after 400 ms', async (t) => {
    const c = await t.open()
    const q = t.q('consumed')
    await declareQueue(c, 1, q, { arguments: { 'x-expires': 100 } })
    await consume(c, 1, q, 'keeper', { noAck: true })
    await brokerDelay(t, 400)
    await c.call(1, 'queue.declare', { queue: q, passive: true })
    await c.call(1, 'basic.cancel', { consumerTag: 'keeper' })
    await c.call(1, 'queue.delete', { queue: q })
    await c.close()
  }),
]

const lengthScenarios: Scenario[] = [
  scenario('length', 'maxlen-drop-head-dead-lettered', 'x-max-length 2, four publishes: the two oldest are dead-lettered with reason maxlen, the newest stay', async (t) => {
    const { c: dead, q: dlq } = await sink(t)
    const c = await t.open()
    const q = t.q('work')
    await declareQueue(c, 1, q, { exclusive: true, arguments: dlxTo(dlq, { 'x-max-length': 2 }) })
    await fill(c, 1, q, ['m1', 'm2', 'm3', 'm4'])
    await dead.expect(1, 'basic.deliver')
    await dead.expect(1, 'basic.deliver')
    await get(c, 1, q, true)
    await get(c, 1, q, true)
    await get(c, 1, q, true)
    await dead.close()
    await c.close()
  }),
  scenario('length', 'maxlen-bytes-drop-head-dead-lettered', 'x-max-length-bytes 10 with three 4-byte bodies: the oldest is dead-lettered (maxlen)', async (t) => {
    const { c: dead, q: dlq } = await sink(t)
    const c = await t.open()
    const q = t.q('work')
    await declareQueue(c, 1, q, { exclusive: true, arguments: dlxTo(dlq, { 'x-max-length-bytes': 10 }) })
    await fill(c, 1, q, ['aaaa', 'bbbb', 'cccc'])
    await dead.expect(1, 'basic.deliver')
    await c.call(1, 'queue.declare', { queue: q, passive: true })
    await get(c, 1, q, true)
    await dead.close()
    await c.close()
  }),
  scenario('length', 'maxlen-reject-publish-confirms', 'x-overflow reject-publish, x-max-length 2, confirms: tags 1-2 acked, 3-4 nacked; the first two are kept', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true, arguments: { 'x-max-length': 2, 'x-overflow': 'reject-publish' } })
    await fill(c, 1, q, ['m1', 'm2', 'm3', 'm4'])
    await c.call(1, 'queue.declare', { queue: q, passive: true })
    await get(c, 1, q, true)
    await get(c, 1, q, true)
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('length', 'maxlen-reject-publish-not-dead-lettered', 'reject-publish with a DLX: refused messages are nacked and not dead-lettered', async (t) => {
    const { c: dead, q: dlq } = await sink(t)
    const c = await t.open()
    const q = t.q('work')
    await declareQueue(c, 1, q, { exclusive: true, arguments: dlxTo(dlq, { 'x-max-length': 1, 'x-overflow': 'reject-publish' }) })
    await fill(c, 1, q, ['kept', 'refused'])
    await dead.call(1, 'queue.declare', { queue: dlq, passive: true })
    await get(c, 1, q, true)
    await dead.close()
    await c.close()
  }),
  scenario('length', 'maxlen-reject-publish-dlx', 'reject-publish-dlx: refused messages are nacked and dead-lettered with reason maxlen', async (t) => {
    const { c: dead, q: dlq } = await sink(t)
    const c = await t.open()
    const q = t.q('work')
    await declareQueue(c, 1, q, { exclusive: true, arguments: dlxTo(dlq, { 'x-max-length': 1, 'x-overflow': 'reject-publish-dlx' }) })
    await fill(c, 1, q, ['kept', 'refused-1', 'refused-2'])
    await dead.expect(1, 'basic.deliver')
    await dead.expect(1, 'basic.deliver')
    await get(c, 1, q, true)
    await get(c, 1, q, true)
    await dead.close()
    await c.close()
  }),
  scenario('length', 'maxlen-reject-publish-bytes', 'reject-publish with x-max-length-bytes 5: which publishes are nacked as the byte total grows', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true, arguments: { 'x-max-length-bytes': 5, 'x-overflow': 'reject-publish' } })
    await fill(c, 1, q, ['abc', 'de', 'f', 'gh'])
    await c.call(1, 'queue.declare', { queue: q, passive: true })
    for (let i = 0; i < 4; i++) await get(c, 1, q, true)
    await c.close()
  }),
  scenario('length', 'maxlen-reject-publish-space-freed', 'reject-publish: once a get frees room, the next publish is acked again', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true, arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } })
    await fill(c, 1, q, ['one', 'two'])
    await get(c, 1, q, true)
    publish(c, 1, q, 'three')
    await c.confirmAll(1)
    await get(c, 1, q, true)
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('length', 'maxlen-zero-reject-publish', 'x-max-length 0 with reject-publish: every publish is nacked', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true, arguments: { 'x-max-length': 0, 'x-overflow': 'reject-publish' } })
    await fill(c, 1, q, ['a', 'b'])
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('length', 'maxlen-unacked-not-counted', 'x-max-length 1 counts ready messages only: an unacked one does not push the next out; requeuing it over the limit drops it (drop-head)', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true, arguments: { 'x-max-length': 1 } })
    await fill(c, 1, q, ['first'])
    await get(c, 1, q)
    publish(c, 1, q, 'second')
    await c.confirmAll(1)
    await c.call(1, 'queue.declare', { queue: q, passive: true })
    c.send(1, 'basic.reject', { deliveryTag: 1, requeue: true })
    await c.call(1, 'queue.declare', { queue: q, passive: true })
    await get(c, 1, q, true)
    await get(c, 1, q, true)
    await c.close()
  }),
]

const priorityScenarios: Scenario[] = [
  scenario('priority', 'priority-above-max-is-capped', 'x-max-priority 5: priority 9 counts as 5 (FIFO with other 5s) but the property is delivered as sent', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true, arguments: { 'x-max-priority': 5 } })
    const msgs: [string, number | undefined][] = [['p4', 4], ['p5a', 5], ['p9', 9], ['none', undefined], ['p5b', 5], ['p0', 0]]
    await c.call(1, 'confirm.select')
    for (const [b, p] of msgs) publish(c, 1, q, b, p === undefined ? {} : { priority: p })
    await c.confirmAll(1)
    for (let i = 0; i <= msgs.length; i++) await get(c, 1, q, true)
    await c.close()
  }),
  scenario('priority', 'priority-consumer-gets-priority-order', 'messages queued before a consumer arrives are delivered highest priority first', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true, arguments: { 'x-max-priority': 10 } })
    await c.call(1, 'confirm.select')
    for (const [b, p] of [['low', 1], ['high', 8], ['mid', 4], ['high2', 8]] as const) publish(c, 1, q, b, { priority: p })
    await c.confirmAll(1)
    await c.openChannel(2)
    await consume(c, 2, q, 'reader', { noAck: true })
    for (let i = 0; i < 4; i++) await c.expect(2, 'basic.deliver')
    await c.close()
  }),
  scenario('priority', 'priority-requeue-keeps-priority', 'a requeued high-priority message comes back before lower ones', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true, arguments: { 'x-max-priority': 10 } })
    await c.call(1, 'confirm.select')
    publish(c, 1, q, 'low', { priority: 1 })
    publish(c, 1, q, 'high', { priority: 9 })
    publish(c, 1, q, 'mid', { priority: 5 })
    await c.confirmAll(1)
    await get(c, 1, q)
    await get(c, 1, q)
    c.send(1, 'basic.reject', { deliveryTag: 1, requeue: true })
    await get(c, 1, q, true)
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('priority', 'priority-consumers-by-x-priority', 'two consumers with prefetch 1: x-priority 10 gets the first message, x-priority 1 the second, the third waits for the high one', async (t) => {
    const low = await t.open()
    const q = t.q()
    await declareQueue(low, 1, q)
    await low.call(1, 'basic.qos', { prefetchCount: 1 })
    await consume(low, 1, q, 'low', { arguments: { 'x-priority': 1 } })
    const high = await t.open()
    await high.call(1, 'basic.qos', { prefetchCount: 1 })
    await consume(high, 1, q, 'high', { arguments: { 'x-priority': 10 } })
    const pub = await t.open()
    await fill(pub, 1, q, ['m1', 'm2', 'm3'])
    await high.expect(1, 'basic.deliver')
    await low.expect(1, 'basic.deliver')
    high.send(1, 'basic.ack', { deliveryTag: 1 })
    await high.expect(1, 'basic.deliver')
    high.send(1, 'basic.ack', { deliveryTag: 2 })
    low.send(1, 'basic.ack', { deliveryTag: 1 })
    await pub.call(1, 'queue.declare', { queue: q, passive: true })
    await high.close()
    await low.close()
    await pub.call(1, 'queue.delete', { queue: q })
    await pub.close()
  }),
  scenario('priority', 'priority-consumer-negative-x-priority', 'a consumer with x-priority -5 gets nothing while a default-priority consumer can take messages', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    await consume(c, 1, q, 'below', { noAck: true, arguments: { 'x-priority': -5 } })
    await consume(c, 1, q, 'normal', { noAck: true })
    publish(c, 1, q, 'a')
    publish(c, 1, q, 'b')
    await c.expect(1, 'basic.deliver')
    await c.expect(1, 'basic.deliver')
    await c.close()
  }),
]

const singleActiveScenarios: Scenario[] = [
  scenario('single-active', 'sac-only-first-consumer', 'x-single-active-consumer: the first consumer gets every message; after it cancels, the second does', async (t) => {
    const a = await t.open()
    const q = t.q()
    await declareQueue(a, 1, q, { arguments: { 'x-single-active-consumer': true } })
    await consume(a, 1, q, 'first', { noAck: true })
    const b = await t.open()
    await consume(b, 1, q, 'second', { noAck: true })
    const pub = await t.open()
    await fill(pub, 1, q, ['m1', 'm2', 'm3'])
    for (let i = 0; i < 3; i++) await a.expect(1, 'basic.deliver')
    await pub.call(1, 'queue.declare', { queue: q, passive: true })
    await a.call(1, 'basic.cancel', { consumerTag: 'first' })
    publish(pub, 1, q, 'm4')
    publish(pub, 1, q, 'm5')
    await pub.confirmAll(1)
    await b.expect(1, 'basic.deliver')
    await b.expect(1, 'basic.deliver')
    await b.close()
    await a.close()
    await pub.call(1, 'queue.delete', { queue: q })
    await pub.close()
  }),
  scenario('single-active', 'sac-channel-close-hands-over', "the active consumer's channel closes: its unacked messages go, redelivered, to the next consumer", async (t) => {
    const a = await t.open()
    const q = t.q()
    await declareQueue(a, 1, q, { arguments: { 'x-single-active-consumer': true } })
    await fill(a, 1, q, ['m1', 'm2'])
    await a.openChannel(2)
    await consume(a, 2, q, 'first')
    await a.expect(2, 'basic.deliver')
    await a.expect(2, 'basic.deliver')
    const b = await t.open()
    await consume(b, 1, q, 'second')
    await a.closeChannel(2)
    await b.expect(1, 'basic.deliver')
    await b.expect(1, 'basic.deliver')
    b.send(1, 'basic.ack', { deliveryTag: 2, multiple: true })
    await b.call(1, 'queue.delete', { queue: q })
    await b.close()
    await a.close()
  }),
  scenario('single-active', 'sac-cancel-with-unacked', 'the active consumer cancels holding an unacked message: the next consumer becomes active, but RabbitMQ 3.10 leaves the queued backlog undelivered (only new publishes reach it)', async (t) => {
    const a = await t.open()
    const q = t.q()
    await declareQueue(a, 1, q, { arguments: { 'x-single-active-consumer': true } })
    await fill(a, 1, q, ['m1', 'm2'])
    await a.openChannel(2)
    await a.call(2, 'basic.qos', { prefetchCount: 1 })
    await consume(a, 2, q, 'first')
    await a.expect(2, 'basic.deliver')
    const b = await t.open()
    await consume(b, 1, q, 'second', { noAck: true })
    await a.call(2, 'basic.cancel', { consumerTag: 'first' })
    a.send(2, 'basic.ack', { deliveryTag: 1 })
    await a.call(2, 'queue.declare', { queue: q, passive: true })
    publish(a, 1, q, 'm3')
    await a.confirmAll(1)
    await b.expect(1, 'basic.deliver')
    await brokerDelay(t, 200)
    await a.call(2, 'queue.declare', { queue: q, passive: true })
    await b.close()
    await a.call(2, 'queue.delete', { queue: q })
    await a.close()
  }),
]

const alternateExchangeScenarios: Scenario[] = [
  scenario('alternate-exchange', 'ae-keeps-exchange-and-key', 'a message routed through the AE keeps its original exchange and routing key; the AE binding matches that key', async (t) => {
    const c = await t.open()
    const x = t.x('main'), ae = t.x('ae'), q = t.q('orders'), other = t.q('other')
    await declareExchange(c, 1, ae, 'topic')
    await declareExchange(c, 1, x, 'direct', { arguments: { 'alternate-exchange': ae } })
    await declareQueue(c, 1, q, { exclusive: true })
    await bindQueue(c, 1, q, ae, 'orders.*')
    await declareQueue(c, 1, other, { exclusive: true })
    await bindQueue(c, 1, other, ae, 'invoices.*')
    publish(c, 1, 'orders.new', 'via ae', {}, x)
    await get(c, 1, q, true)
    await get(c, 1, other, true)
    await c.close()
  }),
  scenario('alternate-exchange', 'ae-not-used-when-routable', 'a routable message does not reach the AE', async (t) => {
    const c = await t.open()
    const x = t.x('main'), ae = t.x('ae'), q = t.q('direct'), caught = t.q('caught')
    await declareExchange(c, 1, ae, 'fanout')
    await declareExchange(c, 1, x, 'direct', { arguments: { 'alternate-exchange': ae } })
    await declareQueue(c, 1, q, { exclusive: true })
    await bindQueue(c, 1, q, x, 'k')
    await declareQueue(c, 1, caught, { exclusive: true })
    await bindQueue(c, 1, caught, ae)
    publish(c, 1, 'k', 'routed', {}, x)
    await get(c, 1, q, true)
    await get(c, 1, caught, true)
    await c.close()
  }),
  scenario('alternate-exchange', 'ae-mandatory-confirm-no-return', 'mandatory publish caught by the AE under confirms: ack, no basic.return', async (t) => {
    const c = await t.open()
    const x = t.x('main'), ae = t.x('ae'), q = t.q()
    await declareExchange(c, 1, ae, 'fanout')
    await declareExchange(c, 1, x, 'direct', { arguments: { 'alternate-exchange': ae } })
    await declareQueue(c, 1, q, { exclusive: true })
    await bindQueue(c, 1, q, ae)
    await c.call(1, 'confirm.select')
    publish(c, 1, 'nowhere', 'caught', {}, x, { mandatory: true })
    await c.confirmAll(1)
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('alternate-exchange', 'ae-missing-confirm-dropped', 'an AE that does not exist, no mandatory, under confirms: acked and dropped', async (t) => {
    const c = await t.open()
    const x = t.x('main')
    await declareExchange(c, 1, x, 'direct', { arguments: { 'alternate-exchange': t.x('missing') } })
    await c.call(1, 'confirm.select')
    publish(c, 1, 'nowhere', 'dropped', {}, x)
    await c.confirmAll(1)
    await c.close()
  }),
  scenario('alternate-exchange', 'ae-chain', 'an AE with its own AE: the message falls through both', async (t) => {
    const c = await t.open()
    const x = t.x('main'), ae1 = t.x('ae1'), ae2 = t.x('ae2'), q = t.q()
    await declareExchange(c, 1, ae2, 'fanout')
    await declareExchange(c, 1, ae1, 'direct', { arguments: { 'alternate-exchange': ae2 } })
    await declareExchange(c, 1, x, 'direct', { arguments: { 'alternate-exchange': ae1 } })
    await declareQueue(c, 1, q, { exclusive: true })
    await bindQueue(c, 1, q, ae2)
    publish(c, 1, 'nowhere', 'twice removed', {}, x, { mandatory: true })
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('alternate-exchange', 'ae-unroutable-too-returned', 'an AE that cannot route either: a mandatory message is returned 312 NO_ROUTE naming the original exchange', async (t) => {
    const c = await t.open()
    const x = t.x('main'), ae = t.x('ae')
    await declareExchange(c, 1, ae, 'direct')
    await declareExchange(c, 1, x, 'direct', { arguments: { 'alternate-exchange': ae } })
    await c.call(1, 'confirm.select')
    publish(c, 1, 'nowhere', 'returned', {}, x, { mandatory: true })
    await c.confirmAll(1)
    await c.close()
  }),
  scenario('alternate-exchange', 'ae-cycle', 'two exchanges that are each other\'s AE: no loop, a mandatory message is returned', async (t) => {
    const c = await t.open()
    const a = t.x('a'), b = t.x('b')
    await declareExchange(c, 1, a, 'direct', { arguments: { 'alternate-exchange': b } })
    await declareExchange(c, 1, b, 'direct', { arguments: { 'alternate-exchange': a } })
    await c.call(1, 'confirm.select')
    publish(c, 1, 'nowhere', 'looping', {}, a, { mandatory: true })
    await c.confirmAll(1)
    await c.close()
  }),
  scenario('alternate-exchange', 'ae-internal-exchange', 'an internal exchange can serve as AE (clients cannot publish to it directly)', async (t) => {
    const c = await t.open()
    const x = t.x('main'), ae = t.x('ae'), q = t.q()
    await declareExchange(c, 1, ae, 'fanout', { internal: true })
    await declareExchange(c, 1, x, 'direct', { arguments: { 'alternate-exchange': ae } })
    await declareQueue(c, 1, q, { exclusive: true })
    await bindQueue(c, 1, q, ae)
    publish(c, 1, 'nowhere', 'internal ae', {}, x)
    await get(c, 1, q, true)
    await c.close()
  }),
]

const REPLY_TO = 'amq.rabbitmq.reply-to'

const replyToScenarios: Scenario[] = [
  scenario('reply-to', 'reply-to-round-trip', 'direct reply-to: the server sees a generated reply_to, publishes to it on the default exchange, the requester gets it', async (t) => {
    const client = await t.open()
    await consume(client, 1, REPLY_TO, 'replies', { noAck: true })
    const server = await t.open()
    const q = t.q('rpc')
    await declareQueue(server, 1, q)
    await client.call(1, 'confirm.select')
    publish(client, 1, q, 'ping', { replyTo: REPLY_TO, correlationId: 'r1' })
    await client.confirmAll(1)
    const req = await get(server, 1, q, true)
    const replyTo = (req.props?.replyTo as string | undefined) ?? REPLY_TO
    publish(server, 1, replyTo, 'pong', { correlationId: 'r1' })
    await client.expect(1, 'basic.deliver')
    await server.call(1, 'queue.delete', { queue: q })
    await server.close()
    await client.close()
  }),
  scenario('reply-to', 'reply-to-same-channel', 'a requester answering its own request on the same channel: a mandatory reply to a reply-to address is returned 312 NO_ROUTE and also delivered', async (t) => {
    const c = await t.open()
    const q = t.q('rpc')
    await declareQueue(c, 1, q, { exclusive: true })
    await consume(c, 1, REPLY_TO, 'replies', { noAck: true })
    publish(c, 1, q, 'ping', { replyTo: REPLY_TO })
    const req = await get(c, 1, q, true)
    publish(c, 1, (req.props?.replyTo as string | undefined) ?? REPLY_TO, 'pong', {}, '', { mandatory: true })
    await c.expect(1, 'basic.deliver')
    await c.close()
  }),
  scenario('reply-to', 'reply-to-consume-with-ack-refused', 'consuming amq.rabbitmq.reply-to without no-ack: 406', async (t) => {
    const c = await t.open()
    c.send(1, 'basic.consume', { queue: REPLY_TO, consumerTag: 'replies', noAck: false })
    if ((await c.outcome(1, 'basic.consume-ok')) === 'basic.consume-ok') await c.close()
  }),
  scenario('reply-to', 'reply-to-publish-without-consumer-refused', 'publishing with reply_to amq.rabbitmq.reply-to without a reply consumer on the channel: 406', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    publish(c, 1, q, 'orphan', { replyTo: REPLY_TO })
    c.send(1, 'basic.qos', { prefetchCount: 1 })
    if ((await c.outcome(1, 'basic.qos-ok')) === 'basic.qos-ok') await c.close()
  }),
  scenario('reply-to', 'reply-to-consume-twice', 'a second reply consumer on the same channel', async (t) => {
    const c = await t.open()
    await consume(c, 1, REPLY_TO, 'one', { noAck: true })
    c.send(1, 'basic.consume', { queue: REPLY_TO, consumerTag: 'two', noAck: true })
    if ((await c.outcome(1, 'basic.consume-ok')) === 'basic.consume-ok') await c.close()
  }),
  scenario('reply-to', 'reply-to-after-cancel', 'after the reply consumer is cancelled, publishing with reply_to amq.rabbitmq.reply-to', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    await consume(c, 1, REPLY_TO, 'replies', { noAck: true })
    await c.call(1, 'basic.cancel', { consumerTag: 'replies' })
    publish(c, 1, q, 'late', { replyTo: REPLY_TO })
    c.send(1, 'basic.qos', { prefetchCount: 1 })
    if ((await c.outcome(1, 'basic.qos-ok')) === 'basic.qos-ok') {
      await get(c, 1, q, true)
      await c.close()
    }
  }),
  scenario('reply-to', 'reply-to-passive-declare', 'queue.declare passive of amq.rabbitmq.reply-to', async (t) => {
    const c = await t.open()
    c.send(1, 'queue.declare', { queue: REPLY_TO, passive: true })
    if ((await c.outcome(1, 'queue.declare-ok')) === 'queue.declare-ok') await c.close()
  }),
  scenario('reply-to', 'reply-to-gone-requester-mandatory', 'replying to a requester whose channel closed: the mandatory reply is returned 312 NO_ROUTE', async (t) => {
    const client = await t.open()
    await consume(client, 1, REPLY_TO, 'replies', { noAck: true })
    const server = await t.open()
    const q = t.q('rpc')
    await declareQueue(server, 1, q)
    await client.call(1, 'confirm.select')
    publish(client, 1, q, 'ping', { replyTo: REPLY_TO })
    await client.confirmAll(1)
    await client.closeChannel(1)
    const req = await get(server, 1, q, true)
    await server.call(1, 'confirm.select')
    publish(server, 1, (req.props?.replyTo as string | undefined) ?? REPLY_TO, 'pong', {}, '', { mandatory: true })
    await server.confirmAll(1)
    await server.call(1, 'queue.delete', { queue: q })
    await server.close()
    await client.close()
  }),
]

const quorumScenarios: Scenario[] = [
  scenario('quorum', 'quorum-declare-redeclare-delete', 'a durable quorum queue: declare, equivalent redeclare, passive, delete', async (t) => {
    const c = await t.open()
    const q = t.q()
    if (!(await declareSlow(c, 1, q, QUORUM))) return
    await c.call(1, 'queue.declare', { queue: q, durable: true, arguments: QUORUM })
    await c.call(1, 'queue.declare', { queue: q, passive: true })
    await c.call(1, 'queue.delete', { queue: q })
    await c.close()
  }),
  scenario('quorum', 'quorum-delivery-count', 'quorum queue redeliveries carry x-delivery-count 1, then 2', async (t) => {
    const c = await t.open()
    const q = t.q()
    if (!(await declareSlow(c, 1, q, QUORUM))) return
    await fill(c, 1, q, ['counted'])
    await c.openChannel(2)
    await c.call(2, 'basic.qos', { prefetchCount: 1 })
    await consume(c, 2, q, 'qc')
    for (let i = 1; i <= 3; i++) {
      const d = await c.expect(2, 'basic.deliver', SLOW_MS)
      if (i < 3) c.send(2, 'basic.reject', { deliveryTag: d.args.deliveryTag, requeue: true })
      else c.send(2, 'basic.ack', { deliveryTag: d.args.deliveryTag })
    }
    await c.call(2, 'basic.cancel', { consumerTag: 'qc' })
    await c.call(2, 'queue.delete', { queue: q })
    await c.close()
  }),
  scenario('quorum', 'quorum-delivery-count-get', 'basic.get from a quorum queue after nack with requeue: x-delivery-count on the redelivery', async (t) => {
    const c = await t.open()
    const q = t.q()
    if (!(await declareSlow(c, 1, q, QUORUM))) return
    await fill(c, 1, q, ['again'])
    await get(c, 1, q)
    c.send(1, 'basic.nack', { deliveryTag: 1, requeue: true })
    await get(c, 1, q)
    c.send(1, 'basic.ack', { deliveryTag: 2 })
    await c.call(1, 'queue.delete', { queue: q })
    await c.close()
  }),
  scenario('quorum', 'quorum-delivery-limit-dead-letter', 'x-delivery-limit 1: the second requeue dead-letters the message with reason delivery_limit', async (t) => {
    const { c: dead, q: dlq } = await sink(t)
    const c = await t.open()
    const q = t.q('work')
    if (!(await declareSlow(c, 1, q, { ...QUORUM, ...dlxTo(dlq), 'x-delivery-limit': 1 }))) return
    await fill(c, 1, q, ['poison'])
    await c.openChannel(2)
    await c.call(2, 'basic.qos', { prefetchCount: 1 })
    await consume(c, 2, q, 'qc')
    for (let i = 1; i <= 2; i++) {
      const d = await c.expect(2, 'basic.deliver', SLOW_MS)
      c.send(2, 'basic.reject', { deliveryTag: d.args.deliveryTag, requeue: true })
    }
    await dead.expect(1, 'basic.deliver', SLOW_MS)
    await c.call(2, 'basic.cancel', { consumerTag: 'qc' })
    await c.call(2, 'queue.delete', { queue: q })
    await dead.close()
    await c.close()
  }),
  scenario('quorum', 'quorum-reject-dead-letter', 'a quorum queue dead-letters a rejected message with x-death (reason rejected)', async (t) => {
    const { c: dead, q: dlq } = await sink(t)
    const c = await t.open()
    const q = t.q('work')
    if (!(await declareSlow(c, 1, q, { ...QUORUM, ...dlxTo(dlq) }))) return
    await fill(c, 1, q, ['rejected'])
    await get(c, 1, q)
    c.send(1, 'basic.reject', { deliveryTag: 1, requeue: false })
    await dead.expect(1, 'basic.deliver', SLOW_MS)
    await c.call(1, 'queue.delete', { queue: q })
    await dead.close()
    await c.close()
  }),
  scenario('quorum', 'quorum-purge-and-counts', 'quorum queue declare-ok and purge-ok counts after confirmed publishes', async (t) => {
    const c = await t.open()
    const q = t.q()
    if (!(await declareSlow(c, 1, q, QUORUM))) return
    await fill(c, 1, q, ['a', 'b', 'c'])
    await c.call(1, 'queue.declare', { queue: q, passive: true })
    await c.call(1, 'queue.purge', { queue: q })
    await get(c, 1, q, true)
    await c.call(1, 'queue.delete', { queue: q })
    await c.close()
  }),
  refusal('quorum', 'quorum-declare-non-durable-refused', 'a non-durable quorum queue: 406', QUORUM, { durable: false }),
  refusal('quorum', 'quorum-declare-exclusive-refused', 'a durable exclusive quorum queue: 406', QUORUM, { exclusive: true }),
  refusal('quorum', 'quorum-declare-auto-delete-refused', 'a durable auto-delete quorum queue: 406', QUORUM, { autoDelete: true }),
  refusal('quorum', 'quorum-declare-max-priority', 'x-max-priority on a quorum queue: 406 invalid arg of queue type rabbit_quorum_queue', { ...QUORUM, 'x-max-priority': 5 }, {}),
  refusal('quorum', 'quorum-declare-reject-publish-dlx', 'x-overflow reject-publish-dlx on a quorum queue: accepted by 3.10', { ...QUORUM, 'x-overflow': 'reject-publish-dlx' }, {}),
  scenario('quorum', 'quorum-redeclare-as-classic', 'redeclaring a quorum queue without x-queue-type: 406 inequivalent arg', async (t) => {
    const c = await t.open()
    const q = t.q()
    if (!(await declareSlow(c, 1, q, QUORUM))) return
    c.send(1, 'queue.declare', { queue: q, durable: true })
    if ((await c.outcome(1, 'queue.declare-ok')) === 'queue.declare-ok') await c.close()
  }),
  scenario('quorum', 'quorum-global-qos-consume', 'basic.qos global then consuming from a quorum queue: 540 does not support global qos', async (t) => {
    const c = await t.open()
    const q = t.q()
    if (!(await declareSlow(c, 1, q, QUORUM))) return
    await c.call(1, 'basic.qos', { prefetchCount: 5, global: true })
    c.send(1, 'basic.consume', { queue: q, consumerTag: 'global' })
    if ((await c.outcome(1, 'basic.consume-ok')) === 'basic.consume-ok') await c.close()
  }),
]

const streamScenarios: Scenario[] = [
  scenario('stream', 'stream-declare', 'a durable stream: declare, passive, delete', async (t) => {
    const c = await t.open()
    const q = t.q()
    if (!(await declareSlow(c, 1, q, STREAM))) return
    await c.call(1, 'queue.declare', { queue: q, passive: true })
    await c.call(1, 'queue.delete', { queue: q })
    await c.close()
  }),
  scenario('stream', 'stream-consume-first', "x-stream-offset 'first' with prefetch: every message, each with an x-stream-offset header", async (t) => {
    const c = await t.open()
    const q = t.q()
    if (!(await declareSlow(c, 1, q, STREAM))) return
    await fill(c, 1, q, ['s0', 's1', 's2'])
    await c.openChannel(2)
    await c.call(2, 'basic.qos', { prefetchCount: 10 })
    await consume(c, 2, q, 'reader', { arguments: { 'x-stream-offset': 'first' } })
    for (let i = 0; i < 3; i++) await c.expect(2, 'basic.deliver', SLOW_MS)
    c.send(2, 'basic.ack', { deliveryTag: 3, multiple: true })
    await c.call(2, 'basic.cancel', { consumerTag: 'reader' })
    await c.call(2, 'queue.delete', { queue: q })
    await c.close()
  }),
  scenario('stream', 'stream-consume-next', "x-stream-offset 'next': only messages published after the consumer starts", async (t) => {
    const c = await t.open()
    const q = t.q()
    if (!(await declareSlow(c, 1, q, STREAM))) return
    await fill(c, 1, q, ['old0', 'old1'])
    await c.openChannel(2)
    await c.call(2, 'basic.qos', { prefetchCount: 10 })
    await consume(c, 2, q, 'reader', { arguments: { 'x-stream-offset': 'next' } })
    publish(c, 1, q, 'new2')
    await c.confirmAll(1)
    await c.expect(2, 'basic.deliver', SLOW_MS)
    c.send(2, 'basic.ack', { deliveryTag: 1 })
    await c.call(2, 'basic.cancel', { consumerTag: 'reader' })
    await c.call(2, 'queue.delete', { queue: q })
    await c.close()
  }),
  scenario('stream', 'stream-consume-default-offset', 'no x-stream-offset: the consumer starts at next', async (t) => {
    const c = await t.open()
    const q = t.q()
    if (!(await declareSlow(c, 1, q, STREAM))) return
    await fill(c, 1, q, ['old0'])
    await c.openChannel(2)
    await c.call(2, 'basic.qos', { prefetchCount: 10 })
    await consume(c, 2, q, 'reader')
    publish(c, 1, q, 'new1')
    await c.confirmAll(1)
    await c.expect(2, 'basic.deliver', SLOW_MS)
    c.send(2, 'basic.ack', { deliveryTag: 1 })
    await c.call(2, 'basic.cancel', { consumerTag: 'reader' })
    await c.call(2, 'queue.delete', { queue: q })
    await c.close()
  }),
  scenario('stream', 'stream-consume-numeric-offset', 'x-stream-offset 1: the messages from offset 1 on', async (t) => {
    const c = await t.open()
    const q = t.q()
    if (!(await declareSlow(c, 1, q, STREAM))) return
    await fill(c, 1, q, ['s0', 's1', 's2'])
    await c.openChannel(2)
    await c.call(2, 'basic.qos', { prefetchCount: 10 })
    await consume(c, 2, q, 'reader', { arguments: { 'x-stream-offset': 1 } })
    for (let i = 0; i < 2; i++) await c.expect(2, 'basic.deliver', SLOW_MS)
    c.send(2, 'basic.ack', { deliveryTag: 2, multiple: true })
    await c.call(2, 'basic.cancel', { consumerTag: 'reader' })
    await c.call(2, 'queue.delete', { queue: q })
    await c.close()
  }),
  scenario('stream', 'stream-two-consumers-independent', 'two stream consumers each read the whole stream from first', async (t) => {
    const c = await t.open()
    const q = t.q()
    if (!(await declareSlow(c, 1, q, STREAM))) return
    await fill(c, 1, q, ['s0', 's1'])
    for (const ch of [2, 3]) {
      await c.openChannel(ch)
      await c.call(ch, 'basic.qos', { prefetchCount: 10 })
      await consume(c, ch, q, `reader${ch}`, { arguments: { 'x-stream-offset': 'first' } })
      for (let i = 0; i < 2; i++) await c.expect(ch, 'basic.deliver', SLOW_MS)
      c.send(ch, 'basic.ack', { deliveryTag: 2, multiple: true })
      await c.call(ch, 'basic.cancel', { consumerTag: `reader${ch}` })
    }
    await c.call(1, 'queue.delete', { queue: q })
    await c.close()
  }),
  scenario('stream', 'stream-get-refused', 'basic.get on a stream: 540', async (t) => {
    const c = await t.open()
    const q = t.q()
    if (!(await declareSlow(c, 1, q, STREAM))) return
    c.send(1, 'basic.get', { queue: q })
    if ((await c.outcome(1, ['basic.get-ok', 'basic.get-empty'])).startsWith('basic.')) await c.close()
  }),
  scenario('stream', 'stream-consume-no-ack-refused', 'a no-ack consumer on a stream: 540', async (t) => {
    const c = await t.open()
    const q = t.q()
    if (!(await declareSlow(c, 1, q, STREAM))) return
    await c.call(1, 'basic.qos', { prefetchCount: 10 })
    c.send(1, 'basic.consume', { queue: q, consumerTag: 'fast', noAck: true })
    if ((await c.outcome(1, 'basic.consume-ok')) === 'basic.consume-ok') await c.close()
  }),
  scenario('stream', 'stream-consume-without-prefetch-refused', 'a stream consumer without basic.qos: 406', async (t) => {
    const c = await t.open()
    const q = t.q()
    if (!(await declareSlow(c, 1, q, STREAM))) return
    c.send(1, 'basic.consume', { queue: q, consumerTag: 'unbounded' })
    if ((await c.outcome(1, 'basic.consume-ok')) === 'basic.consume-ok') await c.close()
  }),
  scenario('stream', 'stream-purge-refused', 'queue.purge on a stream: 540', async (t) => {
    const c = await t.open()
    const q = t.q()
    if (!(await declareSlow(c, 1, q, STREAM))) return
    c.send(1, 'queue.purge', { queue: q })
    if ((await c.outcome(1, 'queue.purge-ok')) === 'queue.purge-ok') await c.close()
  }),
  refusal('stream', 'stream-declare-non-durable-refused', 'a non-durable stream: 406', STREAM, { durable: false }),
  refusal('stream', 'stream-declare-exclusive-refused', 'an exclusive stream: 406', STREAM, { exclusive: true }),
  refusal('stream', 'stream-declare-auto-delete-refused', 'an auto-delete stream: 406', STREAM, { autoDelete: true }),
]

/** One headers exchange, one queue per x-match mode; three messages; then every queue drained. */
const HEADER_BINDINGS: [string, FieldTable][] = [
  ['all', { 'x-match': 'all', a: '1', 'x-k': 'v' }],
  ['any', { 'x-match': 'any', a: '1', b: '2' }],
  ['all-with-x', { 'x-match': 'all-with-x', a: '1', 'x-k': 'v' }],
  ['any-with-x', { 'x-match': 'any-with-x', 'x-k': 'v', b: '2' }],
]

const headersScenarios: Scenario[] = [
  scenario('headers', 'headers-x-match-modes-end-to-end', 'all, any, all-with-x and any-with-x bindings side by side: which messages each queue receives', async (t) => {
    const c = await t.open()
    const x = t.x()
    await declareExchange(c, 1, x, 'headers')
    for (const [mode, args] of HEADER_BINDINGS) {
      await declareQueue(c, 1, t.q(mode), { exclusive: true })
      await bindQueue(c, 1, t.q(mode), x, '', args)
    }
    await c.call(1, 'confirm.select')
    publish(c, 1, '', 'a1 xv', { headers: { a: '1', 'x-k': 'v' } }, x)
    publish(c, 1, '', 'xv only', { headers: { 'x-k': 'v' } }, x)
    publish(c, 1, '', 'a1 xw', { headers: { a: '1', 'x-k': 'w' } }, x)
    publish(c, 1, '', 'b2', { headers: { b: '2' } }, x)
    await c.confirmAll(1)
    for (const [mode] of HEADER_BINDINGS) {
      for (let i = 0; i < 5; i++) if ((await get(c, 1, t.q(mode), true)).method === 'basic.get-empty') break
    }
    await c.close()
  }),
  scenario('headers', 'headers-exchange-to-exchange-any-with-x', 'an exchange-to-exchange binding with x-match any-with-x', async (t) => {
    const c = await t.open()
    const src = t.x('src'), dst = t.x('dst'), q = t.q()
    await declareExchange(c, 1, src, 'headers')
    await declareExchange(c, 1, dst, 'fanout')
    await c.call(1, 'exchange.bind', { destination: dst, source: src, arguments: { 'x-match': 'any-with-x', 'x-trace': 'on' } })
    await declareQueue(c, 1, q, { exclusive: true })
    await bindQueue(c, 1, q, dst)
    await c.call(1, 'confirm.select')
    publish(c, 1, '', 'traced', { headers: { 'x-trace': 'on' } }, src)
    publish(c, 1, '', 'untraced', { headers: { 'x-trace': 'off' } }, src)
    await c.confirmAll(1)
    await get(c, 1, q, true)
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('headers', 'headers-all-with-x-requires-x-headers', 'all-with-x with only plain keys matching: no route; with the x- header too: routed', async (t) => {
    const c = await t.open()
    const x = t.x(), q = t.q()
    await declareExchange(c, 1, x, 'headers')
    await declareQueue(c, 1, q, { exclusive: true })
    await bindQueue(c, 1, q, x, '', { 'x-match': 'all-with-x', kind: 'order', 'x-region': 'eu' })
    await c.call(1, 'confirm.select')
    publish(c, 1, '', 'plain only', { headers: { kind: 'order' } }, x, { mandatory: true })
    publish(c, 1, '', 'both', { headers: { kind: 'order', 'x-region': 'eu' } }, x, { mandatory: true })
    await c.confirmAll(1)
    await get(c, 1, q, true)
    await get(c, 1, q, true)
    await c.close()
  }),
]

export const extensionScenarios: Scenario[] = [
  ...deadLetterScenarios,
  ...ttlScenarios,
  ...lengthScenarios,
  ...priorityScenarios,
  ...singleActiveScenarios,
  ...alternateExchangeScenarios,
  ...replyToScenarios,
  ...quorumScenarios,
  ...streamScenarios,
  ...headersScenarios,
]
