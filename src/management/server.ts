// The management HTTP server: node:http on its own port, basic auth for /api, the route table,
// replies as JSON with RabbitMQ's error shapes, /metrics and the dashboard page. Owns no broker state.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { hostname } from 'node:os'
import type { Logger } from 'pino'
import type { Broker } from '../broker/broker.js'
import type { Connection } from '../connection/connection.js'
import { AmqpError, ReplyCode } from '../errors.js'
import { badRequest, HttpError, notFound, type ApiRequest, type Reply } from './http.js'
import { pathSegments, Router } from './router.js'
import { authenticate } from './auth.js'
import type { ApiContext } from './context.js'
import { MessageStats } from './message-stats.js'
import { ByteRates } from './byte-rates.js'
import { DefinitionsError } from './definitions.js'
import { metricsText, METRICS_CONTENT_TYPE } from './metrics.js'
import { DASHBOARD_HTML } from './dashboard.js'
import { overviewRoutes } from './routes/overview-routes.js'
import { topicPermissionRoutes } from './routes/topic-permission-routes.js'
import { limitRoutes } from './routes/limit-routes.js'
import { queueRoutes } from './routes/queue-routes.js'
import { exchangeRoutes } from './routes/exchange-routes.js'
import { bindingRoutes } from './routes/binding-routes.js'
import { connectionRoutes } from './routes/connection-routes.js'
import { definitionRoutes } from './routes/definition-routes.js'

export interface ManagementOptions {
  broker: Broker
  connections: () => Iterable<Connection>
  host: string
  /** 0 picks a free port. */
  port: number
  log: Logger
  version: string
  /** The AMQP port, shown in /api/overview's listeners. */
  amqpPort?: number
  /** Where durable data lives (for the disk metric); absent when in memory. */
  dataDir?: string
  /** The broker's memory alarm (ResourceAlarm satisfies it), for /api/health/checks/alarms and /metrics. */
  memoryAlarm?: { readonly isActive: boolean }
}

export interface ManagementServer {
  readonly port: number
  close(): Promise<void>
}

/** Request bodies above this are refused (413): large enough for a 128 MiB publish in base64. */
const MAX_BODY_BYTES = 192 * 1024 * 1024

export async function startManagement(o: ManagementOptions): Promise<ManagementServer> {
  const log = o.log.child({ component: 'management' })
  const stats = new MessageStats(o.broker)
  const byteRates = new ByteRates(o.connections)
  const ctx: ApiContext = {
    broker: o.broker, connections: o.connections, stats, byteRates, version: o.version, log,
    node: `warren@${hostname()}`, host: o.host, memoryAlarm: o.memoryAlarm,
  }
  let port = o.port
  const router = new Router([
    ...overviewRoutes(ctx, o.amqpPort, () => port),
    ...queueRoutes(ctx),
    ...exchangeRoutes(ctx),
    ...bindingRoutes(ctx),
    ...connectionRoutes(ctx),
    ...definitionRoutes(ctx),
    ...limitRoutes(ctx),
    ...topicPermissionRoutes(ctx),
  ])
  const server = createServer((req, res) => {
    handle(ctx, router, o.dataDir, req).then(
      (reply) => send(req, res, reply),
      (err: unknown) => send(req, res, errorReply(err, log)),
    )
  })
  server.keepAliveTimeout = 5000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.port, o.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  port = typeof address === 'object' && address ? address.port : o.port
  stats.start()
  byteRates.start()
  log.info({ host: o.host, port }, 'management listening')
  let closing: Promise<void> | undefined
  return {
    port,
    close: () => (closing ??= new Promise<void>((resolve) => {
      stats.stop()
      byteRates.stop()
      server.close(() => resolve())
      server.closeAllConnections()
    })),
  }
}

