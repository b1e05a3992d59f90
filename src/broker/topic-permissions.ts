// Topic permissions (rabbitmqctl set_topic_permissions): per user, vhost and topic exchange, a write
// and a read regular expression matched against routing keys (publish) and binding keys (bind,
// unbind), as RabbitMQ 3.10's rabbit_auth_backend_internal matches them. Knows nothing of channels.
import { accessRefused } from '../errors.js'

export type TopicAccess = 'write' | 'read'

/** As rabbitmqctl, the management API and definitions carry it (per user and vhost). */
export interface TopicPermissionSpec {
  readonly exchange: string
  readonly write: string
  readonly read: string
}

export interface TopicPermissionEntry extends TopicPermissionSpec {
  readonly user: string
  readonly vhost: string
}

interface Compiled {
  readonly spec: TopicPermissionSpec
  readonly write: RegExp
  readonly read: RegExp
}

export class TopicPermissions {
  /** user → vhost → exchange → spec with its patterns expanded and compiled. */
  private readonly byUser = new Map<string, Map<string, Map<string, Compiled>>>()

  /** False while nobody has topic permissions: the publish path tests only this. */
  get isEmpty(): boolean {
    return this.byUser.size === 0
  }

  set(user: string, vhost: string, spec: TopicPermissionSpec): void {
    // User and vhost are fixed per entry, so the variables are expanded once, here.
    const compiled: Compiled = {
      spec: { exchange: spec.exchange, write: spec.write, read: spec.read },
      write: new RegExp(expand(spec.write, user, vhost)), read: new RegExp(expand(spec.read, user, vhost)),
    }
    let perVhost = this.byUser.get(user)
    if (!perVhost) this.byUser.set(user, (perVhost = new Map()))
    let perExchange = perVhost.get(vhost)
    if (!perExchange) perVhost.set(vhost, (perExchange = new Map()))
    perExchange.set(spec.exchange, compiled)
  }

  /** As rabbitmqctl clear_topic_permissions: one exchange's, or (without it) all on the vhost. */
  clear(user: string, vhost: string, exchange?: string): void {
    const perVhost = this.byUser.get(user)
    const perExchange = perVhost?.get(vhost)
    if (!perVhost || !perExchange) return
    if (exchange === undefined) perExchange.clear()
    else perExchange.delete(exchange)
    if (perExchange.size === 0) perVhost.delete(vhost)
    if (perVhost.size === 0) this.byUser.delete(user)
  }

  clearUser(user: string): void {
    this.byUser.delete(user)
  }

  clearVhost(vhost: string): void {
    for (const user of [...this.byUser.keys()]) this.clear(user, vhost)
  }

  list(): TopicPermissionEntry[] {
    const out: TopicPermissionEntry[] = []
    for (const [user, perVhost] of this.byUser) {
      for (const [vhost, perExchange] of perVhost) for (const c of perExchange.values()) out.push({ user, vhost, ...c.spec })
    }
    return out
  }

  /** Whether the key may be used on the exchange; true when the user has no entry for it (RabbitMQ). */
  allows(user: string, vhost: string, exchange: string, key: string, access: TopicAccess): boolean {
    const c = this.byUser.get(user)?.get(vhost)?.get(exchange)
    return c === undefined || c[access].test(key)
  }

  /** Throws RabbitMQ's 403 unless allowed. */
  check(user: string, vhost: string, exchange: string, key: string, access: TopicAccess): void {
    if (!this.allows(user, vhost, exchange, key, access)) {
      throw accessRefused(`access to topic '${key}' in exchange '${exchange}' in vhost '${vhost}' refused for user '${user}'`)
    }
  }
}

/**
 * RabbitMQ's expand_topic_permission: '' becomes '^$'; {username} and {vhost} are replaced as plain
 * text (not escaped), then the result is matched unanchored. {client_id} is filled only for MQTT
 * connections, so over AMQP 0-9-1 it stays as written and matches itself literally.
 */
function expand(pattern: string, user: string, vhost: string): string {
  if (pattern === '') return '^$'
  return pattern.split('{username}').join(user).split('{vhost}').join(vhost)
}
