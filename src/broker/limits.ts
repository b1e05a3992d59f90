// Connection and queue count limits: RabbitMQ's per-vhost limits (max-connections, max-queues, as
// rabbitmqctl set_vhost_limits sets them) and the node-wide connection_max. Counts open connections
// per vhost; knows nothing of sockets (connections report opening and closing).
import { notAllowed, preconditionFailed } from '../errors.js'

export type VhostLimitName = 'max-connections' | 'max-queues'
export const VHOST_LIMIT_NAMES: readonly VhostLimitName[] = ['max-connections', 'max-queues']

/** As the management API and definitions carry them: a negative value means no limit. */
export type VhostLimits = Partial<Record<VhostLimitName, number>>

export function isVhostLimitName(name: string): name is VhostLimitName {
  return (VHOST_LIMIT_NAMES as readonly string[]).includes(name)
}

/** Throws unless every entry is a known limit with an integer value (rabbitmqctl refuses others). */
export function checkVhostLimits(limits: Record<string, unknown>): asserts limits is VhostLimits {
  for (const [name, value] of Object.entries(limits)) {
    if (!isVhostLimitName(name)) throw new Error(`unrecognised vhost limit '${name}'`)
    if (typeof value !== 'number' || !Number.isInteger(value)) throw new Error(`vhost limit '${name}' must be an integer`)
  }
}

/** RabbitMQ's rabbit_vhost_limit:get_limit: a negative value is no limit; 0 is a limit. */
export function effectiveLimit(value: number | undefined): number | undefined {
  return value === undefined || value < 0 ? undefined : value
}

export class ConnectionLimits {
  private readonly openPerVhost = new Map<string, number>()
  private openTotal = 0

  /** maxConnections: RabbitMQ's connection_max for the whole node; undefined = no limit. */
  constructor(private readonly maxConnections: number | undefined) {}

  /**
   * Throws RabbitMQ's 530 when opening one more connection would pass a limit. The node limit
   * comes first, as RabbitMQ checks it since 3.11/3.12 (rabbitmq-server#7753); 3.10 left connection_max
   * to its acceptor, where a connection over it hangs unanswered until the client gives up.
   */
  check(vhost: string, username: string, vhostMax: number | undefined): void {
    if (this.maxConnections !== undefined && this.openTotal >= this.maxConnections) {
      throw notAllowed(`connection refused: node connection limit (${this.maxConnections}) is reached`)
    }
    // RabbitMQ 3.10 rabbit_vhost_limit:is_over_connection_limit: 0 refuses all, else compare the count.
    if (vhostMax !== undefined && (vhostMax === 0 || (this.openPerVhost.get(vhost) ?? 0) >= vhostMax)) {
      throw notAllowed(`access to vhost '${vhost}' refused for user '${username}': connection limit (${vhostMax}) is reached`)
    }
  }

  opened(vhost: string): void {
    this.openTotal += 1
    this.openPerVhost.set(vhost, (this.openPerVhost.get(vhost) ?? 0) + 1)
  }

  closed(vhost: string): void {
    this.openTotal -= 1
    const n = (this.openPerVhost.get(vhost) ?? 1) - 1
    if (n === 0) this.openPerVhost.delete(vhost)
    else this.openPerVhost.set(vhost, n)
  }

  openIn(vhost: string): number {
    return this.openPerVhost.get(vhost) ?? 0
  }
}

/** RabbitMQ 3.10's rabbit_channel:check_vhost_queue_limit refusal (406, closes the channel). */
export function queueLimitReached(queue: string, vhost: string, limit: number): Error {
  return preconditionFailed(`cannot declare queue '${queue}': queue limit in vhost '${vhost}' (${limit}) is reached`)
}
