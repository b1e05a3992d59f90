// /api/bindings[/:vhost] and the binding between two named ends,
// /api/bindings/:vhost/e/:source/(q|e)/:destination[/:props] (GET, POST create, DELETE).
import type { Route } from '../router.js'
import type { ApiContext } from '../context.js'
import { API_OWNER, exchangeNamed, listedVhosts, queueNamed, vhostNamed } from '../context.js'
import { badRequest, created, noContent, notFound, objectBody, ok, optionalString, optionalTable, type ApiRequest } from '../http.js'
import { checkCanWrite } from '../auth.js'
import { bindingJson, propertiesKey, vhostBindings, type BindingView } from '../shapes/binding-json.js'
import type { Vhost } from '../../broker/vhost.js'

type Kind = 'queue' | 'exchange'

export function bindingRoutes(ctx: ApiContext): Route[] {
  const list = (req: ApiRequest) => ok(listedVhosts(ctx, req.user, req.params.vhost).flatMap((v) => vhostBindings(v).map(bindingJson)))
  return [
    { pattern: '/api/bindings', methods: { GET: list } },
    { pattern: '/api/bindings/:vhost', methods: { GET: list } },
    ...(['queue', 'exchange'] as const).flatMap((kind): Route[] => {
      const letter = kind === 'queue' ? 'q' : 'e'
      return [
        {
          pattern: `/api/bindings/:vhost/e/:source/${letter}/:destination`,
          methods: {
            GET: (req) => ok(between(ctx, req, kind).bindings.map(bindingJson)),
            POST: async (req) => {
              checkCanWrite(req.user)
              const { vhost, source, destination } = between(ctx, req, kind)
              const body = objectBody(await req.json())
              const routingKey = optionalString(body, 'routing_key', '')
              const args = optionalTable(body, 'arguments')
              if (source === '') throw badRequest('operation not permitted on the default exchange')
              if (kind === 'queue') vhost.bindQueue(destination, source, routingKey, args, API_OWNER)
              else vhost.bindExchange(destination, source, routingKey, args)
              return created(propertiesKey(routingKey, args))
            },
          },
        },
        {
          pattern: `/api/bindings/:vhost/e/:source/${letter}/:destination/:props`,
          methods: {
            GET: (req) => ok(bindingJson(oneBinding(ctx, req, kind).binding)),
            DELETE: (req) => {
              checkCanWrite(req.user)
              const { vhost, binding } = oneBinding(ctx, req, kind)
              if (binding.source === '') throw badRequest('operation not permitted on the default exchange')
              if (kind === 'queue') vhost.unbindQueue(binding.destination, binding.source, binding.routingKey, binding.arguments, API_OWNER)
              else vhost.unbindExchange(binding.destination, binding.source, binding.routingKey, binding.arguments)
              return noContent()
            },
          },
        },
      ]
    }),
  ]
}

/** Both ends must exist (404 otherwise); the bindings between them. */
function between(ctx: ApiContext, req: ApiRequest, kind: Kind): { vhost: Vhost; source: string; destination: string; bindings: BindingView[] } {
  const vhost = vhostNamed(ctx, req.user, req.params.vhost)
  const source = exchangeNamed(vhost, req.params.source).name
  const destination = kind === 'queue' ? queueNamed(vhost, req.params.destination).name : exchangeNamed(vhost, req.params.destination).name
  const bindings = vhostBindings(vhost).filter((b) => b.source === source && b.destinationType === kind && b.destination === destination)
  return { vhost, source, destination, bindings }
}

function oneBinding(ctx: ApiContext, req: ApiRequest, kind: Kind): { vhost: Vhost; binding: BindingView } {
  const { vhost, bindings } = between(ctx, req, kind)
  const binding = bindings.find((b) => propertiesKey(b.routingKey, b.arguments) === req.params.props)
  if (!binding) throw notFound()
  return { vhost, binding }
}
