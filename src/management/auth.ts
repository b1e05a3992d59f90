// HTTP basic authentication against the broker's users, with RabbitMQ's rules: a user needs a
// management tag to use the API, and sees only the vhosts it may access. Never logs credentials.
import type { Broker, User } from '../broker/broker.js'
import { notAuthorised } from './http.js'

/** RabbitMQ's tags that open the management API (rabbit_mgmt_util:is_authorized_user). */
const MANAGEMENT_TAGS = new Set(['management', 'policymaker', 'monitoring', 'administrator'])

/** The user a request's Authorization header names; throws 401 as RabbitMQ answers it. */
export function authenticate(broker: Broker, authorization: string | undefined): User {
  const credentials = parseBasic(authorization)
  const user = credentials && broker.authenticate(credentials.username, credentials.password)
  if (!user) throw notAuthorised('Login failed')
  if (!user.tags.some((t) => MANAGEMENT_TAGS.has(t))) throw notAuthorised('Not management user')
  return user
}

export function parseBasic(header: string | undefined): { username: string; password: string } | undefined {
  const m = header === undefined ? null : /^Basic\s+(\S+)\s*$/i.exec(header)
  if (!m) return undefined
  const decoded = Buffer.from(m[1], 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return undefined
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

export const isAdministrator = (user: User): boolean => user.tags.includes('administrator')

/** Vhost-scoped requests by a user without access are refused as RabbitMQ does (401). */
export function checkVhostAccess(broker: Broker, user: User, vhost: string): void {
  if (!broker.canAccess(user, vhost)) throw notAuthorised('Access refused.')
}

/** Writes (declare, delete, publish, import) need more than the monitoring tag. */
export function checkCanWrite(user: User): void {
  if (!user.tags.some((t) => t === 'management' || t === 'policymaker' || t === 'administrator')) throw notAuthorised('Not authorised')
}

export function checkAdministrator(user: User): void {
  if (!isAdministrator(user)) throw notAuthorised('Not administrator user')
}
