// The broker: its vhosts and users, created from a Config, with the test helpers reset() and
// inspection. Owns no sockets; connections reach it through authenticate() and vhost().
import type { BrokerStore } from './broker-store.js'
import { Vhost, type VhostOptions } from './vhost.js'
import { DirectReplyRegistry } from './direct-reply.js'

export interface User {
  readonly name: string
  readonly password: string
  readonly tags: readonly string[]
  readonly vhosts: readonly string[] | 'all'
}

export interface BrokerOptions {
  readonly store?: BrokerStore
  readonly users?: readonly User[]
  readonly vhosts?: readonly string[]
  /** Message property codec and queue memory budget, given to every vhost. */
  readonly vhostOptions?: VhostOptions
}

export const DEFAULT_USERS: readonly User[] = [{ name: 'guest', password: 'guest', tags: ['administrator'], vhosts: 'all' }]

export class Broker {
  readonly vhosts = new Map<string, Vhost>()
  readonly directReply = new DirectReplyRegistry()
  private readonly users: Map<string, User>

  constructor(readonly options: BrokerOptions = {}) {
    this.users = new Map((options.users ?? DEFAULT_USERS).map((u) => [u.name, u]))
    for (const name of options.vhosts ?? ['/']) this.vhosts.set(name, new Vhost(name, options.store, options.vhostOptions))
  }

  get store(): BrokerStore | undefined {
    return this.options.store
  }

  /** A user known by name alone: the EXTERNAL mechanism, where a verified certificate vouches for them. */
  userNamed(username: string): User | undefined {
    return this.users.get(username)
  }

  authenticate(username: string, password: string): User | undefined {
    const user = this.users.get(username)
    return user && user.password === password ? user : undefined
  }

  canAccess(user: User, vhost: string): boolean {
    return this.vhosts.has(vhost) && (user.vhosts === 'all' || user.vhosts.includes(vhost))
  }

  vhost(name: string): Vhost | undefined {
    return this.vhosts.get(name)
  }

  /** Body bytes queues hold in memory: what the memory alarm watches. */
  heldMessageBytes(): number {
    let bytes = 0
    for (const vhost of this.vhosts.values()) for (const q of vhost.queues.values()) bytes += q.memoryBytes
    return bytes
  }

  /** Back to the predeclared state: every queue, exchange, binding and message gone. */
  reset(): void {
    for (const vhost of this.vhosts.values()) vhost.reset()
  }
}
