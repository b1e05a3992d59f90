// GET /api/overview, /api/whoami, /api/vhosts, /api/users, /api/permissions and the health
// checks (/api/health/checks/alarms, /api/aliveness-test/:vhost), in RabbitMQ 3.10's shapes.
import type { Route } from '../router.js'
import type { ApiContext } from '../context.js'
import { openConnections, visibleVhosts, vhostNamed, API_OWNER } from '../context.js'
import { created, noContent, notFound, ok, type Reply } from '../http.js'
import { checkAdministrator } from '../auth.js'
import { withRate } from '../message-stats.js'
import { countsJson } from '../shapes/queue-json.js'
import { brokerUsers } from '../definitions.js'
import { DEFAULT_HASHING_ALGORITHM, hashPassword, userSalt } from '../password-hash.js'
import { addVhost, deleteVhost } from '../vhost-admin.js'
import { getMessages, publish } from '../message-io.js'
import type { Vhost } from '../../broker/vhost.js'
import type { User } from '../../broker/broker.js'

export const RABBITMQ_VERSION = '3.10.0'

const EXCHANGE_TYPES = [
  ['direct', 'AMQP direct exchange, as per the AMQP specification'],
  ['fanout', 'AMQP fanout exchange, as per the AMQP specification'],
  ['headers', 'AMQP headers exchange, as per the AMQP specification'],
  ['topic', 'AMQP topic exchange, as per the AMQP specification'],
]

export function overviewRoutes(ctx: ApiContext, amqpPort: number | undefined, managementPort: () => number): Route[] {
  return [
    { pattern: '/api/overview', methods: { GET: (req) => ok(overview(ctx, req.user, amqpPort, managementPort())) } },
    { pattern: '/api/whoami', methods: { GET: (req) => ok({ name: req.user.name, tags: [...req.user.tags] }) } },
    { pattern: '/api/vhosts', methods: { GET: (req) => ok(visibleVhosts(ctx, req.user).map((v) => vhostJson(ctx, v))) } },
    {
      pattern: '/api/vhosts/:vhost',
      methods: {
        GET: (req) => ok(vhostJson(ctx, vhostNamed(ctx, req.user, req.params.vhost))),
        PUT: (req) => {
          checkAdministrator(req.user)
          return addVhost(ctx.broker, req.params.vhost) ? created() : noContent()
        },
        DELETE: (req) => {
          checkAdministrator(req.user)
          const name = req.params.vhost
          for (const c of openConnections(ctx)) if (c.vhost.name === name) c.forceClose(`vhost '${name}' is deleted`)
          if (!deleteVhost(ctx.broker, name)) throw notFound()
          return noContent()
        },
      },
    },
    { pattern: '/api/users', methods: { GET: (req) => (checkAdministrator(req.user), ok(brokerUsers(ctx.broker).map(userJson))) } },
    {
      pattern: '/api/users/:user',
      methods: {
        GET: (req) => {
          checkAdministrator(req.user)
          const user = brokerUsers(ctx.broker).find((u) => u.name === req.params.user)
          if (!user) throw notFound()
          return ok(userJson(user))
        },
      },
    },
    { pattern: '/api/permissions', methods: { GET: (req) => (checkAdministrator(req.user), ok(permissions(ctx))) } },
    {
      pattern: '/api/permissions/:vhost/:user',
      methods: {
        GET: (req) => {
          checkAdministrator(req.user)
          const p = permissions(ctx).find((x) => x.vhost === req.params.vhost && x.user === req.params.user)
          if (!p) throw notFound()
          return ok(p)
        },
      },
    },
    { pattern: '/api/health/checks/alarms', methods: { GET: () => alarms(ctx) } },
    { pattern: '/api/aliveness-test/:vhost', methods: { GET: (req) => aliveness(vhostNamed(ctx, req.user, req.params.vhost)) } },
  ]
}

