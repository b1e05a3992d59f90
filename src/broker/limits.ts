// Connection, channel and queue count limits: RabbitMQ's per-vhost limits (max-connections,
// max-queues, as rabbitmqctl set_vhost_limits sets them), its per-user limits (max-connections,
// max-channels, as set_user_limits sets them) and the node-wide connection_max. Counts open
// connections per vhost and per user, and open channels per user; knows nothing of sockets
// (connections report opening and closing).
import { notAllowed, preconditionFailed } from '../errors.js'

export type VhostLimitName = 'max-connections' | 'max-queues'
export const VHOST_LIMIT_NAMES: readonly VhostLimitName[] = ['max-connections', 'max-queues']
export type UserLimitName = 'max-connections' | 'max-channels'
export const USER_LIMIT_NAMES: readonly UserLimitName[] = ['max-connections', 'max-channels']

/** As the management API and definitions carry them: a negative value means no limit. */
export type VhostLimits = Partial<Record<VhostLimitName, number>>
export type UserLimits = Partial<Record<UserLimitName, number>>

export function isVhostLimitName(name: string): name is VhostLimitName {
  return (VHOST_LIMIT_NAMES as readonly string[]).includes(name)
}

export function isUserLimitName(name: string): name is UserLimitName {
  return (USER_LIMIT_NAMES as readonly string[]).includes(name)
}

/** Throws unless every entry is one of `names` with an integer value (rabbitmqctl refuses others). */
function checkLimits(kind: 'vhost' | 'user', names: readonly string[], limits: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(limits)) {
    if (!names.includes(name)) throw new Error(`unrecognised ${kind} limit '${name}'`)
    if (typeof value !== 'number' || !Number.isInteger(value)) throw new Error(`${kind} limit '${name}' must be an integer`)
  }
}

export function checkVhostLimits(limits: Record<string, unknown>): asserts limits is VhostLimits {
  checkLimits('vhost', VHOST_LIMIT_NAMES, limits)
}

export function checkUserLimits(limits: Record<string, unknown>): asserts limits is UserLimits {
  checkLimits('user', USER_LIMIT_NAMES, limits)
}

/** RabbitMQ's rabbit_vhost_limit:get_limit: a negative value is no limit; 0 is a limit. */
function effectiveLimit(value: number | undefined): number | undefined {
  return value === undefined || value < 0 ? undefined : value
}

/**
 * Limits by owner (a vhost or a user), as set: negative values are kept, since they are shown,
 * and mean no limit (effective() leaves them out).
 */
export class LimitTable<N extends string> {
  private readonly byOwner = new Map<string, Partial<Record<N, number>>>()

  /** As rabbitmqctl set_vhost_limits / set_user_limits: replaces every limit of the owner. */
  set(owner: string, limits: Partial<Record<N, number>>): void {
    this.byOwner.set(owner, { ...limits })
  }

  /** Removes one limit, or all of the owner's; false if there was none. */
  clear(owner: string, name?: N): boolean {
    const limits = this.byOwner.get(owner)
    if (!limits || (name !== undefined && limits[name] === undefined)) return false
    const rest = { ...limits }
    if (name !== undefined) delete rest[name]
    if (name === undefined || Object.keys(rest).length === 0) this.byOwner.delete(owner)
    else this.byOwner.set(owner, rest)
    return true
  }

  /** The owner's limits as set ({} when none). */
  get(owner: string): Partial<Record<N, number>> {
    return { ...this.byOwner.get(owner) }
  }

  delete(owner: string): void {
    this.byOwner.delete(owner)
  }

  /** Every owner that has limits, with them. */
  all(): [string, Partial<Record<N, number>>][] {
    return [...this.byOwner].map(([owner, limits]) => [owner, { ...limits }])
  }

  /** The limit in force: undefined when unset or negative. */
  effective(owner: string, name: N): number | undefined {
    return effectiveLimit(this.byOwner.get(owner)?.[name])
  }
}

export class ConnectionLimits {
  private readonly openPerVhost = new Map<string, number>()
  private readonly openPerUser = new Map<string, number>()
  private readonly channelsPerUser = new Map<string, number>()
  private openTotal = 0

  /** maxConnections: RabbitMQ's connection_max for the whole node; undefined = no limit. */
  constructor(private readonly maxConnections: number | undefined) {}

  /**
   * Throws RabbitMQ's 530 when opening one more connection would pass a limit. The node limit
   * comes first, as RabbitMQ checks it since 3.11/3.12 (rabbitmq-server#7753); 3.10 left connection_max
   * to its acceptor, where a connection over it hangs unanswered until the client gives up. Then
   * the vhost's limit, then the user's (the order RabbitMQ 3.10.8 answers in).
   */
  check(vhost: string, username: string, vhostMax: number | undefined, userMax: number | undefined): void {
    if (this.maxConnections !== undefined && this.openTotal >= this.maxConnections) {
      throw notAllowed(`connection refused: node connection limit (${this.maxConnections}) is reached`)
    }
    // RabbitMQ 3.10 rabbit_vhost_limit:is_over_connection_limit: 0 refuses all, else compare the count.
    if (vhostMax !== undefined && (this.openPerVhost.get(vhost) ?? 0) >= vhostMax) {
      throw notAllowed(`access to vhost '${vhost}' refused for user '${username}': connection limit (${vhostMax}) is reached`)
    }
    if (userMax !== undefined && (this.openPerUser.get(username) ?? 0) >= userMax) {
      throw notAllowed(`connection refused for user '${username}': user connection limit (${userMax}) is reached`)
    }
  }

  opened(vhost: string, username: string): void {
    this.openTotal += 1
    increment(this.openPerVhost, vhost, 1)
    increment(this.openPerUser, username, 1)
  }

  closed(vhost: string, username: string): void {
    this.openTotal -= 1
    increment(this.openPerVhost, vhost, -1)
    increment(this.openPerUser, username, -1)
  }

  openIn(vhost: string): number {
    return this.openPerVhost.get(vhost) ?? 0
  }

  /** Throws RabbitMQ's 530 (a connection error) when the user may not open one more channel. */
  checkChannel(username: string, userMax: number | undefined): void {
    if (userMax !== undefined && (this.channelsPerUser.get(username) ?? 0) >= userMax) {
      throw notAllowed(`number of channels opened for user '${username}' has reached the maximum allowed user limit of (${userMax})`)
    }
  }

  channelsOpened(username: string, n = 1): void {
    increment(this.channelsPerUser, username, n)
  }

  channelsClosed(username: string, n = 1): void {
    increment(this.channelsPerUser, username, -n)
  }
}

/** Adds to a count, forgetting it at zero so the maps hold only what is open. */
function increment(counts: Map<string, number>, key: string, by: number): void {
  const n = (counts.get(key) ?? 0) + by
  if (n <= 0) counts.delete(key)
  else counts.set(key, n)
}

/** RabbitMQ 3.10's rabbit_channel:check_vhost_queue_limit refusal (406, closes the channel). */
export function queueLimitReached(queue: string, vhost: string, limit: number): Error {
  return preconditionFailed(`cannot declare queue '${queue}': queue limit in vhost '${vhost}' (${limit}) is reached`)
}
