// Permissions: which access (configure, write, read) each method needs and on which resource, as a
// matrix of one allowed and one refused case per method, plus a vhost with no permissions (530) and
// '' patterns. The users and their patterns are in conformance/users.ts (perm-c: configure `c-ok`
// anywhere, write `^cfx?\.perm-.*\.w-ok`, read `r-ok$`); resources are named with those tokens. Setup
// is done as guest on c1; the method under test is sent as the restricted user on c2.
import type { RawClient, Args } from '../raw-client.js'
import { scenario, type Scenario, type ScenarioContext } from '../scenario.js'
import { CLIENT_PROPERTIES, PROTOCOL_HEADER } from '../raw-client.js'
import { bindQueue, declareExchange, declareQueue } from './helpers.js'

const G = 'permissions'

const as = (t: ScenarioContext, username = 'perm-c'): Promise<RawClient> => t.open({ username, password: 'pw' })

/** Sends `method` as perm-c (after `setup` as guest) and records whether it is answered or refused. */
const attempt = (name: string, about: string, setup: (g: RawClient, t: ScenarioContext) => Promise<Args>, method: string, user = 'perm-c'): Scenario =>
  scenario(G, name, about, async (t) => {
    const g = await t.open()
    const args = await setup(g, t)
    await g.close()
    const u = await as(t, user)
    u.send(1, method, args)
    if ((await u.outcome(1, `${method}-ok`)) === `${method}-ok`) await u.close()
  })

const none = async () => ({})

/** A publish as perm-c on a confirm channel: acked when allowed, channel.close 403 when not. */
const publishAs = (name: string, about: string, exchange: (t: ScenarioContext) => string): Scenario =>
  scenario(G, name, about, async (t) => {
    const g = await t.open()
    const x = exchange(t), q = t.q()
    await declareQueue(g, 1, q)
    if (x !== '') {
      await declareExchange(g, 1, x, 'fanout')
      await bindQueue(g, 1, q, x)
    }
    const u = await as(t)
    await u.call(1, 'confirm.select')
    u.publish(1, { exchange: x, routingKey: q }, 'hello')
    if ((await u.outcome(1, 'basic.ack')) === 'basic.ack') await u.close()
    await g.call(1, 'queue.declare', { queue: q, passive: true })
    await g.close()
  })

