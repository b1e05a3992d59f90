// Routing: the default exchange, direct, fanout, topic patterns (*, #, empty words), headers
// matching (x-match all/any, types, x- keys), and one copy per queue however many bindings match.
import { scenario, type Scenario } from '../scenario.js'
import type { BasicProperties } from '../../src/wire/codec.js'
import { Typed, type FieldTable } from '../../src/wire/field-table.js'
import { bindQueue, declareExchange, declareQueue, get, publish } from './helpers.js'

/** Binds one queue per binding key to a fresh exchange, publishes one message, then gets from every queue. */
const routes = (group: string, name: string, type: string, bindings: string[], routingKey: string, about: string): Scenario =>
  scenario(group, name, about, async (t) => {
    const c = await t.open()
    const x = t.x()
    await declareExchange(c, 1, x, type)
    const queues = bindings.map((_, i) => t.q(String(i)))
    for (let i = 0; i < bindings.length; i++) {
      await declareQueue(c, 1, queues[i], { exclusive: true })
      await bindQueue(c, 1, queues[i], x, bindings[i])
    }
    publish(c, 1, routingKey, `to ${routingKey}`, {}, x)
    for (const q of queues) await get(c, 1, q, true)
    await c.close()
  })

const topic = (name: string, bindings: string[], key: string) =>
  routes('routing', `topic-${name}`, 'topic', bindings, key, `topic: key '${key}' against ${bindings.map((b) => `'${b}'`).join(', ')}`)

/** A headers exchange, one queue bound with `args`, and the message's headers: routed or not. */
const headers = (name: string, args: FieldTable, props: BasicProperties, about: string): Scenario =>
  scenario('routing', `headers-${name}`, about, async (t) => {
    const c = await t.open()
    const x = t.x(), q = t.q()
    await declareExchange(c, 1, x, 'headers')
    await declareQueue(c, 1, q, { exclusive: true })
    c.send(1, 'queue.bind', { queue: q, exchange: x, arguments: args })
    if ((await c.outcome(1, 'queue.bind-ok')) !== 'queue.bind-ok') return
    publish(c, 1, 'ignored', 'hdr', props, x)
    await get(c, 1, q, true)
    await c.close()
  })

