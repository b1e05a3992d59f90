// The management API's request and reply values, and its errors in RabbitMQ's shape
// ({error, reason} with the status RabbitMQ uses). Knows nothing of the broker or of routes.
import type { User } from '../broker/broker.js'

export interface ApiRequest {
  readonly method: string
  /** Path segments after the route's prefix, each URL-decoded once (`%2F` is the vhost `/`). */
  readonly params: Readonly<Record<string, string>>
  readonly query: URLSearchParams
  /** Request headers, names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly user: User
  /** The body parsed as JSON (undefined when empty); a malformed body is a 400. */
  json(): Promise<unknown>
}

export interface Reply {
  readonly status: number
  readonly json?: unknown
  readonly text?: string
  readonly contentType?: string
  readonly headers?: Readonly<Record<string, string>>
}

export class HttpError extends Error {
  /** reason: mostly text; RabbitMQ sends some as a JSON list (e.g. ["no_such_user","bob"]). */
  constructor(readonly status: number, readonly error: string, readonly reason: string | readonly string[]) {
    super(`${status} ${error}: ${String(reason)}`)
  }
}

// RabbitMQ's texts, as its management plugin sends them (rabbit_mgmt_util).
export const notFound = (): HttpError => new HttpError(404, 'Object Not Found', 'Not Found')
export const badRequest = (reason: string | readonly string[]): HttpError => new HttpError(400, 'bad_request', reason)
export const notAuthorised = (reason: string): HttpError => new HttpError(401, 'not_authorised', reason)

export const ok = (json: unknown): Reply => ({ status: 200, json })
export const noContent = (): Reply => ({ status: 204 })
export const created = (location?: string): Reply => ({ status: 201, headers: location ? { location } : undefined })

/** A JSON object body, or 400 as RabbitMQ answers a body it cannot read. */
export function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined) return {}
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('body must be a JSON object')
  return body as Record<string, unknown>
}

export function optionalBoolean(body: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const v = body[key]
  if (v === undefined) return fallback
  if (typeof v === 'boolean') return v
  if (v === 'true' || v === 'false') return v === 'true'
  throw badRequest(`${key} must be a boolean`)
}

export function optionalString(body: Record<string, unknown>, key: string, fallback: string): string {
  const v = body[key]
  if (v === undefined) return fallback
  if (typeof v !== 'string') throw badRequest(`${key} must be a string`)
  return v
}

export function optionalTable(body: Record<string, unknown>, key: string): Record<string, unknown> {
  const v = body[key]
  if (v === undefined || v === null) return {}
  if (typeof v !== 'object' || Array.isArray(v)) throw badRequest(`${key} must be an object`)
  return v as Record<string, unknown>
}