function overview(ctx: ApiContext, user: User, amqpPort: number | undefined, managementPort: number): Record<string, unknown> {
  const vhosts = visibleVhosts(ctx, user)
  let connections = 0, channels = 0, consumers = 0, exchanges = 0, queues = 0, ready = 0, unacked = 0
  for (const c of openConnections(ctx)) {
    if (!vhosts.includes(c.vhost)) continue
    connections++
    channels += c.channels.size
  }
  for (const v of vhosts) {
    exchanges += v.exchanges.size
    for (const q of v.queues.values()) {
      queues++
      consumers += q.consumerCount
      ready += q.messageCount
      unacked += q.unackedCount
    }
  }
  const depth = ctx.stats.depthRates
  return {
    management_version: RABBITMQ_VERSION,
    rates_mode: 'basic',
    exchange_types: EXCHANGE_TYPES.map(([name, description]) => ({ name, description, enabled: true })),
    product_version: ctx.version,
    product_name: 'Warren',
    rabbitmq_version: RABBITMQ_VERSION,
    release_series_support_status: 'supported',
    cluster_name: ctx.node,
    erlang_version: `node ${process.versions.node}`,
    erlang_full_version: `Node.js ${process.version}`,
    disable_stats: false,
    enable_queue_totals: false,
    message_stats: ctx.stats.isCounting ? countsJson(ctx.stats.totals, ctx.stats.totalRates) : {},
    queue_totals: {
      ...withRate('messages', ready + unacked, depth.messages),
      ...withRate('messages_ready', ready, depth.ready),
      ...withRate('messages_unacknowledged', unacked, depth.unacked),
    },
    object_totals: { channels, connections, consumers, exchanges, queues },
    statistics_db_event_queue: 0,
    node: ctx.node,
    listeners: [
      ...(amqpPort === undefined ? [] : [{ node: ctx.node, protocol: 'amqp', ip_address: '::', port: amqpPort }]),
      { node: ctx.node, protocol: 'http', ip_address: '::', port: managementPort },
    ],
    contexts: [{ node: ctx.node, description: 'Warren Management', path: '/', ip: ctx.host, port: String(managementPort) }],
  }
}

function vhostJson(ctx: ApiContext, v: Vhost): Record<string, unknown> {
  let ready = 0, unacked = 0, recv = 0, send = 0, recvRate = 0, sendRate = 0
  const depth = { messages: 0, ready: 0, unacked: 0 }
  for (const q of v.queues.values()) {
    ready += q.messageCount
    unacked += q.unackedCount
    const rates = ctx.stats.of(q).depthRates
    depth.messages += rates.messages
    depth.ready += rates.ready
    depth.unacked += rates.unacked
  }
  // RabbitMQ also counts the bytes of connections already closed; we sum the open ones.
  for (const c of openConnections(ctx)) {
    if (c.vhost !== v) continue
    const rate = ctx.byteRates.of(c)
    recv += c.socket.bytesRead
    send += c.socket.bytesWritten
    recvRate += rate.recv
    sendRate += rate.send
  }
  const description = v.name === '/' ? 'Default virtual host' : ''
  return {
    name: v.name,
    description,
    tags: [],
    metadata: { description, tags: [] },
    default_queue_type: 'classic',
    tracing: false,
    cluster_state: { [ctx.node]: 'running' },
    ...withRate('messages', ready + unacked, depth.messages),
    ...withRate('messages_ready', ready, depth.ready),
    ...withRate('messages_unacknowledged', unacked, depth.unacked),
    ...withRate('recv_oct', recv, recvRate),
    ...withRate('send_oct', send, sendRate),
  }
}

function userJson(u: User): Record<string, unknown> {
  return { name: u.name, password_hash: hashPassword(u.password, userSalt(u.name)), hashing_algorithm: DEFAULT_HASHING_ALGORITHM, tags: [...u.tags], limits: {} }
}

function permissions(ctx: ApiContext): { user: string; vhost: string; configure: string; write: string; read: string }[] {
  const vhosts = [...ctx.broker.vhosts.keys()]
  return brokerUsers(ctx.broker).flatMap((u) => vhosts.filter((v) => ctx.broker.canAccess(u, v))
    .map((vhost) => ({ user: u.name, vhost, configure: '.*', write: '.*', read: '.*' })))
}

function alarms(ctx: ApiContext): Reply {
  if (!ctx.memoryAlarm?.isActive) return ok({ status: 'ok' })
  return { status: 503, json: { status: 'failed', reason: 'resource alarm(s) in effect in the cluster', alarms: [{ node: ctx.node, resource: 'memory' }] } }
}

/** RabbitMQ's aliveness test: declare `aliveness-test`, publish to it, get the message back. */
function aliveness(vhost: Vhost): Reply {
  const q = vhost.declareQueue({ name: 'aliveness-test', passive: false, durable: false, exclusive: false, autoDelete: false, arguments: {} }, API_OWNER)
  publish(vhost, vhost.exchanges.get('')!, { routingKey: q.name, properties: {}, payload: Buffer.from('test_message') })
  const got = getMessages(q, { count: 1, ackMode: 'ack_requeue_false', encoding: 'auto', truncateBytes: undefined })
  if (got.length === 1 && got[0].payload === 'test_message') return ok({ status: 'ok' })
  return { status: 503, json: { status: 'failed', reason: 'aliveness test message did not come back' } }
}
