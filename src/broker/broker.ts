// The broker: its vhosts (and their limits), users and their permissions and topic permissions,
// created from a Config, with the test helpers reset() and inspection. Owns no sockets; connections
// reach it through authenticate(), canAccess(), checkAccess(), the connection limits and vhost().
import { createHash, timingSafeEqual } from 'node:crypto'
import type { BrokerStore } from './broker-store.js'
import { Vhost, type VhostOptions } from './vhost.js'
import { DirectReplyRegistry } from './direct-reply.js'
import { ConnectionLimits, LimitTable, checkUserLimits, checkVhostLimits, type UserLimitName, type UserLimits, type VhostLimitName, type VhostLimits } from './limits.js'
import { TopicPermissions, type TopicAccess, type TopicPermissionEntry, type TopicPermissionSpec } from './topic-permissions.js'
import {
  FULL_PERMISSIONS, VhostPermissions, checkPermissionSpec, refused, resourceName,
  type Access, type PermissionSpec, type ResourceKind,
} from './permissions.js'

export type { Access, PermissionSpec, ResourceKind, TopicAccess, TopicPermissionEntry, TopicPermissionSpec, UserLimitName, UserLimits, VhostLimitName, VhostLimits }

export interface User {
  readonly name: string
  /** The plain password; '' for a user known only by its hash. */
  readonly password: string
  /** RabbitMQ's rabbit_password_hashing_sha256 hash: base64(salt(4) ++ sha256(salt ++ utf8 password)). */
  readonly passwordHash?: string
  readonly tags: readonly string[]
}

/** A user as options and addUser() take it: a password or a hash, and permissions per vhost. */
export interface UserSpec {
  readonly name: string
  readonly password?: string
  readonly passwordHash?: string
  readonly tags?: readonly string[]
  readonly permissions?: Readonly<Record<string, PermissionSpec>>
  /** Legacy shorthand (before permissions existed): full permissions on these vhosts, or on every vhost. */
  readonly vhosts?: readonly string[] | 'all'
  /** As rabbitmqctl set_user_limits (and definitions' users[].limits): max-connections, max-channels. */
  readonly limits?: UserLimits
}

export interface BrokerOptions {
  readonly store?: BrokerStore
  /** Typed as User too, so code that reads options.users as User[] keeps working; prefer users(). */
  readonly users?: readonly (User & UserSpec)[]
  readonly vhosts?: readonly string[]
  /** Message property codec and queue memory budget, given to every vhost. */
  readonly vhostOptions?: VhostOptions
  /** RabbitMQ's connection_max: open connections on the whole broker; undefined = no limit. */
  readonly maxConnections?: number
  /** Limits per vhost (as rabbitmqctl set_vhost_limits); vhosts named here are created. */
  readonly vhostLimits?: Readonly<Record<string, VhostLimits>>
  /** Topic permissions (as rabbitmqctl set_topic_permissions), applied after the users. */
  readonly topicPermissions?: readonly TopicPermissionEntry[]
}

// RabbitMQ's default user: guest/guest, administrator, full permissions on '/'.
export const DEFAULT_USERS: readonly (User & UserSpec)[] = [
  { name: 'guest', password: 'guest', tags: ['administrator'], permissions: { '/': FULL_PERMISSIONS } },
]

export class Broker {
  readonly vhosts = new Map<string, Vhost>()
  readonly directReply = new DirectReplyRegistry()
  private readonly userMap = new Map<string, User>()
  /** user → vhost → permissions; a user with no entry for a vhost may not open it. */
  private readonly permissions = new Map<string, Map<string, VhostPermissions>>()
  /** Users given the legacy `vhosts: 'all'`: full permissions on every vhost, present and future. */
  private readonly allVhostUsers = new Set<string>()
  private readonly limitsByVhost = new LimitTable<VhostLimitName>()
  private readonly limitsByUser = new LimitTable<UserLimitName>()
  readonly connectionLimits: ConnectionLimits
  readonly topicPermissions = new TopicPermissions()

  constructor(readonly options: BrokerOptions = {}) {
    this.connectionLimits = new ConnectionLimits(options.maxConnections)
    for (const name of options.vhosts ?? ['/']) this.addVhost(name)
    for (const [vhost, limits] of Object.entries(options.vhostLimits ?? {})) {
      this.addVhost(vhost)
      this.setVhostLimits(vhost, limits)
    }
    for (const spec of options.users ?? DEFAULT_USERS) this.addUser(spec)
    for (const t of options.topicPermissions ?? []) this.setTopicPermissions(t.user, t.vhost, t)
  }

  get store(): BrokerStore | undefined {
    return this.options.store
  }

