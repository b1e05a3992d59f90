// GET /api/definitions (export) and POST /api/definitions (import), and the per-vhost forms
// /api/definitions/:vhost, in RabbitMQ's definitions.json format.
import type { Route } from '../router.js'
import type { ApiContext } from '../context.js'
import { vhostNamed } from '../context.js'
import { noContent, ok, type ApiRequest } from '../http.js'
import { checkAdministrator } from '../auth.js'
import { exportDefinitions, loadDefinitions } from '../definitions.js'

const PER_VHOST = ['queues', 'exchanges', 'bindings', 'policies', 'parameters'] as const

export function definitionRoutes(ctx: ApiContext): Route[] {
  const importing = async (req: ApiRequest) => {
    checkAdministrator(req.user)
    let json = await req.json()
    if (req.params.vhost !== undefined) json = intoVhost(vhostNamed(ctx, req.user, req.params.vhost).name, json)
    const report = loadDefinitions(ctx.broker, json)
    ctx.log.info({ ...report, unsupported: report.unsupported.length }, 'definitions imported')
    for (const line of report.unsupported) ctx.log.warn({ item: line }, 'definitions: not applied')
    return noContent()
  }
  return [
    {
      pattern: '/api/definitions',
      methods: {
        GET: (req) => (checkAdministrator(req.user), ok(exportDefinitions(ctx.broker, ctx.version))),
        POST: importing,
      },
    },
    {
      pattern: '/api/definitions/:vhost',
      methods: {
        GET: (req) => {
          checkAdministrator(req.user)
          const name = vhostNamed(ctx, req.user, req.params.vhost).name
          const all = exportDefinitions(ctx.broker, ctx.version)
          // RabbitMQ's per-vhost export carries only the vhost's own objects, without their vhost field.
          const out: Record<string, unknown> = { rabbit_version: all.rabbit_version, rabbitmq_version: all.rabbitmq_version }
          for (const key of PER_VHOST) {
            out[key] = (all[key] as Record<string, unknown>[]).filter((x) => x.vhost === name).map(({ vhost: _, ...rest }) => rest)
          }
          return ok(out)
        },
        POST: importing,
      },
    },
  ]
}

/** A per-vhost definitions body applies to the vhost in the path, whatever its items say. */
function intoVhost(vhost: string, json: unknown): unknown {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return json
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(json)) {
    out[key] = (PER_VHOST as readonly string[]).includes(key) && Array.isArray(value)
      ? value.map((item) => (typeof item === 'object' && item !== null ? { ...item, vhost } : item))
      : value
  }
  // Users, vhosts and permissions are server-wide: a per-vhost import ignores them (RabbitMQ).
  delete out.users
  delete out.vhosts
  delete out.permissions
  return out
}
