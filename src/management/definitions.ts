// RabbitMQ's definitions.json: export of users (with their limits), vhosts (with theirs), permissions, topic
// permissions and the exchanges, queues and bindings; import of the same format (vhost limits come
// as 'vhost-limits' parameters, as RabbitMQ 3.10 writes them).
import type { Broker, User } from '../broker/broker.js'
import { DEFAULT_USERS } from '../broker/broker.js'
import type { Vhost } from '../broker/vhost.js'
import { tableToJson } from './field-json.js'
import { vhostBindings, type BindingView } from './shapes/binding-json.js'
import { DEFAULT_HASHING_ALGORITHM, hashPassword, matchesHash, userSalt } from './password-hash.js'
import { addVhost } from './vhost-admin.js'
import { API_OWNER } from './context.js'
import { checkUserLimits, checkVhostLimits, type UserLimits } from '../broker/limits.js'

export class DefinitionsError extends Error {}

export interface DefinitionsReport {
  vhosts: number
  exchanges: number
  queues: number
  bindings: number
  /** What was in the file but not applied, one line each (users, permissions, policies...). */
  unsupported: string[]
}

/** The version RabbitMQ tools expect in the file; Warren behaves as RabbitMQ 3.10 does. */
const RABBIT_VERSION = '3.10.0'

export function brokerUsers(broker: Broker): readonly User[] {
  return broker.users()
}

export function exportDefinitions(broker: Broker, version: string): Record<string, unknown> {
  const users = brokerUsers(broker)
  const vhosts = [...broker.vhosts.values()]
  return {
    rabbit_version: RABBIT_VERSION,
    rabbitmq_version: RABBIT_VERSION,
    product_name: 'Warren',
    product_version: version,
    users: users.map((u) => ({
      name: u.name, password_hash: u.passwordHash ?? hashPassword(u.password, userSalt(u.name)), hashing_algorithm: DEFAULT_HASHING_ALGORITHM, tags: [...u.tags], limits: broker.userLimits(u.name),
    })),
    // RabbitMQ 3.10.8 writes a vhost's limits here as [name, value] pairs (and again as parameters).
    vhosts: vhosts.map((v) => ({
      name: v.name, limits: Object.entries(broker.vhostLimits(v.name)), metadata: { description: v.name === '/' ? 'Default virtual host' : '', tags: [] },
    })),
    permissions: users.flatMap((u) => vhosts.flatMap((v) => {
      const p = broker.permissionsOf(u.name, v.name)
      return p ? [{ user: u.name, vhost: v.name, configure: p.configure, write: p.write, read: p.read }] : []
    })),
    topic_permissions: broker.topicPermissions.list().map((p) => ({ user: p.user, vhost: p.vhost, exchange: p.exchange, write: p.write, read: p.read })),
    parameters: broker.allVhostLimits().map(([vhost, value]) => ({ vhost, component: 'vhost-limits', name: 'limits', value })),
    global_parameters: [],
    policies: [],
    queues: vhosts.flatMap(exportedQueues),
    exchanges: vhosts.flatMap(exportedExchanges),
    bindings: vhosts.flatMap(exportedBindings),
  }
}

// RabbitMQ 3.10 exports every queue but exclusive ones, durable or not, every exchange but the
// default and amq.* ones, and the bindings between them (fixtures/rabbitmq-3.10-definitions-export.json).
function exportedQueues(v: Vhost): Record<string, unknown>[] {
  return [...v.queues.values()].filter((q) => !q.isExclusive).map((q) => ({
    name: q.name, vhost: v.name, durable: q.isDurable, auto_delete: q.isAutoDelete, arguments: tableToJson(q.options.arguments),
  }))
}

function exportedExchanges(v: Vhost): Record<string, unknown>[] {
  return [...v.exchanges.values()].filter((e) => e.name !== '' && !e.name.startsWith('amq.')).map((e) => ({
    name: e.name, vhost: v.name, type: e.type, durable: e.isDurable, auto_delete: e.isAutoDelete, internal: e.isInternal,
    arguments: tableToJson(e.options.arguments),
  }))
}

