// Exchange class: declare (types, passive, redeclare equivalence, reserved names), delete
// (if-unused, predeclared), exchange-to-exchange bind/unbind, internal and auto-delete exchanges.
import { scenario, type Scenario } from '../scenario.js'
import { bindQueue, declareExchange, declareQueue, get, publish } from './helpers.js'

const redeclare = (name: string, first: Record<string, unknown>, second: Record<string, unknown>, about: string): Scenario =>
  scenario('exchange', name, about, async (t) => {
    const c = await t.open()
    const x = t.x()
    await c.call(1, 'exchange.declare', { exchange: x, type: 'direct', ...first })
    c.send(1, 'exchange.declare', { exchange: x, type: 'direct', ...second })
    await c.outcome(1, 'exchange.declare-ok')
  })

const declareOutcome = (name: string, args: Record<string, unknown>, about: string): Scenario =>
  scenario('exchange', name, about, async (t) => {
    const c = await t.open()
    c.send(1, 'exchange.declare', args)
    await c.outcome(1, 'exchange.declare-ok')
  })

export const exchangeScenarios: Scenario[] = [
  ...['direct', 'fanout', 'topic', 'headers'].map((type) =>
    scenario('exchange', `exchange-declare-${type}`, `declare a ${type} exchange, redeclare it, passive-declare it, delete it`, async (t) => {
      const c = await t.open()
      const x = t.x()
      await declareExchange(c, 1, x, type)
      await declareExchange(c, 1, x, type)
      await c.call(1, 'exchange.declare', { exchange: x, passive: true })
      await c.call(1, 'exchange.delete', { exchange: x })
      await c.close()
    })),
  declareOutcome('exchange-declare-unknown-type', { exchange: 'cfx.unknown-type', type: 'no-such-type' }, 'an unknown exchange type'),
  declareOutcome('exchange-declare-consistent-hash-no-plugin', { exchange: 'cfx.chash', type: 'x-consistent-hash' }, 'a plugin exchange type that is not enabled'),
  declareOutcome('exchange-declare-empty-type', { exchange: 'cfx.empty-type', type: '' }, 'an empty exchange type'),
  declareOutcome('exchange-declare-reserved-amq-prefix', { exchange: 'amq.cf-reserved', type: 'direct' }, 'a non-passive declare of a new amq.* name: 403'),
  declareOutcome('exchange-declare-amq-direct-nonpassive', { exchange: 'amq.direct', type: 'direct' }, 'non-passive redeclare of amq.direct'),
  declareOutcome('exchange-declare-amq-direct-wrong-type', { exchange: 'amq.direct', type: 'fanout' }, 'redeclare of amq.direct with another type'),
  declareOutcome('exchange-declare-default-exchange', { exchange: '', type: 'direct' }, 'declaring the default exchange by its empty name'),
  declareOutcome('exchange-declare-passive-missing', { exchange: 'cfx.missing', passive: true }, 'passive declare of a missing exchange: 404'),
  declareOutcome('exchange-declare-passive-reserved-missing', { exchange: 'amq.cf-missing', passive: true }, 'passive declare of a missing amq.* exchange'),
  scenario('exchange', 'exchange-declare-passive-predeclared', 'all predeclared exchanges exist (passive declare succeeds)', async (t) => {
    const c = await t.open()
    for (const exchange of ['amq.direct', 'amq.fanout', 'amq.topic', 'amq.headers', 'amq.match']) await c.call(1, 'exchange.declare', { exchange, passive: true })
    await c.close()
  }),
  declareOutcome('exchange-declare-passive-default', { exchange: '', passive: true }, 'passive declare of the default exchange'),
  declareOutcome('exchange-declare-passive-any-type', { exchange: 'amq.fanout', type: 'topic', passive: true }, 'passive declare ignores a different type'),
  redeclare('exchange-redeclare-inequivalent-type', { type: 'direct' }, { type: 'fanout' }, 'redeclare with another type: 406 inequivalent arg type'),
  redeclare('exchange-redeclare-inequivalent-durable', {}, { durable: true }, 'redeclare with durable flipped: 406'),
  redeclare('exchange-redeclare-inequivalent-auto-delete', {}, { autoDelete: true }, 'redeclare with auto-delete flipped: 406'),
  redeclare('exchange-redeclare-inequivalent-internal', {}, { internal: true }, 'redeclare with internal flipped: 406'),
  redeclare('exchange-redeclare-inequivalent-args', { arguments: { 'alternate-exchange': 'ae1' } }, { arguments: { 'alternate-exchange': 'ae2' } }, 'redeclare with a different alternate-exchange'),
  redeclare('exchange-redeclare-extra-unknown-arg', {}, { arguments: { 'x-whatever': 1 } }, 'redeclare adding an unknown argument'),
  scenario('exchange', 'exchange-declare-nowait', 'declare with nowait sends no reply; the exchange exists', async (t) => {
    const c = await t.open()
    const x = t.x()
    c.send(1, 'exchange.declare', { exchange: x, type: 'fanout', nowait: true })
    await c.call(1, 'exchange.declare', { exchange: x, passive: true })
    c.send(1, 'exchange.delete', { exchange: x, nowait: true })
    c.send(1, 'exchange.declare', { exchange: x, passive: true })
    await c.outcome(1, 'exchange.declare-ok')
  }),
  scenario('exchange', 'exchange-declare-durable', 'a durable exchange can be declared and deleted', async (t) => {
    const c = await t.open()
    const x = t.x()
    await declareExchange(c, 1, x, 'topic', { durable: true })
    await c.call(1, 'exchange.delete', { exchange: x })
    await c.close()
  }),
  scenario('exchange', 'exchange-delete-missing', 'deleting an exchange that does not exist', async (t) => {
    const c = await t.open()
    c.send(1, 'exchange.delete', { exchange: t.x('missing') })
    await c.outcome(1, 'exchange.delete-ok')
  }),
  scenario('exchange', 'exchange-delete-if-unused-in-use', 'delete if-unused of an exchange with a queue binding: 406', async (t) => {
    const c = await t.open()
    const x = t.x(), q = t.q()
    await declareExchange(c, 1, x)
    await declareQueue(c, 1, q, { exclusive: true })
    await bindQueue(c, 1, q, x, 'k')
    c.send(1, 'exchange.delete', { exchange: x, ifUnused: true })
    await c.outcome(1, 'exchange.delete-ok')
  }),
  scenario('exchange', 'exchange-delete-if-unused-source-of-e2e', 'delete if-unused of an exchange that is only the source of an exchange binding', async (t) => {
    const c = await t.open()
    const a = t.x('a'), b = t.x('b')
    await declareExchange(c, 1, a, 'fanout')
    await declareExchange(c, 1, b, 'fanout')
    await c.call(1, 'exchange.bind', { destination: b, source: a })
    c.send(1, 'exchange.delete', { exchange: a, ifUnused: true })
    await c.outcome(1, 'exchange.delete-ok')
  }),
  scenario('exchange', 'exchange-delete-if-unused-destination-only', 'delete if-unused of an exchange that is only a binding destination', async (t) => {
    const c = await t.open()
    const a = t.x('a'), b = t.x('b')
    await declareExchange(c, 1, a, 'fanout')
    await declareExchange(c, 1, b, 'fanout')
    await c.call(1, 'exchange.bind', { destination: b, source: a })
    c.send(1, 'exchange.delete', { exchange: b, ifUnused: true })
    await c.outcome(1, 'exchange.delete-ok')
  }),
  scenario('exchange', 'exchange-delete-if-unused-unused', 'delete if-unused of an unbound exchange succeeds', async (t) => {
    const c = await t.open()
    const x = t.x()
    await declareExchange(c, 1, x)
    await c.call(1, 'exchange.delete', { exchange: x, ifUnused: true })
    await c.close()
  }),
  scenario('exchange', 'exchange-delete-predeclared', 'deleting amq.direct is refused', async (t) => {
    const c = await t.open()
    c.send(1, 'exchange.delete', { exchange: 'amq.direct' })
    await c.outcome(1, 'exchange.delete-ok')
  }),
  scenario('exchange', 'exchange-delete-default', 'deleting the default exchange is refused', async (t) => {
    const c = await t.open()
    c.send(1, 'exchange.delete', { exchange: '' })
    await c.outcome(1, 'exchange.delete-ok')
  }),
  scenario('exchange', 'exchange-delete-removes-bindings', 'after an exchange is deleted and redeclared, its old bindings are gone', async (t) => {
    const c = await t.open()
    const x = t.x(), q = t.q()
    await declareExchange(c, 1, x, 'fanout')
    await declareQueue(c, 1, q, { exclusive: true })
    await bindQueue(c, 1, q, x)
    await c.call(1, 'exchange.delete', { exchange: x })
    await declareExchange(c, 1, x, 'fanout')
    publish(c, 1, '', 'lost', {}, x)
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('exchange', 'exchange-bind-e2e-routes', 'exchange.bind: messages flow source -> destination -> queue; unbind stops them', async (t) => {
    const c = await t.open()
    const src = t.x('src'), dst = t.x('dst'), q = t.q()
    await declareExchange(c, 1, src, 'topic')
    await declareExchange(c, 1, dst, 'direct')
    await declareQueue(c, 1, q, { exclusive: true })
    await bindQueue(c, 1, q, dst, 'a.b')
    await c.call(1, 'exchange.bind', { destination: dst, source: src, routingKey: 'a.*' })
    publish(c, 1, 'a.b', 'via e2e', {}, src)
    publish(c, 1, 'a.c', 'routed to dst but not to q', {}, src)
    await get(c, 1, q, true)
    await get(c, 1, q, true)
    await c.call(1, 'exchange.unbind', { destination: dst, source: src, routingKey: 'a.*' })
    publish(c, 1, 'a.b', 'after unbind', {}, src)
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('exchange', 'exchange-bind-missing-source', 'exchange.bind with a missing source: 404', async (t) => {
    const c = await t.open()
    const dst = t.x('dst')
    await declareExchange(c, 1, dst)
    c.send(1, 'exchange.bind', { destination: dst, source: t.x('missing') })
    await c.outcome(1, 'exchange.bind-ok')
  }),
  scenario('exchange', 'exchange-bind-missing-destination', 'exchange.bind with a missing destination: 404', async (t) => {
    const c = await t.open()
    c.send(1, 'exchange.bind', { destination: t.x('missing'), source: 'amq.direct' })
    await c.outcome(1, 'exchange.bind-ok')
  }),
  scenario('exchange', 'exchange-bind-to-default', 'exchange.bind with the default exchange as destination', async (t) => {
    const c = await t.open()
    c.send(1, 'exchange.bind', { destination: '', source: 'amq.direct', routingKey: 'k' })
    await c.outcome(1, 'exchange.bind-ok')
  }),
  scenario('exchange', 'exchange-bind-from-default', 'exchange.bind with the default exchange as source', async (t) => {
    const c = await t.open()
    const dst = t.x()
    await declareExchange(c, 1, dst)
    c.send(1, 'exchange.bind', { destination: dst, source: '', routingKey: 'k' })
    await c.outcome(1, 'exchange.bind-ok')
  }),
  scenario('exchange', 'exchange-bind-twice-idempotent', 'binding the same exchanges twice is fine; one copy is routed', async (t) => {
    const c = await t.open()
    const src = t.x('src'), dst = t.x('dst'), q = t.q()
    await declareExchange(c, 1, src, 'fanout')
    await declareExchange(c, 1, dst, 'fanout')
    await declareQueue(c, 1, q, { exclusive: true })
    await bindQueue(c, 1, q, dst)
    await c.call(1, 'exchange.bind', { destination: dst, source: src })
    await c.call(1, 'exchange.bind', { destination: dst, source: src })
    publish(c, 1, '', 'once', {}, src)
    await get(c, 1, q, true)
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('exchange', 'exchange-bind-cycle', 'exchange bindings forming a cycle deliver one copy per queue', async (t) => {
    const c = await t.open()
    const a = t.x('a'), b = t.x('b'), q = t.q()
    await declareExchange(c, 1, a, 'fanout')
    await declareExchange(c, 1, b, 'fanout')
    await declareQueue(c, 1, q, { exclusive: true })
    await bindQueue(c, 1, q, b)
    await c.call(1, 'exchange.bind', { destination: b, source: a })
    await c.call(1, 'exchange.bind', { destination: a, source: b })
    publish(c, 1, '', 'loop', {}, a)
    await get(c, 1, q, true)
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('exchange', 'exchange-unbind-missing-binding', 'unbinding exchanges that are not bound', async (t) => {
    const c = await t.open()
    const a = t.x('a'), b = t.x('b')
    await declareExchange(c, 1, a)
    await declareExchange(c, 1, b)
    c.send(1, 'exchange.unbind', { destination: b, source: a, routingKey: 'nothing' })
    await c.outcome(1, 'exchange.unbind-ok')
  }),
  scenario('exchange', 'exchange-unbind-missing-exchange', 'unbinding from an exchange that does not exist', async (t) => {
    const c = await t.open()
    c.send(1, 'exchange.unbind', { destination: t.x('missing'), source: 'amq.direct', routingKey: 'k' })
    await c.outcome(1, 'exchange.unbind-ok')
  }),
  scenario('exchange', 'exchange-bind-nowait', 'exchange.bind and unbind with nowait send no reply', async (t) => {
    const c = await t.open()
    const a = t.x('a'), b = t.x('b')
    await declareExchange(c, 1, a)
    await declareExchange(c, 1, b)
    c.send(1, 'exchange.bind', { destination: b, source: a, routingKey: 'k', nowait: true })
    c.send(1, 'exchange.unbind', { destination: b, source: a, routingKey: 'k', nowait: true })
    await c.call(1, 'exchange.delete', { exchange: a, ifUnused: true })
    await c.close()
  }),
  scenario('exchange', 'exchange-internal-publish', 'publishing to an internal exchange: 403', async (t) => {
    const c = await t.open()
    const x = t.x()
    await declareExchange(c, 1, x, 'fanout', { internal: true })
    publish(c, 1, 'k', 'no', {}, x)
    await c.outcome(1, [])
  }),
  scenario('exchange', 'exchange-internal-via-e2e', 'an internal exchange still receives messages through an exchange binding', async (t) => {
    const c = await t.open()
    const src = t.x('src'), internal = t.x('internal'), q = t.q()
    await declareExchange(c, 1, src, 'fanout')
    await declareExchange(c, 1, internal, 'fanout', { internal: true })
    await declareQueue(c, 1, q, { exclusive: true })
    await bindQueue(c, 1, q, internal)
    await c.call(1, 'exchange.bind', { destination: internal, source: src })
    publish(c, 1, '', 'through', {}, src)
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('exchange', 'exchange-auto-delete-after-last-unbind', 'an auto-delete exchange goes away when its last binding is removed', async (t) => {
    const c = await t.open()
    const x = t.x(), q = t.q()
    await declareExchange(c, 1, x, 'direct', { autoDelete: true })
    await declareQueue(c, 1, q, { exclusive: true })
    await bindQueue(c, 1, q, x, 'k')
    await c.call(1, 'exchange.declare', { exchange: x, passive: true })
    await c.call(1, 'queue.unbind', { queue: q, exchange: x, routingKey: 'k' })
    c.send(1, 'exchange.declare', { exchange: x, passive: true })
    await c.outcome(1, 'exchange.declare-ok')
  }),
  scenario('exchange', 'exchange-auto-delete-never-bound', 'an auto-delete exchange that was never bound stays', async (t) => {
    const c = await t.open()
    const x = t.x()
    await declareExchange(c, 1, x, 'fanout', { autoDelete: true })
    await c.call(1, 'exchange.declare', { exchange: x, passive: true })
    await c.call(1, 'exchange.delete', { exchange: x })
    await c.close()
  }),
  scenario('exchange', 'exchange-alternate-exchange', 'unroutable messages go to the alternate-exchange; mandatory is then satisfied', async (t) => {
    const c = await t.open()
    const x = t.x('main'), ae = t.x('ae'), q = t.q()
    await declareExchange(c, 1, ae, 'fanout')
    await declareExchange(c, 1, x, 'direct', { arguments: { 'alternate-exchange': ae } })
    await declareQueue(c, 1, q, { exclusive: true })
    await bindQueue(c, 1, q, ae)
    publish(c, 1, 'nowhere', 'to ae', {}, x, { mandatory: true })
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('exchange', 'exchange-alternate-exchange-missing', 'an alternate-exchange that does not exist: the message is unroutable (returned when mandatory)', async (t) => {
    const c = await t.open()
    const x = t.x()
    await declareExchange(c, 1, x, 'direct', { arguments: { 'alternate-exchange': t.x('nope') } })
    publish(c, 1, 'nowhere', 'lost', {}, x, { mandatory: true })
    await c.call(1, 'basic.qos', { prefetchCount: 1 })
    await c.close()
  }),
  scenario('exchange', 'exchange-declare-name-with-spaces-and-unicode', 'exchange names are arbitrary UTF-8', async (t) => {
    const c = await t.open()
    const x = t.x('with space é✓')
    await declareExchange(c, 1, x, 'fanout')
    await c.call(1, 'exchange.delete', { exchange: x })
    await c.close()
  }),
  scenario('exchange', 'exchange-declare-name-255', 'an exchange name of 255 bytes', async (t) => {
    const c = await t.open()
    const x = t.x()
    const long = (x + '.' + 'x'.repeat(255)).slice(0, 255)
    t.exchanges.add(long)
    await declareExchange(c, 1, long, 'fanout')
    await c.call(1, 'exchange.delete', { exchange: long })
    await c.close()
  }),
]
