// Limits and topic permissions: per-vhost max-connections (530 at connection.open) and max-queues
// (406 on queue.declare), each in its own vhost from conformance/users.ts (CONFORMANCE_VHOSTS);
// per-user max-connections (530 at connection.open) and max-channels (530 at channel.open, naming
// no method), each with its own lim-* user; and
// perm-topic's topic permissions on amq.topic (write `^w\.{username}\.`, read `^r\.{vhost}\.`):
// publish, queue.bind/unbind and exchange.bind allowed and refused (403).
import type { RawClient } from '../raw-client.js'
import { CLIENT_PROPERTIES, PROTOCOL_HEADER } from '../raw-client.js'
import { scenario, type Scenario, type ScenarioContext } from '../scenario.js'
import { declareExchange, declareQueue } from './helpers.js'

const G = 'limits'

/** A handshake into `vhost` up to connection.open, recording whether it is opened or refused. */
async function openVhost(t: ScenarioContext, vhost: string, user = 'guest', password = 'guest'): Promise<RawClient> {
  const c = await t.connect()
  c.writeRaw(PROTOCOL_HEADER)
  await c.expect(0, 'connection.start')
  c.send(0, 'connection.start-ok', { clientProperties: CLIENT_PROPERTIES, mechanism: 'PLAIN', response: Buffer.from(`\0${user}\0${password}`), locale: 'en_US' })
  const tune = await c.expect(0, 'connection.tune')
  c.send(0, 'connection.tune-ok', { channelMax: tune.args.channelMax, frameMax: tune.args.frameMax, heartbeat: 0 })
  c.send(0, 'connection.open', { virtualHost: vhost })
  await c.outcome(0, 'connection.open-ok')
  return c
}

const asTopicUser = (t: ScenarioContext): Promise<RawClient> => t.open({ username: 'perm-topic', password: 'pw' })

/** A publish to `exchange` as perm-topic on a confirm channel: acked when allowed, 403 when not. */
const topicPublish = (name: string, about: string, exchange: string, routingKey: string): Scenario =>
  scenario(G, name, about, async (t) => {
    const u = await asTopicUser(t)
    await u.call(1, 'confirm.select')
    u.publish(1, { exchange, routingKey }, 'hello')
    if ((await u.outcome(1, 'basic.ack')) === 'basic.ack') await u.close()
  })

/** A binding method as perm-topic, after guest made the queue (and a fanout exchange). */
const topicBind = (name: string, about: string, method: string, args: (q: string, x: string) => Record<string, unknown>): Scenario =>
  scenario(G, name, about, async (t) => {
    const g = await t.open()
    const q = t.q(), x = t.x()
    await declareQueue(g, 1, q)
    await declareExchange(g, 1, x, 'fanout')
    await g.close()
    const u = await asTopicUser(t)
    u.send(1, method, args(q, x))
    if ((await u.outcome(1, `${method}-ok`)) === `${method}-ok`) await u.close()
  })