function exportedBindings(v: Vhost): Record<string, unknown>[] {
  const isExported = (b: BindingView): boolean =>
    b.source !== '' && !(b.destinationType === 'queue' && v.queues.get(b.destination)!.isExclusive)
  return vhostBindings(v).filter(isExported).map((b) => ({
    source: b.source, vhost: b.vhost, destination: b.destination, destination_type: b.destinationType,
    routing_key: b.routingKey, arguments: tableToJson(b.arguments),
  }))
}

/**
 * Applies a definitions file (as parsed JSON) to the broker: vhosts, then exchanges, queues and
 * bindings, each declared as a client would (an inequivalent redeclare throws the AmqpError).
 * Used by POST /api/definitions and by `--definitions FILE` at boot.
 */
export function loadDefinitions(broker: Broker, json: unknown): DefinitionsReport {
  const defs = asObject(json, 'definitions')
  const report: DefinitionsReport = { vhosts: 0, exchanges: 0, queues: 0, bindings: 0, unsupported: [] }
  checkUsers(broker, list(defs, 'users'), report)
  for (const v of list(defs, 'vhosts')) if (addVhost(broker, str(v, 'name'))) report.vhosts++
  checkPermissions(broker, list(defs, 'permissions'), report)
  applyTopicPermissions(broker, list(defs, 'topic_permissions'), report)
  const otherParameters = list(defs, 'parameters').filter((p) => !applyVhostLimits(broker, p, report))
  if (otherParameters.length > 0) report.unsupported.push(`${otherParameters.length} parameters (not supported by Warren)`)
  for (const key of ['policies', 'operator_policies']) {
    const n = list(defs, key).length
    if (n > 0) report.unsupported.push(`${n} ${key.replace('_', ' ')} (not supported by Warren)`)
  }
  for (const e of list(defs, 'exchanges')) {
    vhostOf(broker, e).declareExchange({
      name: str(e, 'name'), type: str(e, 'type'), passive: false, durable: bool(e, 'durable', true),
      autoDelete: bool(e, 'auto_delete', false), internal: bool(e, 'internal', false), arguments: table(e, 'arguments'),
    })
    report.exchanges++
  }
  for (const q of list(defs, 'queues')) {
    vhostOf(broker, q).declareQueue({
      name: str(q, 'name'), passive: false, durable: bool(q, 'durable', true), exclusive: false,
      autoDelete: bool(q, 'auto_delete', false), arguments: table(q, 'arguments'),
    }, API_OWNER)
    report.queues++
  }
  for (const b of list(defs, 'bindings')) {
    const vhost = vhostOf(broker, b)
    const kind = str(b, 'destination_type')
    if (kind === 'queue') vhost.bindQueue(str(b, 'destination'), str(b, 'source'), str(b, 'routing_key'), table(b, 'arguments'), API_OWNER)
    else if (kind === 'exchange') vhost.bindExchange(str(b, 'destination'), str(b, 'source'), str(b, 'routing_key'), table(b, 'arguments'))
    else throw new DefinitionsError(`binding destination_type must be queue or exchange, not '${kind}'`)
    report.bindings++
  }
  return report
}

/** The broker's users are fixed at start: a listed user must exist with that password. */
/** Users from a definitions file are added (or their hash and tags updated), as RabbitMQ imports them. */
function checkUsers(broker: Broker, users: Record<string, unknown>[], report: DefinitionsReport): void {
  for (const u of users) {
    const name = str(u, 'name')
    const hash = typeof u.password_hash === 'string' && u.password_hash !== '' ? u.password_hash : undefined
    const algorithm = typeof u.hashing_algorithm === 'string' ? u.hashing_algorithm : undefined
    if (hash && algorithm && algorithm !== DEFAULT_HASHING_ALGORITHM) {
      report.unsupported.push(`user '${name}' (password hashing ${algorithm}; Warren checks ${DEFAULT_HASHING_ALGORITHM})`)
      continue
    }
    const existing = broker.userNamed(name)
    const tags = Array.isArray(u.tags) ? u.tags.map(String) : typeof u.tags === 'string' && u.tags !== '' ? u.tags.split(',') : []
    const permissions = existing ? Object.fromEntries([...broker.vhosts.keys()].flatMap((v) => {
      const p = broker.permissionsOf(name, v)
      return p ? [[v, p]] : []
    })) : undefined
    broker.addUser({ name, passwordHash: hash, tags, permissions, limits: userLimitsOf(u, name) })
  }
}