  // ---- users ------------------------------------------------------------------------------

  /** Adds or replaces a user (as rabbitmqctl add_user, plus set_permissions for each listed vhost). */
  addUser(spec: UserSpec): User {
    const user: User = { name: spec.name, password: spec.password ?? '', passwordHash: spec.passwordHash, tags: [...(spec.tags ?? [])] }
    this.userMap.set(user.name, user)
    this.permissions.set(user.name, new Map())
    this.allVhostUsers.delete(user.name)
    if (spec.vhosts === 'all') this.allVhostUsers.add(user.name)
    else for (const v of spec.vhosts ?? []) this.setPermissions(user.name, v, FULL_PERMISSIONS)
    for (const [vhost, p] of Object.entries(spec.permissions ?? {})) this.setPermissions(user.name, vhost, p)
    if (spec.limits) this.setUserLimits(user.name, spec.limits)
    return user
  }

  /** Removes a user and its permissions; false if there was none. Open connections stay (as RabbitMQ's do). */
  deleteUser(name: string): boolean {
    this.permissions.delete(name)
    this.topicPermissions.clearUser(name)
    this.allVhostUsers.delete(name)
    this.limitsByUser.delete(name)
    return this.userMap.delete(name)
  }

  users(): User[] {
    return [...this.userMap.values()]
  }

  /** The user by name, without a password (the EXTERNAL mechanism's certificate names it). */
  userNamed(name: string): User | undefined {
    return this.userMap.get(name)
  }

  authenticate(username: string, password: string): User | undefined {
    const user = this.userMap.get(username)
    return user && passwordMatches(user, password) ? user : undefined
  }

  // ---- permissions ------------------------------------------------------------------------

  /** As rabbitmqctl set_permissions: replaces the user's permissions on the vhost. */
  setPermissions(username: string, vhost: string, spec: PermissionSpec): void {
    const perVhost = this.permissions.get(username)
    if (!perVhost) throw new Error(`no user '${username}'`)
    if (!this.vhosts.has(vhost)) throw new Error(`no vhost '${vhost}'`)
    checkPermissionSpec(spec)
    perVhost.set(vhost, new VhostPermissions({ ...spec }))
  }

  clearPermissions(username: string, vhost: string): void {
    this.permissions.get(username)?.delete(vhost)
  }

  /** The user's permissions on a vhost, undefined when it has none there. */
  permissionsOf(username: string, vhost: string): PermissionSpec | undefined {
    return this.permissionsFor(username, vhost)?.spec
  }

  /** Whether the user may open the vhost: it exists and the user has permissions on it (any, even ''). */
  canAccess(user: User, vhost: string): boolean {
    return this.vhosts.has(vhost) && this.permissionsFor(user.name, vhost) !== undefined
  }

  /** Throws RabbitMQ's 403 unless the user has this access to the exchange or queue. */
  checkAccess(username: string, vhost: string, access: Access, kind: ResourceKind, name: string): void {
    const checked = resourceName(kind, name)
    if (!this.permissionsFor(username, vhost)?.allows(access, checked)) throw refused(kind, checked, vhost, username)
  }

  // ---- topic permissions ------------------------------------------------------------------

  /** As rabbitmqctl set_topic_permissions: replaces the user's patterns for one exchange on the vhost. */
  setTopicPermissions(username: string, vhost: string, spec: TopicPermissionSpec): void {
    if (!this.userMap.has(username)) throw new Error(`no user '${username}'`)
    if (!this.vhosts.has(vhost)) throw new Error(`no vhost '${vhost}'`)
    this.topicPermissions.set(username, vhost, spec)
  }

  /** As rabbitmqctl clear_topic_permissions: one exchange's, or all of the user's on the vhost. */
  clearTopicPermissions(username: string, vhost: string, exchange?: string): void {
    this.topicPermissions.clear(username, vhost, exchange)
  }

  /**
   * RabbitMQ's check_topic_authorisation: only for topic exchanges, the routing key (publish) or
   * binding key (bind, unbind) against the user's write or read pattern; throws its 403.
   */
  checkTopicAccess(username: string, vhost: string, exchange: { name: string; type: string }, key: string, access: TopicAccess): void {
    if (exchange.type === 'topic') this.topicPermissions.check(username, vhost, exchange.name, key, access)
  }

  private permissionsFor(username: string, vhost: string): VhostPermissions | undefined {
    if (this.allVhostUsers.has(username) && this.vhosts.has(vhost)) return FULL
    return this.permissions.get(username)?.get(vhost)
  }

  // ---- vhosts -----------------------------------------------------------------------------

