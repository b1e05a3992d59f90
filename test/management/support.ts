// Starts a Broker and Listener in-process (as src/index.ts does) with the management server on
// port 0, so tests reach the broker's internals, and a small fetch helper with basic auth.
import amqp from 'amqplib'
import { Broker, DEFAULT_USERS, type User, type UserSpec } from '../../src/broker/broker.js'
import { Listener } from '../../src/server/listener.js'
import { makeConfig } from '../../src/config.js'
import { createLogger } from '../../src/log.js'
import { propertiesCodec } from '../../src/wire/basic-properties.js'
import { startManagement, type ManagementServer } from '../../src/management/server.js'

export const TEST_USERS: readonly (User & UserSpec)[] = [
  // guest on every vhost (RabbitMQ's guest has only '/'; these tests use 'other' and new vhosts as guest).
  { ...DEFAULT_USERS[0], vhosts: 'all' },
  { name: 'plain', password: 'plain', tags: [], vhosts: 'all' },
  { name: 'watcher', password: 'watcher', tags: ['monitoring'], vhosts: ['/'] },
]

export interface ManagedBroker {
  readonly broker: Broker
  readonly listener: Listener
  readonly management: ManagementServer
  readonly amqpUrl: string
  readonly baseUrl: string
  readonly alarm: { isActive: boolean }
  close(): Promise<void>
}

export async function startManagedBroker(): Promise<ManagedBroker> {
  const level = process.env.WARREN_LOG_LEVEL ?? 'silent'
  const config = makeConfig({ port: 0, host: '127.0.0.1', inMemory: true, logLevel: level as 'silent' })
  const log = createLogger(level)
  const broker = new Broker({
    users: TEST_USERS,
    vhosts: ['/', 'other'],
    vhostOptions: { codec: propertiesCodec, queueMemoryBytes: config.queueMemoryBytes },
  })
  const listener = new Listener(broker, config, log, '0.1.0')
  const port = await listener.listen()
  const alarm = { isActive: false }
  const management = await startManagement({
    broker, connections: () => listener.connections, host: '127.0.0.1', port: 0, log, version: '0.1.0', amqpPort: port, memoryAlarm: alarm,
  })
  return {
    broker, listener, management, alarm,
    amqpUrl: `amqp://guest:guest@127.0.0.1:${port}`,
    baseUrl: `http://127.0.0.1:${management.port}`,
    async close() {
      await management.close()
      await listener.close()
    },
  }
}

export interface ApiResponse {
  status: number
  headers: Headers
  json: any // assertions read arbitrary fields of the reply
  text: string
}

export async function call(
  b: { baseUrl: string }, path: string,
  init: { method?: string; body?: unknown; rawBody?: string; user?: string; password?: string; noAuth?: boolean; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...init.headers }
  if (!init.noAuth) headers.authorization = 'Basic ' + Buffer.from(`${init.user ?? 'guest'}:${init.password ?? 'guest'}`).toString('base64')
  let body: string | undefined = init.rawBody
  if (init.body !== undefined) {
    body = JSON.stringify(init.body)
    headers['content-type'] = 'application/json'
  }
  const res = await fetch(b.baseUrl + path, { method: init.method ?? 'GET', headers, body })
  const text = await res.text()
  let json: unknown
  try {
    json = text === '' ? undefined : JSON.parse(text)
  } catch {
    json = undefined // not JSON (metrics, the dashboard)
  }
  return { status: res.status, headers: res.headers, json, text }
}

/** Polls an async condition each few milliseconds; rejects after timeoutMs. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

export async function connectAmqp(b: ManagedBroker, vhost = '') {
  const conn = await amqp.connect(b.amqpUrl + (vhost ? `/${encodeURIComponent(vhost)}` : ''))
  conn.on('error', () => {}) // a forced close is expected in some tests
  return conn
}

export const enc = encodeURIComponent