export const routingScenarios: Scenario[] = [
  scenario('routing', 'default-exchange-routes-by-queue-name', 'the default exchange delivers to the queue named by the routing key', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    publish(c, 1, q, 'direct to queue')
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('routing', 'default-exchange-by-amq-default-name', "publishing to the exchange named 'amq.default'", async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    publish(c, 1, q, 'via amq.default', {}, 'amq.default')
    c.send(1, 'basic.get', { queue: q, noAck: true })
    await c.outcome(1, ['basic.get-ok', 'basic.get-empty'])
  }),
  routes('routing', 'direct-two-queues-same-key', 'direct', ['k', 'k', 'other'], 'k', 'direct: every queue bound with the key gets a copy'),
  routes('routing', 'direct-key-case-sensitive', 'direct', ['Key', 'key'], 'key', 'direct keys are case-sensitive'),
  routes('routing', 'fanout-ignores-key', 'fanout', ['a', 'b', ''], 'zzz', 'fanout: every bound queue, whatever the key'),
  routes('routing', 'direct-empty-key', 'direct', ['', 'x'], '', 'direct: the empty key matches only empty bindings'),
  topic('star-one-word', ['a.*', 'a.*.c', '*'], 'a.b'),
  topic('hash-zero-words', ['a.#', '#.a', 'a.#.b'], 'a'),
  topic('hash-many-words', ['a.#', 'a.#.d', '#.d', 'b.#'], 'a.b.c.d'),
  topic('hash-alone', ['#', '*.#', '#.*'], 'x.y'),
  topic('star-star', ['*.*', '*.*.*', '*'], 'one.two'),
  topic('empty-key', ['#', '*', ''], ''),
  topic('empty-words', ['a..b', 'a.*.b', 'a.#.b'], 'a..b'),
  topic('exact-match', ['stock.usd.nyse', 'stock.*.nyse', 'stock.eur.*'], 'stock.usd.nyse'),
  topic('hash-middle', ['a.#.z', 'a.#.#.z', '#.#'], 'a.z'),
  topic('trailing-dot', ['a.', 'a.*', 'a.#'], 'a.'),
  topic('no-match', ['a.b', 'b.*', '*.c.#'], 'a.c'),
  scenario('routing', 'topic-one-copy-multiple-bindings', 'a queue matched by several bindings gets one copy', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    for (const k of ['cf.#', 'cf.*.x', '#']) await bindQueue(c, 1, q, 'amq.topic', k)
    publish(c, 1, 'cf.a.x', 'once', {}, 'amq.topic')
    await get(c, 1, q, true)
    await get(c, 1, q, true)
    await c.close()
  }),
  headers('all-match', { 'x-match': 'all', a: '1', b: '2' }, { headers: { a: '1', b: '2', c: '3' } }, 'x-match all: every bound header present and equal'),
  headers('all-partial', { 'x-match': 'all', a: '1', b: '2' }, { headers: { a: '1' } }, 'x-match all: a missing header does not match'),
  headers('any-match', { 'x-match': 'any', a: '1', b: '2' }, { headers: { b: '2' } }, 'x-match any: one header is enough'),
  headers('any-none', { 'x-match': 'any', a: '1', b: '2' }, { headers: { a: '2', c: '1' } }, 'x-match any: nothing matches'),
  headers('default-is-all', { a: '1', b: '2' }, { headers: { a: '1' } }, 'without x-match, all is the default'),
  headers('no-headers-on-message', { 'x-match': 'all', a: '1' }, {}, 'a message without headers'),
  headers('empty-binding-all', { 'x-match': 'all' }, { headers: { anything: 'x' } }, 'x-match all with no other arguments matches everything'),
  headers('empty-binding-any', { 'x-match': 'any' }, { headers: { anything: 'x' } }, 'x-match any with no other arguments'),
  headers('void-value-presence', { 'x-match': 'all', flag: null }, { headers: { flag: 'set' } }, 'a void binding value matches on presence'),
  headers('int-vs-string', { 'x-match': 'all', n: 1 }, { headers: { n: '1' } }, 'an int binding value does not match a string header'),
  headers('int-vs-long', { 'x-match': 'all', n: 1 }, { headers: { n: new Typed('l', 1n) } }, 'an int binding value against the same number as a long'),
  headers('bool-match', { 'x-match': 'any', ok: true }, { headers: { ok: true } }, 'boolean values match'),
  headers('x-keys-ignored', { 'x-match': 'all', 'x-custom': 'v' }, { headers: {} }, 'x- binding keys are not matched'),
  headers('invalid-x-match', { 'x-match': 'some', a: '1' }, { headers: { a: '1' } }, 'an invalid x-match value: 406'),
  headers('all-with-x', { 'x-match': 'all-with-x', 'x-k': 'v' }, { headers: { 'x-k': 'v' } }, 'x-match all-with-x also matches x- headers'),
  headers('any-with-x', { 'x-match': 'any-with-x', 'x-k': 'v', other: 'no' }, { headers: { 'x-k': 'v' } }, 'x-match any-with-x'),
  headers('x-match-wrong-type', { 'x-match': 1, a: '1' }, { headers: { a: '1' } }, 'x-match given as a number'),
  scenario('routing', 'amq-match-is-headers', 'amq.match is a headers exchange', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    await bindQueue(c, 1, q, 'amq.match', '', { 'x-match': 'any', cf: 'amq-match' })
    publish(c, 1, '', 'matched', { headers: { cf: 'amq-match' } }, 'amq.match')
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('routing', 'amq-fanout-and-direct', 'amq.fanout and amq.direct route like their types', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    await bindQueue(c, 1, q, 'amq.fanout', 'ignored')
    await bindQueue(c, 1, q, 'amq.direct', 'cf-amq-direct')
    publish(c, 1, 'cf-amq-direct', 'direct', {}, 'amq.direct')
    await get(c, 1, q, true)
    await c.close()
  }),
]