  /** Adds a vhost unless it exists; true when created. Nobody has permissions on it yet (RabbitMQ). */
  addVhost(name: string): boolean {
    if (this.vhosts.has(name)) return false
    this.vhosts.set(name, new Vhost(name, this.options.store, this.options.vhostOptions))
    this.applyVhostLimits(name)
    return true
  }

  /** Deletes a vhost, everything in it and every permission on it; false if absent. */
  deleteVhost(name: string): boolean {
    const vhost = this.vhosts.get(name)
    if (!vhost) return false
    vhost.reset()
    this.vhosts.delete(name)
    for (const perVhost of this.permissions.values()) perVhost.delete(name)
    this.topicPermissions.clearVhost(name)
    this.limitsByVhost.delete(name)
    return true
  }

  // ---- vhost and user limits --------------------------------------------------------------

  /** As rabbitmqctl set_vhost_limits: replaces every limit of the vhost. */
  setVhostLimits(vhost: string, limits: VhostLimits): void {
    if (!this.vhosts.has(vhost)) throw new Error(`no vhost '${vhost}'`)
    checkVhostLimits(limits)
    this.limitsByVhost.set(vhost, limits)
    this.applyVhostLimits(vhost)
  }

  /** One limit, as the management API's PUT /api/vhost-limits/{vhost}/{name}. */
  setVhostLimit(vhost: string, name: VhostLimitName, value: number): void {
    this.setVhostLimits(vhost, { ...this.limitsByVhost.get(vhost), [name]: value })
  }

  /** Removes one limit, or all of them (rabbitmqctl clear_vhost_limits); false if there was none. */
  clearVhostLimit(vhost: string, name?: VhostLimitName): boolean {
    const cleared = this.limitsByVhost.clear(vhost, name)
    this.applyVhostLimits(vhost)
    return cleared
  }

  /** The vhost's limits as set ({} when none). */
  vhostLimits(vhost: string): VhostLimits {
    return this.limitsByVhost.get(vhost)
  }

  /** Every vhost that has limits, with them. */
  allVhostLimits(): [string, VhostLimits][] {
    return this.limitsByVhost.all()
  }

  /** As rabbitmqctl set_user_limits: replaces every limit of the user. */
  setUserLimits(username: string, limits: UserLimits): void {
    if (!this.userMap.has(username)) throw new Error(`no user '${username}'`)
    checkUserLimits(limits)
    this.limitsByUser.set(username, limits)
  }

  /** One limit, as the management API's PUT /api/user-limits/{user}/{name}. */
  setUserLimit(username: string, name: UserLimitName, value: number): void {
    this.setUserLimits(username, { ...this.limitsByUser.get(username), [name]: value })
  }

  /** Removes one limit, or all of them (rabbitmqctl clear_user_limits); false if there was none. */
  clearUserLimit(username: string, name?: UserLimitName): boolean {
    return this.limitsByUser.clear(username, name)
  }

  /** The user's limits as set ({} when none). */
  userLimits(username: string): UserLimits {
    return this.limitsByUser.get(username)
  }

  /** Every user that has limits, with them. */
  allUserLimits(): [string, UserLimits][] {
    return this.limitsByUser.all()
  }

  /** Throws RabbitMQ's 530 if one more connection to the vhost would pass a limit. */
  checkConnectionLimits(username: string, vhost: string): void {
    this.connectionLimits.check(vhost, username, this.limitsByVhost.effective(vhost, 'max-connections'), this.limitsByUser.effective(username, 'max-connections'))
  }

  /** Throws RabbitMQ's 530 if the user may not open one more channel. */
  checkChannelLimit(username: string): void {
    this.connectionLimits.checkChannel(username, this.limitsByUser.effective(username, 'max-channels'))
  }

  private applyVhostLimits(name: string): void {
    const vhost = this.vhosts.get(name)
    if (vhost) vhost.maxQueues = this.limitsByVhost.effective(name, 'max-queues')
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

const FULL = new VhostPermissions(FULL_PERMISSIONS)

/** A plain password compares as given; a hash as RabbitMQ's rabbit_password_hashing_sha256. */
function passwordMatches(user: User, password: string): boolean {
  if (user.passwordHash !== undefined && user.passwordHash !== '') return sha256HashMatches(user.passwordHash, password)
  return user.password !== '' && user.password === password
}

function sha256HashMatches(passwordHash: string, password: string): boolean {
  const stored = Buffer.from(passwordHash, 'base64')
  if (stored.length !== 4 + 32) return false
  const salt = stored.subarray(0, 4)
  const computed = createHash('sha256').update(salt).update(Buffer.from(password, 'utf8')).digest()
  return timingSafeEqual(computed, stored.subarray(4))
}