async function handle(ctx: ApiContext, router: Router, dataDir: string | undefined, req: IncomingMessage): Promise<Reply> {
  const url = new URL(req.url ?? '/', 'http://localhost')
  const method = req.method ?? 'GET'
  if (url.pathname === '/' || url.pathname === '/index.html') {
    if (method !== 'GET' && method !== 'HEAD') return { status: 405, headers: { allow: 'GET, HEAD' } }
    return { status: 200, text: DASHBOARD_HTML, contentType: 'text/html; charset=utf-8' }
  }
  if (url.pathname === '/metrics') {
    // Unauthenticated, as RabbitMQ's prometheus endpoint is.
    if (method !== 'GET' && method !== 'HEAD') return { status: 405, headers: { allow: 'GET, HEAD' } }
    return { status: 200, text: await metricsText(ctx, dataDir), contentType: METRICS_CONTENT_TYPE }
  }
  const segments = pathSegments(url.pathname)
  if (!segments) throw badRequest('malformed URL encoding')
  if (segments[0] !== 'api') throw notFound()
  const user = authenticate(ctx.broker, req.headers.authorization)
  const match = router.match(method, segments)
  if (match.kind === 'not-found') throw notFound()
  if (match.kind === 'method-not-allowed') return { status: 405, headers: { allow: match.allow } }
  const apiRequest: ApiRequest = {
    method, params: match.params, query: url.searchParams, user,
    headers: req.headers as Record<string, string | undefined>,
    json: () => readJson(req),
  }
  const reply = await match.handler(apiRequest)
  const columns = url.searchParams.get('columns')
  return columns && reply.json !== undefined ? { ...reply, json: pickColumns(reply.json, columns.split(',')) } : reply
}

function send(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { 'cache-control': 'no-cache', ...reply.headers }
  let body: string | undefined
  if (reply.json !== undefined) {
    body = JSON.stringify(reply.json)
    headers['content-type'] = 'application/json'
  } else if (reply.text !== undefined) {
    body = reply.text
    headers['content-type'] = reply.contentType ?? 'text/plain; charset=utf-8'
  }
  // Only a request without credentials is invited to send some (a browser would otherwise prompt the dashboard).
  if (reply.status === 401 && req.headers.authorization === undefined) headers['www-authenticate'] = 'Basic realm="RabbitMQ Management"'
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body))
  res.writeHead(reply.status, headers)
  res.end(req.method === 'HEAD' ? undefined : body)
}

function errorReply(err: unknown, log: Logger): Reply {
  if (err instanceof HttpError) return { status: err.status, json: { error: err.error, reason: err.reason } }
  if (err instanceof DefinitionsError) return { status: 400, json: { error: 'bad_request', reason: err.message } }
  if (err instanceof AmqpError) {
    // The broker's own refusals: a missing object is RabbitMQ's 404; every other refusal its 400 with the AMQP text.
    if (err.replyCode === ReplyCode.NotFound) return { status: 404, json: { error: 'Object Not Found', reason: 'Not Found' } }
    return { status: 400, json: { error: 'bad_request', reason: err.detail } }
  }
  log.error({ err }, 'management request failed')
  return { status: 500, json: { error: 'internal_server_error', reason: 'internal error, see the broker log' } }
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let bytes = 0
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length
      if (bytes > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'bad_request', 'request body too large'))
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on('error', reject)
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      if (text.trim() === '') return resolve(undefined)
      try {
        resolve(JSON.parse(text))
      } catch {
        reject(badRequest('Malformed JSON'))
      }
    })
  })
}

/** RabbitMQ's `?columns=name,message_stats.publish`: keep only those fields (dotted paths nest). */
function pickColumns(json: unknown, columns: string[]): unknown {
  const pick = (item: unknown): unknown => {
    if (typeof item !== 'object' || item === null) return item
    const out: Record<string, unknown> = {}
    for (const column of columns) {
      const path = column.split('.')
      let from: unknown = item, into = out
      for (let i = 0; i < path.length; i++) {
        if (typeof from !== 'object' || from === null || !(path[i] in from)) break
        from = (from as Record<string, unknown>)[path[i]]
        if (i === path.length - 1) into[path[i]] = from
        else into = (into[path[i]] ??= {}) as Record<string, unknown>
      }
    }
    return out
  }
  return Array.isArray(json) ? json.map(pick) : pick(json)
}