/** users[].limits as RabbitMQ 3.10 writes them ({"max-connections": 10}); an empty object is none. */
function userLimitsOf(u: Record<string, unknown>, name: string): UserLimits | undefined {
  if (u.limits === undefined) return undefined
  const limits = asObject(u.limits, `the limits of user '${name}'`)
  try {
    checkUserLimits(limits)
  } catch (err) {
    throw new DefinitionsError((err as Error).message)
  }
  return Object.keys(limits).length > 0 ? limits : undefined
}

function checkPermissions(broker: Broker, permissions: Record<string, unknown>[], report: DefinitionsReport): void {
  for (const p of permissions) {
    const user = str(p, 'user'), vhost = str(p, 'vhost')
    if (!broker.userNamed(user) || !broker.vhost(vhost)) {
      report.unsupported.push(`permission of '${user}' on vhost '${vhost}'`)
      continue
    }
    broker.setPermissions(user, vhost, { configure: String(p.configure ?? ''), write: String(p.write ?? ''), read: String(p.read ?? '') })
  }
}

function applyTopicPermissions(broker: Broker, entries: Record<string, unknown>[], report: DefinitionsReport): void {
  for (const p of entries) {
    const user = str(p, 'user'), vhost = str(p, 'vhost')
    if (!broker.userNamed(user) || !broker.vhost(vhost)) {
      report.unsupported.push(`topic permission of '${user}' on vhost '${vhost}'`)
      continue
    }
    broker.setTopicPermissions(user, vhost, { exchange: str(p, 'exchange'), write: String(p.write ?? ''), read: String(p.read ?? '') })
  }
}

/** A 'vhost-limits' parameter sets the vhost's limits; false for any other parameter. */
function applyVhostLimits(broker: Broker, p: Record<string, unknown>, report: DefinitionsReport): boolean {
  if (p.component !== 'vhost-limits') return false
  const vhost = str(p, 'vhost')
  const value = asObject(p.value, `the value of vhost-limits for '${vhost}'`)
  try {
    checkVhostLimits(value)
  } catch (err) {
    throw new DefinitionsError((err as Error).message)
  }
  if (!broker.vhost(vhost)) report.unsupported.push(`limits of vhost '${vhost}' (no such vhost)`)
  else broker.setVhostLimits(vhost, value)
  return true
}

function vhostOf(broker: Broker, item: Record<string, unknown>): Vhost {
  const name = str(item, 'vhost')
  const vhost = broker.vhost(name)
  if (!vhost) throw new DefinitionsError(`vhost '${name}' does not exist and is not in the definitions`)
  return vhost
}

function asObject(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new DefinitionsError(`${what} must be a JSON object`)
  return v as Record<string, unknown>
}

function list(defs: Record<string, unknown>, key: string): Record<string, unknown>[] {
  const v = defs[key]
  if (v === undefined || v === null) return []
  if (!Array.isArray(v)) throw new DefinitionsError(`'${key}' must be a list`)
  return v.map((item) => asObject(item, `an item of '${key}'`))
}

function str(item: Record<string, unknown>, key: string): string {
  const v = item[key]
  if (typeof v !== 'string') throw new DefinitionsError(`'${key}' must be a string in ${JSON.stringify(item)}`)
  return v
}

function bool(item: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const v = item[key]
  if (v === undefined) return fallback
  if (typeof v !== 'boolean') throw new DefinitionsError(`'${key}' must be true or false in ${JSON.stringify(item)}`)
  return v
}

function table(item: Record<string, unknown>, key: string): Record<string, unknown> {
  const v = item[key]
  if (v === undefined || v === null) return {}
  return asObject(v, `'${key}'`)
}
