// /api/exchanges[/:vhost[/:name]] (GET, PUT declare, DELETE), .../publish (POST) and
// .../bindings/source|destination, in RabbitMQ 3.10's shapes and status codes.
import type { Route } from '../router.js'
import type { ApiContext } from '../context.js'
import { exchangeNamed, listedVhosts, vhostNamed } from '../context.js'
import { badRequest, created, noContent, objectBody, ok, optionalBoolean, optionalTable, type ApiRequest } from '../http.js'
import { checkCanWrite } from '../auth.js'
import { exchangeDetailJson, exchangeJson } from '../shapes/exchange-json.js'
import { bindingJson, vhostBindings } from '../shapes/binding-json.js'
import { decodePayload, propertiesFromJson, publish } from '../message-io.js'

export function exchangeRoutes(ctx: ApiContext): Route[] {
  const list = (req: ApiRequest) =>
    ok(listedVhosts(ctx, req.user, req.params.vhost).flatMap((v) => [...v.exchanges.values()].map(exchangeJson)))
  const bindingsOf = (side: 'source' | 'destination') => (req: ApiRequest) => {
    const vhost = vhostNamed(ctx, req.user, req.params.vhost)
    const ex = exchangeNamed(vhost, req.params.name)
    return ok(vhostBindings(vhost)
      .filter((b) => side === 'source' ? b.source === ex.name : b.destinationType === 'exchange' && b.destination === ex.name)
      .map(bindingJson))
  }
  return [
    { pattern: '/api/exchanges', methods: { GET: list } },
    { pattern: '/api/exchanges/:vhost', methods: { GET: list } },
    {
      pattern: '/api/exchanges/:vhost/:name',
      methods: {
        GET: (req) => ok(exchangeDetailJson(exchangeNamed(vhostNamed(ctx, req.user, req.params.vhost), req.params.name))),
        PUT: async (req) => {
          checkCanWrite(req.user)
          const vhost = vhostNamed(ctx, req.user, req.params.vhost)
          const body = objectBody(await req.json())
          if (typeof body.type !== 'string') throw badRequest('type not found')
          const existed = vhost.exchanges.has(req.params.name)
          vhost.declareExchange({
            name: req.params.name, type: body.type, passive: false, durable: optionalBoolean(body, 'durable', true),
            autoDelete: optionalBoolean(body, 'auto_delete', false), internal: optionalBoolean(body, 'internal', false),
            arguments: optionalTable(body, 'arguments'),
          })
          return existed ? noContent() : created()
        },
        DELETE: (req) => {
          checkCanWrite(req.user)
          const vhost = vhostNamed(ctx, req.user, req.params.vhost)
          const ex = exchangeNamed(vhost, req.params.name)
          vhost.deleteExchange(ex.name, req.query.get('if-unused') === 'true')
          return noContent()
        },
      },
    },
    {
      pattern: '/api/exchanges/:vhost/:name/publish',
      methods: {
        POST: async (req) => {
          checkCanWrite(req.user)
          const vhost = vhostNamed(ctx, req.user, req.params.vhost)
          const ex = exchangeNamed(vhost, req.params.name)
          const body = objectBody(await req.json())
          for (const key of ['properties', 'routing_key', 'payload', 'payload_encoding']) {
            if (body[key] === undefined) throw badRequest(`${key} not found`)
          }
          if (typeof body.routing_key !== 'string' || typeof body.payload !== 'string') throw badRequest('routing_key and payload must be strings')
          const routed = publish(vhost, ex, {
            routingKey: body.routing_key,
            properties: propertiesFromJson(optionalTable(body, 'properties')),
            payload: decodePayload(body.payload, String(body.payload_encoding)),
          })
          return ok({ routed })
        },
      },
    },
    { pattern: '/api/exchanges/:vhost/:name/bindings/source', methods: { GET: bindingsOf('source') } },
    { pattern: '/api/exchanges/:vhost/:name/bindings/destination', methods: { GET: bindingsOf('destination') } },
  ]
}
