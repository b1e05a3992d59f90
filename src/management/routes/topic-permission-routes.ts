// /api/topic-permissions[/:vhost/:user], /api/vhosts/:vhost/topic-permissions and
// /api/users/:user/topic-permissions, in RabbitMQ 3.10's shapes and status codes.
import type { Route } from '../router.js'
import type { ApiContext } from '../context.js'
import { badRequest, created, noContent, notFound, objectBody, ok } from '../http.js'
import { checkAdministrator } from '../auth.js'
import type { TopicPermissionEntry } from '../../broker/topic-permissions.js'

export function topicPermissionRoutes(ctx: ApiContext): Route[] {
  const all = (): TopicPermissionEntry[] => ctx.broker.topicPermissions.list()
  const json = (p: TopicPermissionEntry) => ({ user: p.user, vhost: p.vhost, exchange: p.exchange, write: p.write, read: p.read })
  const listed = (entries: TopicPermissionEntry[]) => ok(entries.map(json))
  return [
    { pattern: '/api/topic-permissions', methods: { GET: (req) => (checkAdministrator(req.user), listed(all())) } },
    {
      pattern: '/api/topic-permissions/:vhost/:user',
      methods: {
        GET: (req) => {
          checkAdministrator(req.user)
          const found = all().filter((p) => p.vhost === req.params.vhost && p.user === req.params.user)
          if (found.length === 0) throw notFound()
          return listed(found)
        },
        PUT: async (req) => {
          checkAdministrator(req.user)
          const { vhost, user } = req.params
          const body = objectBody(await req.json())
          for (const key of ['exchange', 'write', 'read']) if (!(key in body)) throw badRequest(`[{key_missing,${key}}]`)
          const { exchange, write, read } = body
          if (typeof exchange !== 'string' || typeof write !== 'string' || typeof read !== 'string') throw badRequest('exchange, write and read must be strings')
          if (!ctx.broker.vhosts.has(vhost) || !ctx.broker.userNamed(user)) throw badRequest('vhost_or_user_not_found')
          const existed = all().some((p) => p.vhost === vhost && p.user === user && p.exchange === exchange)
          try {
            ctx.broker.setTopicPermissions(user, vhost, { exchange, write, read })
          } catch (err) {
            throw badRequest((err as Error).message)
          }
          return existed ? noContent() : created()
        },
        DELETE: (req) => {
          checkAdministrator(req.user)
          const { vhost, user } = req.params
          if (!all().some((p) => p.vhost === vhost && p.user === user)) throw notFound()
          ctx.broker.clearTopicPermissions(user, vhost)
          return noContent()
        },
      },
    },
    {
      pattern: '/api/vhosts/:vhost/topic-permissions',
      methods: {
        GET: (req) => {
          checkAdministrator(req.user)
          if (!ctx.broker.vhosts.has(req.params.vhost)) throw notFound()
          // RabbitMQ lists these with vhost first; JSON consumers do not care, shapes keep the order.
          return ok(all().filter((p) => p.vhost === req.params.vhost).map((p) => ({ vhost: p.vhost, user: p.user, exchange: p.exchange, write: p.write, read: p.read })))
        },
      },
    },
    {
      pattern: '/api/users/:user/topic-permissions',
      methods: {
        GET: (req) => {
          checkAdministrator(req.user)
          if (!ctx.broker.userNamed(req.params.user)) throw notFound()
          return listed(all().filter((p) => p.user === req.params.user))
        },
      },
    },
  ]
}