export const permissionScenarios: Scenario[] = [
  // configure: exchange.declare / exchange.delete
  attempt('perm-exchange-declare-allowed', 'exchange.declare of a name matching the configure pattern', async (_g, t) =>
    ({ exchange: t.x('c-ok'), type: 'direct' }), 'exchange.declare'),
  attempt('perm-exchange-declare-refused', 'exchange.declare of a name outside the configure pattern: 403', async (_g, t) =>
    ({ exchange: t.x('other'), type: 'direct' }), 'exchange.declare'),
  attempt('perm-exchange-delete-allowed', 'exchange.delete needs configure on the exchange: allowed', async (g, t) => {
    const x = t.x('c-ok'); await declareExchange(g, 1, x); return { exchange: x }
  }, 'exchange.delete'),
  attempt('perm-exchange-delete-refused', 'exchange.delete without configure on the exchange: 403', async (g, t) => {
    const x = t.x('other'); await declareExchange(g, 1, x); return { exchange: x }
  }, 'exchange.delete'),
  // configure: queue.declare / queue.delete
  attempt('perm-queue-declare-allowed', 'queue.declare of a name matching the configure pattern', async (_g, t) =>
    ({ queue: t.q('c-ok') }), 'queue.declare'),
  attempt('perm-queue-declare-refused', 'queue.declare of a name outside the configure pattern: 403', async (_g, t) =>
    ({ queue: t.q('other') }), 'queue.declare'),
  attempt('perm-queue-declare-server-named-refused', 'a server-named queue (amq.gen-*) needs configure on its generated name', none, 'queue.declare'),
  attempt('perm-queue-declare-passive-unchecked', 'passive queue.declare needs no access: allowed outside every pattern', async (g, t) => {
    const q = t.q('other'); await declareQueue(g, 1, q); return { queue: q, passive: true }
  }, 'queue.declare'),
  attempt('perm-queue-delete-allowed', 'queue.delete needs configure on the queue: allowed', async (g, t) => {
    const q = t.q('c-ok'); await declareQueue(g, 1, q); return { queue: q }
  }, 'queue.delete'),
  attempt('perm-queue-delete-refused', 'queue.delete without configure on the queue: 403', async (g, t) => {
    const q = t.q('other'); await declareQueue(g, 1, q); return { queue: q }
  }, 'queue.delete'),
  // write on the queue + read on the exchange: queue.bind / queue.unbind
  attempt('perm-queue-bind-allowed', 'queue.bind with write on the queue and read on the exchange', async (g, t) => {
    const q = t.q('w-ok'), x = t.x('r-ok'); await declareQueue(g, 1, q); await declareExchange(g, 1, x); return { queue: q, exchange: x, routingKey: 'k' }
  }, 'queue.bind'),
  attempt('perm-queue-bind-refused-queue', 'queue.bind without write on the queue: 403 names the queue', async (g, t) => {
    const q = t.q('other'), x = t.x('r-ok'); await declareQueue(g, 1, q); await declareExchange(g, 1, x); return { queue: q, exchange: x, routingKey: 'k' }
  }, 'queue.bind'),
  attempt('perm-queue-bind-refused-exchange', 'queue.bind without read on the exchange: 403 names the exchange', async (g, t) => {
    const q = t.q('w-ok'), x = t.x('other'); await declareQueue(g, 1, q); await declareExchange(g, 1, x); return { queue: q, exchange: x, routingKey: 'k' }
  }, 'queue.bind'),
  attempt('perm-queue-bind-refused-both', 'queue.bind with neither access: the queue is checked first', async (g, t) => {
    const q = t.q('other'), x = t.x('other'); await declareQueue(g, 1, q); await declareExchange(g, 1, x); return { queue: q, exchange: x, routingKey: 'k' }
  }, 'queue.bind'),
  attempt('perm-queue-unbind-allowed', 'queue.unbind with write on the queue and read on the exchange', async (g, t) => {
    const q = t.q('w-ok'), x = t.x('r-ok'); await declareQueue(g, 1, q); await declareExchange(g, 1, x); await bindQueue(g, 1, q, x, 'k'); return { queue: q, exchange: x, routingKey: 'k' }
  }, 'queue.unbind'),
  attempt('perm-queue-unbind-refused-queue', 'queue.unbind without write on the queue: 403', async (g, t) => {
    const q = t.q('other'), x = t.x('r-ok'); await declareQueue(g, 1, q); await declareExchange(g, 1, x); await bindQueue(g, 1, q, x, 'k'); return { queue: q, exchange: x, routingKey: 'k' }
  }, 'queue.unbind'),
  attempt('perm-queue-unbind-refused-exchange', 'queue.unbind without read on the exchange: 403', async (g, t) => {
    const q = t.q('w-ok'), x = t.x('other'); await declareQueue(g, 1, q); await declareExchange(g, 1, x); await bindQueue(g, 1, q, x, 'k'); return { queue: q, exchange: x, routingKey: 'k' }
  }, 'queue.unbind'),
  // write on the destination + read on the source: exchange.bind / exchange.unbind
  attempt('perm-exchange-bind-allowed', 'exchange.bind with write on the destination and read on the source', async (g, t) => {
    const d = t.x('dst.w-ok'), s = t.x('src.r-ok'); await declareExchange(g, 1, d); await declareExchange(g, 1, s); return { destination: d, source: s, routingKey: 'k' }
  }, 'exchange.bind'),
  attempt('perm-exchange-bind-refused-destination', 'exchange.bind without write on the destination: 403', async (g, t) => {
    const d = t.x('dst'), s = t.x('src.r-ok'); await declareExchange(g, 1, d); await declareExchange(g, 1, s); return { destination: d, source: s, routingKey: 'k' }
  }, 'exchange.bind'),
  attempt('perm-exchange-bind-refused-source', 'exchange.bind without read on the source: 403', async (g, t) => {
    const d = t.x('dst.w-ok'), s = t.x('src'); await declareExchange(g, 1, d); await declareExchange(g, 1, s); return { destination: d, source: s, routingKey: 'k' }
  }, 'exchange.bind'),
  attempt('perm-exchange-unbind-allowed', 'exchange.unbind with write on the destination and read on the source', async (g, t) => {
    const d = t.x('dst.w-ok'), s = t.x('src.r-ok'); await declareExchange(g, 1, d); await declareExchange(g, 1, s)
    await g.call(1, 'exchange.bind', { destination: d, source: s, routingKey: 'k' }); return { destination: d, source: s, routingKey: 'k' }
  }, 'exchange.unbind'),
  attempt('perm-exchange-unbind-refused', 'exchange.unbind without write on the destination: 403', async (g, t) => {
    const d = t.x('dst'), s = t.x('src.r-ok'); await declareExchange(g, 1, d); await declareExchange(g, 1, s)
    await g.call(1, 'exchange.bind', { destination: d, source: s, routingKey: 'k' }); return { destination: d, source: s, routingKey: 'k' }
  }, 'exchange.unbind'),
  // write on the exchange: basic.publish
  publishAs('perm-publish-allowed', 'basic.publish with write on the exchange: confirmed and routed', (t) => t.x('w-ok')),
  publishAs('perm-publish-refused', 'basic.publish without write on the exchange: channel.close 403', (t) => t.x('other')),
  publishAs('perm-publish-default-exchange-refused', 'basic.publish to the default exchange needs write on amq.default', () => ''),
  // read on the queue: basic.consume / basic.get / queue.purge
  attempt('perm-consume-allowed', 'basic.consume with read on the queue', async (g, t) => {
    const q = t.q('r-ok'); await declareQueue(g, 1, q); return { queue: q, consumerTag: 'ctag' }
  }, 'basic.consume'),
  attempt('perm-consume-refused', 'basic.consume without read on the queue: 403', async (g, t) => {
    const q = t.q('other'); await declareQueue(g, 1, q); return { queue: q, consumerTag: 'ctag' }
  }, 'basic.consume'),
  scenario(G, 'perm-get-allowed', 'basic.get with read on the queue', async (t) => {
    const g = await t.open()
    const q = t.q('r-ok')
    await declareQueue(g, 1, q)
    await g.close()
    const u = await as(t)
    await u.call(1, 'basic.get', { queue: q, noAck: true }, ['basic.get-ok', 'basic.get-empty'])
    await u.close()
  }),
  attempt('perm-get-refused', 'basic.get without read on the queue: 403', async (g, t) => {
    const q = t.q('other'); await declareQueue(g, 1, q); return { queue: q, noAck: true }
  }, 'basic.get'),
  attempt('perm-purge-allowed', 'queue.purge with read on the queue', async (g, t) => {
    const q = t.q('r-ok'); await declareQueue(g, 1, q); return { queue: q }
  }, 'queue.purge'),
  attempt('perm-purge-refused', 'queue.purge without read on the queue: 403', async (g, t) => {
    const q = t.q('other'); await declareQueue(g, 1, q); return { queue: q }
  }, 'queue.purge'),
  // patterns: unanchored matching, '' matches nothing
  attempt('perm-pattern-unanchored', 'configure `c-ok` matches anywhere in the name (re:run is unanchored)', async (_g, t) =>
    ({ queue: t.q('xc-ok.y') }), 'queue.declare'),
  attempt('perm-pattern-anchored-start', 'write `^cfx?\\.perm-…\\.w-ok` refuses a name that only contains it', async (g, t) => {
    const q = `pre.cf.${t.name}.w-ok`, x = t.x('r-ok')
    t.queues.add(q)
    await declareQueue(g, 1, q); await declareExchange(g, 1, x)
    return { queue: q, exchange: x, routingKey: 'k' }
  }, 'queue.bind'),
  attempt('perm-empty-patterns-refused', "a user whose patterns are all '' may open the vhost but configure nothing", async (_g, t) =>
    ({ queue: t.q('c-ok') }), 'queue.declare', 'perm-empty'),
  // a user with no permissions on the vhost
  scenario(G, 'perm-connection-open-no-permissions', 'connection.open of a vhost the user has no permissions on: 530', async (t) => {
    const c = await t.connect()
    c.writeRaw(PROTOCOL_HEADER)
    await c.expect(0, 'connection.start')
    c.send(0, 'connection.start-ok', { clientProperties: CLIENT_PROPERTIES, mechanism: 'PLAIN', response: Buffer.from('\0perm-none\0pw'), locale: 'en_US' })
    const tune = await c.expect(0, 'connection.tune')
    c.send(0, 'connection.tune-ok', { channelMax: tune.args.channelMax, frameMax: tune.args.frameMax, heartbeat: 0 })
    c.send(0, 'connection.open', { virtualHost: '/' })
    await c.outcome(0, 'connection.open-ok')
  }),
]
