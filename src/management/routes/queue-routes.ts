// /api/queues[/:vhost[/:name]] (GET, PUT declare, DELETE), .../contents (DELETE = purge),
// .../get (POST) and .../bindings, in RabbitMQ 3.10's shapes and status codes.
import type { Route } from '../router.js'
import type { ApiContext } from '../context.js'
import { API_OWNER, listedVhosts, openConnections, queueNamed, vhostNamed } from '../context.js'
import { badRequest, created, noContent, objectBody, ok, optionalBoolean, optionalTable, type ApiRequest } from '../http.js'
import { checkCanWrite } from '../auth.js'
import { queueDetailJson, queueJson } from '../shapes/queue-json.js'
import { consumerJson } from '../shapes/connection-json.js'
import type { Queue } from '../../broker/queue/queue.js'
import { bindingJson, vhostBindings } from '../shapes/binding-json.js'
import { ACK_MODES, getMessages, type AckMode } from '../message-io.js'

export function queueRoutes(ctx: ApiContext): Route[] {
  const list = (req: ApiRequest) =>
    ok(listedVhosts(ctx, req.user, req.params.vhost).flatMap((v) => [...v.queues.values()].map((q) => queueJson(q, ctx.stats, ctx.node))))
  return [
    { pattern: '/api/queues', methods: { GET: list } },
    { pattern: '/api/queues/:vhost', methods: { GET: list } },
    {
      pattern: '/api/queues/:vhost/:name',
      methods: {
        GET: (req) => {
          const q = queueNamed(vhostNamed(ctx, req.user, req.params.vhost), req.params.name)
          return ok(queueDetailJson(q, ctx.stats, ctx.node, consumersOf(ctx, q)))
        },
        PUT: async (req) => {
          checkCanWrite(req.user)
          const vhost = vhostNamed(ctx, req.user, req.params.vhost)
          const body = objectBody(await req.json())
          const existed = vhost.queues.has(req.params.name)
          // The API declares as no connection: exclusive queues cannot be made here (RabbitMQ).
          vhost.declareQueue({
            name: req.params.name, passive: false, exclusive: false, durable: optionalBoolean(body, 'durable', true),
            autoDelete: optionalBoolean(body, 'auto_delete', false), arguments: optionalTable(body, 'arguments'),
          }, API_OWNER)
          return existed ? noContent() : created()
        },
        DELETE: (req) => {
          checkCanWrite(req.user)
          const vhost = vhostNamed(ctx, req.user, req.params.vhost)
          const q = queueNamed(vhost, req.params.name)
          if (req.query.get('if-unused') === 'true' && q.consumerCount > 0) throw badRequest('in_use')
          if (req.query.get('if-empty') === 'true' && q.messageCount + q.unackedCount > 0) throw badRequest('not_empty')
          // An operator may delete another connection's exclusive queue, as in RabbitMQ.
          vhost.removeQueue(q)
          return noContent()
        },
      },
    },
    {
      pattern: '/api/queues/:vhost/:name/contents',
      methods: {
        DELETE: (req) => {
          checkCanWrite(req.user)
          queueNamed(vhostNamed(ctx, req.user, req.params.vhost), req.params.name).purge()
          return noContent()
        },
      },
    },
    {
      pattern: '/api/queues/:vhost/:name/get',
      methods: {
        POST: async (req) => {
          checkCanWrite(req.user)
          const q = queueNamed(vhostNamed(ctx, req.user, req.params.vhost), req.params.name)
          return ok(getMessages(q, getRequest(objectBody(await req.json()))))
        },
      },
    },
    {
      pattern: '/api/queues/:vhost/:name/bindings',
      methods: {
        GET: (req) => {
          const vhost = vhostNamed(ctx, req.user, req.params.vhost)
          const q = queueNamed(vhost, req.params.name)
          return ok(vhostBindings(vhost).filter((b) => b.destinationType === 'queue' && b.destination === q.name).map(bindingJson))
        },
      },
    },
  ]
}

/** The consumers of one queue, from every open connection's channels. */
function consumersOf(ctx: ApiContext, q: Queue): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = []
  for (const c of openConnections(ctx)) {
    for (const ch of c.channels.values()) {
      for (const k of ch.consumers.values()) if (k.queue === q) out.push(consumerJson(c, ch, k, ctx.node))
    }
  }
  return out
}

function getRequest(body: Record<string, unknown>) {
  const count = body.count === undefined ? 1 : Number(body.count)
  if (!Number.isInteger(count) || count < 0) throw badRequest('count must be a non-negative integer')
  const ackMode = body.ackmode
  // RabbitMQ 3.7 and older spelt it requeue: true|false; rabbitmqadmin still may.
  const mode = ackMode === undefined && typeof body.requeue === 'boolean'
    ? (body.requeue ? 'ack_requeue_true' : 'ack_requeue_false')
    : ackMode
  if (!ACK_MODES.includes(mode as AckMode)) throw badRequest(`ackmode must be one of ${ACK_MODES.join(', ')}`)
  const encoding = body.encoding ?? 'auto'
  if (encoding !== 'auto' && encoding !== 'base64') throw badRequest('encoding must be auto or base64')
  const truncate = body.truncate === undefined || body.truncate === null || body.truncate === '' ? undefined : Number(body.truncate)
  if (truncate !== undefined && (!Number.isInteger(truncate) || truncate < 0)) throw badRequest('truncate must be a non-negative integer')
  return { count, ackMode: mode as AckMode, encoding: encoding as 'auto' | 'base64', truncateBytes: truncate }
}
