// The users every conformance broker has besides guest: created on the private RabbitMQ node by
// rabbitmq.ts (rabbitmqctl add_user / set_permissions) and given to Warren by run.ts and the vitest
// replay (startBroker({ users })). One list, so both brokers always agree.
import type { User, UserSpec } from '../src/broker/broker.js'

export interface ConformanceUser {
  name: string
  password: string
  /** Permissions on '/' (configure, write, read patterns); absent: the user may not open '/'. */
  permissions?: { configure: string; write: string; read: string }
}

/**
 * perm-c: configure `c-ok` (unanchored: anywhere in the name), write `^cfx?\.perm-.*\.w-ok` (anchored at
 * the start only), read `r-ok$` (anchored at the end only); scenarios name resources with these tokens.
 * perm-empty: '' everywhere (matches no name). perm-none: no permissions on '/' at all.
 */
export const CONFORMANCE_USERS: readonly ConformanceUser[] = [
  { name: 'perm-c', password: 'pw', permissions: { configure: 'c-ok', write: '^cfx?\\.perm-.*\\.w-ok', read: 'r-ok$' } },
  { name: 'perm-empty', password: 'pw', permissions: { configure: '', write: '', read: '' } },
  { name: 'perm-none', password: 'pw' },
]

/** The startBroker({ users }) list for Warren: guest as by default, plus CONFORMANCE_USERS. */
export function warrenUsers(): (User & UserSpec)[] {
  return [
    { name: 'guest', password: 'guest', tags: ['administrator'], permissions: { '/': { configure: '.*', write: '.*', read: '.*' } } },
    ...CONFORMANCE_USERS.map((u) => ({ name: u.name, password: u.password, tags: [] as string[], permissions: u.permissions ? { '/': u.permissions } : ({} as Record<string, never>) })),
  ]
}
