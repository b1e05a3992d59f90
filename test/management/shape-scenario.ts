// The steps behind the RabbitMQ 3.10 shape fixtures, run alike by record-shapes.ts (against
// RabbitMQ) and shapes.test.ts (against Warren): create objects, then call every endpoint of
// issue 7 and reduce each reply to its shape. Imports nothing from src/, so it compiles alone.
import amqp from 'amqplib'

/** A JSON value's shape: its type name, `[shape of the first element]` for arrays, or an object of shapes. */
export type Shape = 'string' | 'number' | 'boolean' | 'null' | Shape[] | { [key: string]: Shape }

export interface RecordedShape {
  readonly step: string
  readonly request: string
  readonly status: number
  /** The reply body's shape; 'none' when the body is empty or not JSON. */
  readonly shape: Shape | 'none'
}

export interface Target {
  /** e.g. http://127.0.0.1:15672 */
  readonly baseUrl: string
  /** e.g. amqp://guest:guest@127.0.0.1:5672 */
  readonly amqpUrl: string
  /** How long to wait for a reply to show what the step expects (RabbitMQ emits stats on a timer). */
  readonly settleMs: number
  /** Wait for message_stats too: RabbitMQ fills it in from stats emitted every few seconds. */
  readonly awaitsMessageStats: boolean
}

/** `node` names the broker's node: a key equal to it (as in a vhost's cluster_state) is written `{node}`. */
export function shapeOf(value: unknown, node?: string): Shape {
  if (value === null) return 'null'
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0], node)]
  if (typeof value === 'object') {
    const out: Record<string, Shape> = {}
    for (const key of Object.keys(value as object).sort()) out[key === node ? '{node}' : key] = shapeOf((value as Record<string, unknown>)[key], node)
    return out
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return typeof value as 'string'
  throw new Error(`not a JSON value: ${String(value)}`)
}

interface Reply { status: number; json: any; text: string } // eslint-disable-line @typescript-eslint/no-explicit-any -- readiness checks read arbitrary fields

