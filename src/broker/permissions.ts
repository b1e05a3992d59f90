// A user's permissions on one vhost: configure, write and read regular expressions, matched as
// RabbitMQ matches them. Knows nothing of users, channels or the methods that need each access.
import { accessRefused } from '../errors.js'

export type Access = 'configure' | 'write' | 'read'
export type ResourceKind = 'exchange' | 'queue'

/** As rabbitmqctl set_permissions takes them: one regular expression per access. */
export interface PermissionSpec {
  readonly configure: string
  readonly write: string
  readonly read: string
}

export const FULL_PERMISSIONS: PermissionSpec = { configure: '.*', write: '.*', read: '.*' }

export class VhostPermissions {
  private readonly patterns: Record<Access, RegExp>

  constructor(readonly spec: PermissionSpec) {
    this.patterns = { configure: compile(spec.configure), write: compile(spec.write), read: compile(spec.read) }
  }

  allows(access: Access, name: string): boolean {
    return this.patterns[access].test(name)
  }
}

// RabbitMQ 3.10 (rabbit_auth_backend_internal) runs re:run(Name, Regexp) unanchored: 'c-.*'
// allows 'xc-q' too (checked against RabbitMQ 3.10.8). Only '' is special: it becomes '^$', which
// no exchange or queue name matches (the default exchange is checked as amq.default).
function compile(pattern: string): RegExp {
  return new RegExp(pattern === '' ? '^$' : pattern)
}

/** Throws if the pattern is not a regular expression (rabbitmqctl refuses it likewise). */
export function checkPermissionSpec(spec: PermissionSpec): void {
  for (const p of [spec.configure, spec.write, spec.read]) compile(p)
}

/** RabbitMQ checks the default exchange under the name amq.default (rabbit_access_control). */
export function resourceName(kind: ResourceKind, name: string): string {
  return kind === 'exchange' && name === '' ? 'amq.default' : name
}

/** RabbitMQ's refusal: ACCESS_REFUSED - access to queue 'q' in vhost '/' refused for user 'u'. */
export function refused(kind: ResourceKind, name: string, vhost: string, user: string): Error {
  return accessRefused(`access to ${kind} '${name}' in vhost '${vhost}' refused for user '${user}'`)
}