export const limitScenarios: Scenario[] = [
  scenario(G, 'vhost-limit-connections-reached', 'max-connections 1: the second connection.open is refused with 530', async (t) => {
    const first = await openVhost(t, 'cf-conn-limit')
    await openVhost(t, 'cf-conn-limit')
    await first.close()
  }),
  scenario(G, 'vhost-limit-connections-zero', 'max-connections 0 refuses every connection.open with 530', async (t) => {
    await openVhost(t, 'cf-conn-zero')
  }),
  scenario(G, 'vhost-limit-connections-before-access', 'the connection limit is checked before the user\'s access to the vhost', async (t) => {
    await openVhost(t, 'cf-conn-zero', 'perm-none', 'pw')
  }),
  scenario(G, 'vhost-limit-negative-is-none', 'a negative limit is no limit: connections and queues are allowed', async (t) => {
    const c = await openVhost(t, 'cf-no-limit')
    await c.openChannel(1)
    await c.call(1, 'queue.declare', { queue: 'cf.vhost-limit-negative-is-none', exclusive: true })
    await c.close()
  }),
  scenario(G, 'vhost-limit-queues-reached', 'max-queues 0: queue.declare of a new queue is refused with 406 naming it', async (t) => {
    const c = await openVhost(t, 'cf-queue-limit')
    await c.openChannel(1)
    c.send(1, 'queue.declare', { queue: 'cf.vhost-limit-queues-reached' })
    await c.outcome(1, 'queue.declare-ok')
    await c.close()
  }),
  scenario(G, 'vhost-limit-queues-server-named', 'max-queues 0: a server-named queue.declare is refused with 406 naming the generated name', async (t) => {
    const c = await openVhost(t, 'cf-queue-limit')
    await c.openChannel(1)
    c.send(1, 'queue.declare', { queue: '', exclusive: true })
    await c.outcome(1, 'queue.declare-ok')
    await c.close()
  }),
  scenario(G, 'user-limit-connections-reached', 'user max-connections 1: the user\'s second connection.open is refused with 530', async (t) => {
    const first = await openVhost(t, '/', 'lim-conn', 'pw')
    await openVhost(t, '/', 'lim-conn', 'pw')
    await first.close()
  }),
  scenario(G, 'user-limit-connections-before-access', 'user max-connections 0 is checked before the user\'s access to the vhost', async (t) => {
    await openVhost(t, '/', 'lim-zero', 'pw')
  }),
  scenario(G, 'user-limit-after-vhost-limit', 'a vhost at its connection limit is reported before the user\'s own limit', async (t) => {
    await openVhost(t, 'cf-conn-zero', 'lim-zero', 'pw')
  }),
  scenario(G, 'user-limit-channels-reached', 'user max-channels 2: a third channel.open closes the connection with 530', async (t) => {
    const c = await t.open({ username: 'lim-chan', password: 'pw' })
    await c.openChannel(2)
    c.send(3, 'channel.open')
    await c.outcome(3, 'channel.open-ok')
  }),
  scenario(G, 'user-limit-channels-across-connections', 'user max-channels counts the channels of all the user\'s connections', async (t) => {
    const a = await t.open({ username: 'lim-chan-x', password: 'pw' })
    const b = await t.open({ username: 'lim-chan-x', password: 'pw' })
    a.send(2, 'channel.open')
    await a.outcome(2, 'channel.open-ok')
    await b.close()
  }),
  scenario(G, 'user-limit-channels-zero', 'user max-channels 0 refuses the first channel.open with 530', async (t) => {
    const c = await t.open({ username: 'lim-chan-zero', password: 'pw', channel: 0 })
    c.send(1, 'channel.open')
    await c.outcome(1, 'channel.open-ok')
  }),
  scenario(G, 'user-limit-negative-is-none', 'negative user limits are no limits: connections and channels are allowed', async (t) => {
    const a = await t.open({ username: 'lim-none', password: 'pw' })
    const b = await t.open({ username: 'lim-none', password: 'pw' })
    await a.openChannel(2)
    await a.openChannel(3)
    await b.close()
    await a.close()
  }),
  topicPublish('topic-perm-publish-allowed', 'a routing key matching the expanded write pattern is published', 'amq.topic', 'w.perm-topic.x'),
  topicPublish('topic-perm-publish-refused', 'a routing key outside the write pattern: 403 naming topic, exchange, vhost and user', 'amq.topic', 'w.other.x'),
  topicPublish('topic-perm-publish-other-exchange', 'topic permissions on amq.topic do not restrict amq.direct', 'amq.direct', 'anything'),
  topicBind('topic-perm-bind-allowed', 'queue.bind to amq.topic with a binding key matching the expanded read pattern', 'queue.bind',
    (q) => ({ queue: q, exchange: 'amq.topic', routingKey: 'r./.x' })),
  topicBind('topic-perm-bind-refused', 'queue.bind to amq.topic with a binding key outside the read pattern: 403', 'queue.bind',
    (q) => ({ queue: q, exchange: 'amq.topic', routingKey: 'x.y' })),
  topicBind('topic-perm-unbind-refused', 'queue.unbind is checked against the read pattern too: 403', 'queue.unbind',
    (q) => ({ queue: q, exchange: 'amq.topic', routingKey: 'x.y' })),
  topicBind('topic-perm-exchange-bind-source-refused', 'exchange.bind from amq.topic is checked on the source: 403', 'exchange.bind',
    (_q, x) => ({ destination: x, source: 'amq.topic', routingKey: 'x.y' })),
  topicBind('topic-perm-exchange-bind-destination-unchecked', 'exchange.bind into amq.topic is not checked (destination side)', 'exchange.bind',
    (_q, x) => ({ destination: 'amq.topic', source: x, routingKey: 'x.y' })),
]