async function http(t: Target, method: string, path: string, o: { body?: unknown; raw?: string; auth?: string | null } = {}): Promise<Reply> {
  const headers: Record<string, string> = {}
  const auth = o.auth === undefined ? 'guest:guest' : o.auth
  if (auth !== null) headers.authorization = 'Basic ' + Buffer.from(auth).toString('base64')
  let body: string | undefined = o.raw
  if (o.body !== undefined) body = JSON.stringify(o.body)
  if (body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(t.baseUrl + path, { method, headers, body })
  const text = await res.text()
  let json: unknown
  try {
    json = text === '' ? undefined : JSON.parse(text)
  } catch {
    json = undefined // an HTML or empty error page: shape 'none'
  }
  return { status: res.status, json, text }
}

async function must(t: Target, method: string, path: string, body: unknown, statuses: number[]): Promise<void> {
  const r = await http(t, method, path, { body })
  if (!statuses.includes(r.status)) throw new Error(`${method} ${path} answered ${r.status}: ${r.text}`)
}

/** Polls until `ready` holds for the reply (RabbitMQ's stats lag); no fixed sleeps. */
async function settle(t: Target, method: string, path: string, ready: (r: Reply) => boolean, o: { body?: unknown } = {}): Promise<Reply> {
  const deadline = Date.now() + t.settleMs
  for (;;) {
    const r = await http(t, method, path, o)
    if (ready(r)) return r
    if (Date.now() > deadline) throw new Error(`${method} ${path} never became ready: ${r.status} ${r.text.slice(0, 500)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const V = '%2F'
export const DURABLE_QUEUE = 'shape.a-durable'
export const TRANSIENT_QUEUE = 'shape.b-transient'

/**
 * Creates the objects, runs every step, and returns one shape per step. The AMQP connection
 * (one channel, one consumer holding 2 unacked messages) stays open until the steps are done.
 */
export async function runScenario(t: Target): Promise<RecordedShape[]> {
  // Exchanges of every type, with arguments; queues durable and transient with x- arguments.
  await must(t, 'PUT', `/api/exchanges/${V}/shape.direct`, { type: 'direct', durable: true, auto_delete: false, internal: false, arguments: { 'alternate-exchange': 'shape.fanout' } }, [201, 204])
  await must(t, 'PUT', `/api/exchanges/${V}/shape.fanout`, { type: 'fanout', durable: true }, [201, 204])
  await must(t, 'PUT', `/api/exchanges/${V}/shape.headers`, { type: 'headers', durable: false, internal: true }, [201, 204])
  await must(t, 'PUT', `/api/exchanges/${V}/shape.topic`, { type: 'topic', durable: true, auto_delete: false }, [201, 204])
  await must(t, 'PUT', `/api/queues/${V}/${DURABLE_QUEUE}`, { durable: true, arguments: { 'x-message-ttl': 3_600_000, 'x-max-length': 1000, 'x-dead-letter-exchange': 'shape.fanout', 'x-queue-type': 'classic' } }, [201, 204])
  await must(t, 'PUT', `/api/queues/${V}/${TRANSIENT_QUEUE}`, { durable: false, auto_delete: false, arguments: { 'x-max-priority': 5 } }, [201, 204])
  // Bindings: exchange to queue with a key, with headers arguments, and exchange to exchange.
  await must(t, 'POST', `/api/bindings/${V}/e/shape.direct/q/${DURABLE_QUEUE}`, { routing_key: 'a', arguments: {} }, [201])
  await must(t, 'POST', `/api/bindings/${V}/e/shape.topic/q/${TRANSIENT_QUEUE}`, { routing_key: 'shape.#', arguments: {} }, [201])
  await must(t, 'POST', `/api/bindings/${V}/e/shape.headers/q/${TRANSIENT_QUEUE}`, { routing_key: '', arguments: { 'x-match': 'all', kind: 'shape' } }, [201])
  await must(t, 'POST', `/api/bindings/${V}/e/shape.direct/e/shape.topic`, { routing_key: 'shape.e2e', arguments: {} }, [201])
  await must(t, 'POST', `/api/bindings/${V}/e/shape.fanout/q/${TRANSIENT_QUEUE}`, { routing_key: '', arguments: {} }, [201])

  // A client: one channel with prefetch, a consumer that holds what it gets unacked, a few publishes.
  const conn = await amqp.connect(t.amqpUrl, { clientProperties: { connection_name: 'shape-recorder' } })
  try {
    const ch = await conn.createChannel()
    await ch.prefetch(10)
    let delivered = 0
    await ch.consume(DURABLE_QUEUE, () => { delivered++ }, { noAck: false, consumerTag: 'shape-consumer', arguments: {} })
    const props = { contentType: 'text/plain', deliveryMode: 2, headers: { kind: 'shape', n: 1 }, messageId: 'm-1', timestamp: 1_700_000_000, appId: 'shapes' }
    ch.publish('shape.direct', 'a', Buffer.from('to the consumer 1'), props)
    ch.publish('shape.direct', 'a', Buffer.from('to the consumer 2'), props)
    for (let i = 0; i < 3; i++) ch.publish('shape.topic', 'shape.ready', Buffer.from(`ready ${i}`), { ...props, priority: i })
    const deadline = Date.now() + t.settleMs
    while (delivered < 2) {
      if (Date.now() > deadline) throw new Error('the consumer never got its 2 messages')
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    return await steps(t)
  } finally {
    await conn.close()
  }
}

async function steps(t: Target): Promise<RecordedShape[]> {
  const out: RecordedShape[] = []
  const node = String((await http(t, 'GET', '/api/overview')).json.node)
  const record = (step: string, request: string, r: Reply) => {
    out.push({ step, request, status: r.status, shape: r.json === undefined ? 'none' : shapeOf(r.json, node) })
  }
  const get = async (step: string, path: string, ready: (r: Reply) => boolean = (r) => r.status === 200, shownPath = path) => {
    record(step, `GET ${shownPath}`, await settle(t, 'GET', path, ready))
  }
  const hasStats = (x: any) => !t.awaitsMessageStats || x?.message_stats?.publish !== undefined || x?.message_stats?.publish_in !== undefined // eslint-disable-line @typescript-eslint/no-explicit-any
  const hasQueueStats = (q: any) => q?.consumers === 1 && q?.messages_unacknowledged === 2 && q?.messages_ready === 0 && hasStats(q) // eslint-disable-line @typescript-eslint/no-explicit-any
  const firstIsDurable = (r: Reply) => r.status === 200 && hasQueueStats(r.json?.find((q: { name: string }) => q.name === DURABLE_QUEUE))

  await get('overview', '/api/overview', (r) => r.json?.object_totals?.consumers === 1 && r.json?.queue_totals?.messages_unacknowledged === 2 && hasStats(r.json))
  await get('whoami', '/api/whoami')
  await get('vhosts', '/api/vhosts', (r) => r.json?.[0]?.messages_unacknowledged === 2)
  await get('vhost', `/api/vhosts/${V}`, (r) => r.json?.messages_unacknowledged === 2)
  await get('users', '/api/users')
  await get('user', '/api/users/guest')
  await get('permissions', '/api/permissions')
  await get('permission', `/api/permissions/${V}/guest`)
  await get('exchanges', '/api/exchanges')
  await get('exchanges-vhost', `/api/exchanges/${V}`)
  await get('exchange', `/api/exchanges/${V}/shape.direct`, (r) => r.status === 200 && hasStats(r.json))
  await get('queues', '/api/queues', firstIsDurable)
  await get('queues-vhost', `/api/queues/${V}`, firstIsDurable)
  await get('queue', `/api/queues/${V}/${DURABLE_QUEUE}`, (r) => hasQueueStats(r.json))
  await get('queue-transient', `/api/queues/${V}/${TRANSIENT_QUEUE}`, (r) => r.json?.messages_ready === 3)
  await get('bindings', '/api/bindings')
  await get('bindings-vhost', `/api/bindings/${V}`)
  await get('queue-bindings', `/api/queues/${V}/${TRANSIENT_QUEUE}/bindings`)
  await get('exchange-bindings-source', `/api/exchanges/${V}/shape.direct/bindings/source`)
  await get('exchange-bindings-destination', `/api/exchanges/${V}/shape.topic/bindings/destination`)
  await get('binding-between', `/api/bindings/${V}/e/shape.direct/q/${DURABLE_QUEUE}`)
  await get('connections', '/api/connections', (r) => r.json?.[0]?.channels === 1)
  const connectionName = encodeURIComponent((await http(t, 'GET', '/api/connections')).json[0].name)
  await get('connection', `/api/connections/${connectionName}`, (r) => r.json?.channels === 1, '/api/connections/{name}')
  await get('channels', '/api/channels', (r) => r.json?.[0]?.consumer_count === 1 && r.json?.[0]?.messages_unacknowledged === 2)
  await get('consumers', '/api/consumers', (r) => r.json?.length === 1)
  await get('consumers-vhost', `/api/consumers/${V}`, (r) => r.json?.length === 1)
  await get('definitions', '/api/definitions')
  await get('health-alarms', '/api/health/checks/alarms')
  await get('aliveness', `/api/aliveness-test/${V}`)

  const getBody = { count: 2, ackmode: 'ack_requeue_true', encoding: 'auto', truncate: 50000 }
  record('queue-get', `POST /api/queues/${V}/${TRANSIENT_QUEUE}/get`, await http(t, 'POST', `/api/queues/${V}/${TRANSIENT_QUEUE}/get`, { body: getBody }))
  const publishBody = { properties: { delivery_mode: 2, headers: { kind: 'shape' } }, routing_key: 'a', payload: 'from the api', payload_encoding: 'string' }
  record('exchange-publish', `POST /api/exchanges/${V}/shape.direct/publish`, await http(t, 'POST', `/api/exchanges/${V}/shape.direct/publish`, { body: publishBody }))

  // The main errors.
  record('error-401-no-credentials', 'GET /api/overview (no credentials)', await http(t, 'GET', '/api/overview', { auth: null }))
  record('error-401-wrong-password', 'GET /api/queues (wrong password)', await http(t, 'GET', '/api/queues', { auth: 'guest:wrong' }))
  record('error-404-queue', `GET /api/queues/${V}/shape.missing`, await http(t, 'GET', `/api/queues/${V}/shape.missing`))
  record('error-404-vhost', 'GET /api/queues/shape-missing-vhost', await http(t, 'GET', '/api/queues/shape-missing-vhost'))
  record('error-400-malformed-json', `PUT /api/queues/${V}/shape.malformed`, await http(t, 'PUT', `/api/queues/${V}/shape.malformed`, { raw: '{not json' }))
  record('error-400-publish-missing-fields', `POST /api/exchanges/${V}/shape.direct/publish (no payload)`, await http(t, 'POST', `/api/exchanges/${V}/shape.direct/publish`, { body: { routing_key: 'a' } }))
  record('error-405', 'DELETE /api/overview', await http(t, 'DELETE', '/api/overview'))
  return out
}
