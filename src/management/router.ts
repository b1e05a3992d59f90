// Matches a request path against the route table (`/api/queues/:vhost/:name`) and picks the
// handler for its method: no match is RabbitMQ's 404, a known path with another method a 405.
import type { ApiRequest, Reply } from './http.js'

export type Handler = (req: ApiRequest) => Reply | Promise<Reply>
export type Method = 'GET' | 'PUT' | 'POST' | 'DELETE'

export interface Route {
  readonly pattern: string
  readonly methods: Partial<Record<Method, Handler>>
}

export type Match =
  | { readonly kind: 'handler'; readonly handler: Handler; readonly params: Record<string, string> }
  | { readonly kind: 'method-not-allowed'; readonly allow: string }
  | { readonly kind: 'not-found' }

interface Compiled { readonly parts: readonly string[]; readonly route: Route }

export class Router {
  private readonly compiled: Compiled[]

  constructor(routes: readonly Route[]) {
    this.compiled = routes.map((route) => ({ route, parts: route.pattern.split('/').filter((p) => p !== '') }))
  }

  /** `segments` are already URL-decoded one by one, so a vhost `%2F` arrives as the single segment `/`. */
  match(method: string, segments: readonly string[]): Match {
    for (const { parts, route } of this.compiled) {
      const params = bind(parts, segments)
      if (!params) continue
      // HEAD is answered like GET (RabbitMQ's cowboy_rest does the same).
      const handler = route.methods[(method === 'HEAD' ? 'GET' : method) as Method]
      if (handler) return { kind: 'handler', handler, params }
      return { kind: 'method-not-allowed', allow: Object.keys(route.methods).join(', ') }
    }
    return { kind: 'not-found' }
  }
}

function bind(parts: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (parts.length !== segments.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]
    if (part.startsWith(':')) params[part.slice(1)] = segments[i]
    else if (part !== segments[i]) return undefined
  }
  return params
}

/** Splits a raw path into decoded segments; undefined when a segment is not valid percent-encoding. */
export function pathSegments(pathname: string): string[] | undefined {
  const raw = pathname.split('/').filter((s, i, all) => !(s === '' && (i === 0 || i === all.length - 1)))
  try {
    return raw.map((s) => decodeURIComponent(s))
  } catch {
    return undefined // malformed %-escape: the caller answers 400
  }
}
