// What every route handler is given (broker, live connections, stats, version), and the lookups
// they share: a vhost by name with RabbitMQ's 404 and access check, and the vhosts a user sees.
import type { Logger } from 'pino'
import type { Broker, User } from '../broker/broker.js'
import type { Vhost } from '../broker/vhost.js'
import type { Queue } from '../broker/queue/queue.js'
import type { Exchange } from '../broker/exchange/exchange.js'
import type { Connection } from '../connection/connection.js'
import type { MessageStats } from './message-stats.js'
import type { ByteRates } from './byte-rates.js'
import { checkVhostAccess } from './auth.js'
import { notFound } from './http.js'

export interface ApiContext {
  readonly broker: Broker
  readonly connections: () => Iterable<Connection>
  readonly stats: MessageStats
  readonly byteRates: ByteRates
  readonly version: string
  readonly node: string
  /** The interface the management server listens on (overview's contexts). */
  readonly host: string
  readonly log: Logger
  /** Set while the memory alarm blocks publishers (ResourceAlarm satisfies it). */
  readonly memoryAlarm?: { readonly isActive: boolean }
}

/** The owner given to declares made through the API: never a connection, so never exclusive. */
export const API_OWNER: object = Object.freeze({})

export function vhostNamed(ctx: ApiContext, user: User, name: string): Vhost {
  const vhost = ctx.broker.vhost(name)
  if (!vhost) throw notFound()
  checkVhostAccess(ctx.broker, user, name)
  return vhost
}

export function visibleVhosts(ctx: ApiContext, user: User): Vhost[] {
  return [...ctx.broker.vhosts.values()].filter((v) => ctx.broker.canAccess(user, v.name))
}

/** The vhosts a listing covers: one (`/api/queues/:vhost`) or every one the user may see. */
export function listedVhosts(ctx: ApiContext, user: User, name: string | undefined): Vhost[] {
  return name === undefined ? visibleVhosts(ctx, user) : [vhostNamed(ctx, user, name)]
}

export function queueNamed(vhost: Vhost, name: string): Queue {
  const q = vhost.queues.get(name)
  if (!q) throw notFound()
  return q
}

export function exchangeNamed(vhost: Vhost, name: string): Exchange {
  // The default exchange is addressed as `amq.default` in the API (RabbitMQ).
  const ex = vhost.exchanges.get(name === 'amq.default' ? '' : name)
  if (!ex) throw notFound()
  return ex
}

/** Open connections only: those still in the handshake have no vhost yet. */
export function* openConnections(ctx: ApiContext): Generator<Connection> {
  for (const c of ctx.connections()) if (c.state === 'open') yield c
}
