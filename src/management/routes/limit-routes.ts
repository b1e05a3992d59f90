// /api/vhost-limits[/:vhost[/:name]] and /api/user-limits[/:user[/:name]]: RabbitMQ 3.10's
// per-vhost max-connections and max-queues and per-user max-connections and max-channels. Both have
// RabbitMQ's one shape: GET lists every owner's limits as [{<owner>: name, value: {...}}], GET
// /:owner lists one ([] when it has none), PUT /:owner/:name with {"value": N} sets one limit,
// DELETE /:owner/:name clears it (204 either way); they differ in their owner and in the texts of
// their refusals.
import type { Route } from '../router.js'
import type { ApiContext } from '../context.js'
import { HttpError, badRequest, noContent, notFound, objectBody, ok } from '../http.js'
import { checkAdministrator } from '../auth.js'
import { isUserLimitName, isVhostLimitName } from '../../broker/limits.js'

/** An Erlang term as RabbitMQ prints a JSON value in its refusals: strings as binaries. */
const erlangTerm = (v: unknown): string => (typeof v === 'string' ? `<<${JSON.stringify(v)}>>` : String(v))

export function limitRoutes(ctx: ApiContext): Route[] {
  const broker = ctx.broker
  return [
    ...ownerLimitRoutes({
      path: 'vhost-limits',
      owner: 'vhost',
      exists: (vhost) => broker.vhosts.has(vhost),
      isName: isVhostLimitName,
      get: (vhost) => broker.vhostLimits(vhost),
      all: () => broker.allVhostLimits(),
      setOne: (vhost, name, value) => broker.setVhostLimit(vhost, name, value),
      clear: (vhost, name) => broker.clearVhostLimit(vhost, name),
      noSuchOwner: () => new HttpError(404, 'not_found', 'vhost_not_found'),
      unrecognised: (name, value) => badRequest(`Validation failed\n\nUnrecognised terms [{<<"${name}">>,${String(value)}}] in limits\n`),
      notAnInteger: (name, value) => badRequest(`Validation failed\n\n${name} should be a number, actually was ${JSON.stringify(value)}\n`),
    }),
    ...ownerLimitRoutes({
      path: 'user-limits',
      owner: 'user',
      exists: (user) => broker.userNamed(user) !== undefined,
      isName: isUserLimitName,
      get: (user) => broker.userLimits(user),
      all: () => broker.allUserLimits(),
      setOne: (user, name, value) => broker.setUserLimit(user, name, value),
      clear: (user, name) => broker.clearUserLimit(user, name),
      noSuchOwner: (user) => badRequest(['no_such_user', user]),
      unrecognised: (name, value) => badRequest(`Unrecognised terms [{<<"${name}">>,${erlangTerm(value)}}] in user-limits`),
      notAnInteger: (name, value) => badRequest(`${name} should be a number, actually was ${erlangTerm(value)}`),
    }),
  ]
}

interface LimitRoutesSpec<N extends string> {
  /** 'vhost-limits' or 'user-limits'. */
  readonly path: string
  /** The owner's key in the JSON: 'vhost' or 'user'. */
  readonly owner: 'vhost' | 'user'
  readonly exists: (owner: string) => boolean
  readonly isName: (name: string) => name is N
  readonly get: (owner: string) => Partial<Record<N, number>>
  readonly all: () => [string, Partial<Record<N, number>>][]
  readonly setOne: (owner: string, name: N, value: number) => void
  readonly clear: (owner: string, name: N) => void
  /** PUT to an owner that does not exist. */
  readonly noSuchOwner: (owner: string) => HttpError
  readonly unrecognised: (name: string, value: unknown) => HttpError
  readonly notAnInteger: (name: string, value: unknown) => HttpError
}

function ownerLimitRoutes<N extends string>(spec: LimitRoutesSpec<N>): Route[] {
  const json = (owner: string, value: Partial<Record<N, number>>) => ({ [spec.owner]: owner, value })
  return [
    {
      pattern: `/api/${spec.path}`,
      methods: { GET: (req) => (checkAdministrator(req.user), ok(spec.all().map(([owner, limits]) => json(owner, limits)))) },
    },
    {
      pattern: `/api/${spec.path}/:owner`,
      methods: {
        GET: (req) => {
          checkAdministrator(req.user)
          const owner = req.params.owner
          if (!spec.exists(owner)) throw notFound()
          const limits = spec.get(owner)
          // RabbitMQ lists an owner without limits as [] rather than with an empty value.
          return ok(Object.keys(limits).length === 0 ? [] : [json(owner, limits)])
        },
      },
    },
    {
      pattern: `/api/${spec.path}/:owner/:name`,
      methods: {
        PUT: async (req) => {
          checkAdministrator(req.user)
          const { owner, name } = req.params
          if (!spec.exists(owner)) throw spec.noSuchOwner(owner)
          const body = objectBody(await req.json())
          if (!('value' in body)) throw badRequest('[{key_missing,value}]')
          const value = body.value
          if (!spec.isName(name)) throw spec.unrecognised(name, value)
          if (typeof value !== 'number' || !Number.isInteger(value)) throw spec.notAnInteger(name, value)
          spec.setOne(owner, name, value)
          return noContent()
        },
        DELETE: (req) => {
          checkAdministrator(req.user)
          const { owner, name } = req.params
          // RabbitMQ 3.10 answers an unknown user here with a 500 (a crash); a 404 says what happened.
          if (!spec.exists(owner)) throw notFound()
          // RabbitMQ answers 204 whether or not the limit was set.
          if (spec.isName(name)) spec.clear(owner, name)
          return noContent()
        },
      },
    },
  ]
}
