// /api/vhost-limits[/:vhost[/:name]]: RabbitMQ 3.10's per-vhost max-connections and max-queues
// (GET lists, PUT {"value": N} sets one, DELETE clears one), with its status codes and reasons.
import type { Route } from '../router.js'
import type { ApiContext } from '../context.js'
import { HttpError, badRequest, noContent, notFound, objectBody, ok } from '../http.js'
import { checkAdministrator } from '../auth.js'
import { isVhostLimitName, type VhostLimits } from '../../broker/limits.js'

export function vhostLimitRoutes(ctx: ApiContext): Route[] {
  const limitsJson = (vhost: string, value: VhostLimits) => ({ vhost, value })
  return [
    {
      pattern: '/api/vhost-limits',
      methods: { GET: (req) => (checkAdministrator(req.user), ok(ctx.broker.allVhostLimits().map(([v, l]) => limitsJson(v, l)))) },
    },
    {
      pattern: '/api/vhost-limits/:vhost',
      methods: {
        GET: (req) => {
          checkAdministrator(req.user)
          const vhost = req.params.vhost
          if (!ctx.broker.vhosts.has(vhost)) throw notFound()
          const limits = ctx.broker.vhostLimits(vhost)
          // RabbitMQ lists a vhost without limits as [] rather than with an empty value.
          return ok(Object.keys(limits).length === 0 ? [] : [limitsJson(vhost, limits)])
        },
      },
    },
    {
      pattern: '/api/vhost-limits/:vhost/:name',
      methods: {
        PUT: async (req) => {
          checkAdministrator(req.user)
          const { vhost, name } = req.params
          if (!ctx.broker.vhosts.has(vhost)) throw new HttpError(404, 'not_found', 'vhost_not_found')
          const body = objectBody(await req.json())
          if (!('value' in body)) throw badRequest('[{key_missing,value}]')
          const value = body.value
          if (!isVhostLimitName(name)) throw badRequest(`Validation failed\n\nUnrecognised terms [{<<"${name}">>,${String(value)}}] in limits\n`)
          if (typeof value !== 'number' || !Number.isInteger(value)) {
            throw badRequest(`Validation failed\n\n${name} should be a number, actually was ${JSON.stringify(value)}\n`)
          }
          ctx.broker.setVhostLimit(vhost, name, value)
          return noContent()
        },
        DELETE: (req) => {
          checkAdministrator(req.user)
          const { vhost, name } = req.params
          if (!ctx.broker.vhosts.has(vhost)) throw notFound()
          // RabbitMQ answers 204 whether or not the limit was set.
          if (isVhostLimitName(name)) ctx.broker.clearVhostLimit(vhost, name)
          return noContent()
        },
      },
    },
  ]
}
