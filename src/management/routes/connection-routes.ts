// /api/connections (GET, and DELETE of one to close it), /api/channels and /api/consumers,
// with their per-vhost forms, in RabbitMQ 3.10's shapes.
import type { Route } from '../router.js'
import type { ApiContext } from '../context.js'
import { openConnections, vhostNamed } from '../context.js'
import { noContent, notFound, ok, type ApiRequest } from '../http.js'
import { checkCanWrite } from '../auth.js'
import { channelJson, connectionJson, connectionName, consumerJson } from '../shapes/connection-json.js'
import type { Connection } from '../../connection/connection.js'

export function connectionRoutes(ctx: ApiContext): Route[] {
  /** Open connections the user may see, in one vhost when the path names one. */
  const visible = (req: ApiRequest): Connection[] => {
    const only = req.params.vhost === undefined ? undefined : vhostNamed(ctx, req.user, req.params.vhost).name
    return [...openConnections(ctx)].filter((c) => (only === undefined || c.vhost.name === only) && ctx.broker.canAccess(req.user, c.vhost.name))
  }
  const named = (req: ApiRequest): Connection => {
    const c = visible(req).find((x) => connectionName(x) === req.params.name)
    if (!c) throw notFound()
    return c
  }
  const connections = (req: ApiRequest) => ok(visible(req).map((c) => connectionJson(c, ctx.node, ctx.byteRates.of(c))))
  const channels = (req: ApiRequest) =>
    ok(visible(req).flatMap((c) => [...c.channels.values()].map((ch) => channelJson(c, ch, ctx.node))))
  const consumers = (req: ApiRequest) =>
    ok(visible(req).flatMap((c) => [...c.channels.values()].flatMap((ch) => [...ch.consumers.values()].map((k) => consumerJson(c, ch, k, ctx.node)))))
  return [
    { pattern: '/api/connections', methods: { GET: connections } },
    { pattern: '/api/vhosts/:vhost/connections', methods: { GET: connections } },
    {
      pattern: '/api/connections/:name',
      methods: {
        GET: (req) => ok(connectionJson(named(req), ctx.node, ctx.byteRates.of(named(req)))),
        DELETE: (req) => {
          checkCanWrite(req.user)
          // RabbitMQ takes the reason from the X-Reason header; the client sees 320 CONNECTION_FORCED.
          named(req).forceClose(req.headers['x-reason'] ?? 'Closed via management plugin')
          return noContent()
        },
      },
    },
    { pattern: '/api/connections/:name/channels', methods: { GET: (req) => ok([...named(req).channels.values()].map((ch) => channelJson(named(req), ch, ctx.node))) } },
    { pattern: '/api/channels', methods: { GET: channels } },
    { pattern: '/api/vhosts/:vhost/channels', methods: { GET: channels } },
    { pattern: '/api/consumers', methods: { GET: consumers } },
    { pattern: '/api/consumers/:vhost', methods: { GET: consumers } },
  ]
}
