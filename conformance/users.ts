// The users every conformance broker has besides guest (some with user limits), and the vhosts with
// limits and the topic permissions the limits scenarios need: created on the private RabbitMQ node by
// rabbitmq.ts (rabbitmqctl add_user / set_permissions / set_user_limits / add_vhost / set_vhost_limits
// / set_topic_permissions)
// and given to Warren by run.ts and the vitest replay (warrenOptions()). One list, so both brokers agree.
import type { User, UserSpec } from '../src/broker/broker.js'
import type { TopicPermissionEntry, UserLimits, VhostLimits } from '../src/index.js'

export interface ConformanceUser {
  name: string
  password: string
  /** Permissions on '/' (configure, write, read patterns); absent: the user may not open '/'. */
  permissions?: { configure: string; write: string; read: string }
  /** As rabbitmqctl set_user_limits. */
  limits?: UserLimits
}

const ALL = { configure: '.*', write: '.*', read: '.*' }

/**
 * perm-c: configure `c-ok` (unanchored: anywhere in the name), write `^cfx?\.perm-.*\.w-ok` (anchored at
 * the start only), read `r-ok$` (anchored at the end only); scenarios name resources with these tokens.
 * perm-empty: '' everywhere (matches no name). perm-none: no permissions on '/' at all.
 */
export const CONFORMANCE_USERS: readonly ConformanceUser[] = [
  { name: 'perm-c', password: 'pw', permissions: { configure: 'c-ok', write: '^cfx?\\.perm-.*\\.w-ok', read: 'r-ok$' } },
  { name: 'perm-empty', password: 'pw', permissions: { configure: '', write: '', read: '' } },
  { name: 'perm-none', password: 'pw' },
  { name: 'perm-topic', password: 'pw', permissions: ALL },
  // User limits, one user per scenario that opens anything: RabbitMQ counts asynchronously too.
  { name: 'lim-conn', password: 'pw', permissions: ALL, limits: { 'max-connections': 1 } },
  { name: 'lim-zero', password: 'pw', limits: { 'max-connections': 0 } },
  { name: 'lim-chan', password: 'pw', permissions: ALL, limits: { 'max-channels': 2 } },
  { name: 'lim-chan-x', password: 'pw', permissions: ALL, limits: { 'max-channels': 2 } },
  { name: 'lim-chan-zero', password: 'pw', permissions: ALL, limits: { 'max-channels': 0 } },
  { name: 'lim-none', password: 'pw', permissions: ALL, limits: { 'max-connections': -1, 'max-channels': -1 } },
]

/**
 * Vhosts with limits, one per refusal so that no scenario waits for another's connections to be
 * forgotten (RabbitMQ counts them asynchronously). guest has full permissions on each.
 */
export const CONFORMANCE_VHOSTS: Readonly<Record<string, VhostLimits>> = {
  'cf-conn-limit': { 'max-connections': 1 },
  'cf-conn-zero': { 'max-connections': 0 },
  'cf-queue-limit': { 'max-queues': 0 },
  'cf-no-limit': { 'max-connections': -1, 'max-queues': -1 },
}

/** perm-topic on '/': routing keys w.<its name>.* to amq.topic, binding keys r.<vhost>.* from it. */
export const CONFORMANCE_TOPIC_PERMISSIONS: readonly TopicPermissionEntry[] = [
  { user: 'perm-topic', vhost: '/', exchange: 'amq.topic', write: '^w\\.{username}\\.', read: '^r\\.{vhost}\\.' },
]

/** The startBroker({ users }) list for Warren: guest as by default, plus CONFORMANCE_USERS. */
export function warrenUsers(): (User & UserSpec)[] {
  return [
    { name: 'guest', password: 'guest', tags: ['administrator'], permissions: { '/': { configure: '.*', write: '.*', read: '.*' } } },
    ...CONFORMANCE_USERS.map((u) => ({ name: u.name, password: u.password, tags: [] as string[], permissions: u.permissions ? { '/': u.permissions } : ({} as Record<string, never>), limits: u.limits })),
  ].map((u) => u.name === 'guest' ? { ...u, permissions: { ...u.permissions, ...Object.fromEntries(Object.keys(CONFORMANCE_VHOSTS).map((v) => [v, ALL])) } } : u)
}

/** What startBroker needs to match the RabbitMQ node: users, vhost limits, topic permissions. */
export function warrenOptions(): { users: (User & UserSpec)[]; vhostLimits: Record<string, VhostLimits>; topicPermissions: TopicPermissionEntry[] } {
  return { users: warrenUsers(), vhostLimits: { ...CONFORMANCE_VHOSTS }, topicPermissions: [...CONFORMANCE_TOPIC_PERMISSIONS] }
}
