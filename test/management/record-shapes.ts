// Records the fixtures shapes.test.ts and definitions-export.test.ts compare Warren with, from a
// real RabbitMQ 3.10 with rabbitmq_management. A script run by hand, not a test; it writes only
// under test/management/fixtures/ (relative to the working directory, the repository root).
//
// A fresh node on loopback (the steps expect only their own objects), as the fixtures were made
// with Debian's rabbitmq-server 3.10.8:
//   mkdir -p D && chmod 777 D && echo '[rabbitmq_management].' > D/enabled_plugins
//   export RABBITMQ_NODE_PORT=5681 RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODENAME=mgmtrec@localhost \
//     RABBITMQ_MNESIA_BASE=D/mnesia RABBITMQ_LOG_BASE=D/log RABBITMQ_DIST_PORT=25681 RABBITMQ_ENABLED_PLUGINS_FILE=D/enabled_plugins \
//     RABBITMQ_SERVER_START_ARGS='-rabbitmq_management tcp_config [{ip,"127.0.0.1"},{port,15681}] -kernel inet_dist_use_interface {127,0,0,1}'
//   rabbitmq-server -detached            (stop with: rabbitmqctl -n mgmtrec@localhost stop)
// Then, from the repository root:
//   npx tsc --module nodenext --moduleResolution nodenext --target es2022 --esModuleInterop \
//     --skipLibCheck --rootDir . --outDir dist/record-shapes test/management/record-shapes.ts
//   node dist/record-shapes/test/management/record-shapes.js http://127.0.0.1:15681 amqp://guest:guest@127.0.0.1:5681
//
// It writes fixtures/rabbitmq-3.10-shapes/<step>.json (one per endpoint: request, status, shape),
// then declares the definitions scenario (users, vhosts, permissions, exchanges of every type, queues
// with x- arguments, bindings) and writes GET /api/definitions to fixtures/rabbitmq-3.10-definitions-export.json.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runScenario } from './shape-scenario.js'

const [baseUrl, amqpUrl] = process.argv.slice(2)
if (!baseUrl || !amqpUrl) {
  console.error('usage: record-shapes.js MANAGEMENT_URL AMQP_URL')
  process.exit(2)
}

const fixtures = join(process.cwd(), 'test', 'management', 'fixtures')
const shapesDir = join(fixtures, 'rabbitmq-3.10-shapes')
mkdirSync(shapesDir, { recursive: true })

const auth = { authorization: 'Basic ' + Buffer.from('guest:guest').toString('base64'), 'content-type': 'application/json' }

async function put(method: string, path: string, body?: unknown): Promise<void> {
  const res = await fetch(baseUrl + path, { method, headers: auth, body: body === undefined ? undefined : JSON.stringify(body) })
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`)
}

const overview = await (await fetch(`${baseUrl}/api/overview`, { headers: auth })).json() as { rabbitmq_version: string }
if (!overview.rabbitmq_version.startsWith('3.10.')) throw new Error(`expected RabbitMQ 3.10, found ${overview.rabbitmq_version}`)

for (const s of await runScenario({ baseUrl, amqpUrl, settleMs: 60_000, awaitsMessageStats: true })) {
  writeFileSync(join(shapesDir, `${s.step}.json`), JSON.stringify({ rabbitmq_version: overview.rabbitmq_version, ...s }, null, 2) + '\n')
  console.log(`${s.status} ${s.request}`)
}

// The definitions scenario, in a vhost of its own (with a second user whom Warren cannot create).
const enc = encodeURIComponent
await put('PUT', '/api/vhosts/shop', { description: 'the shop', tags: 'prod,eu' })
await put('PUT', '/api/users/app', { password: 'app-secret', tags: 'management' })
await put('PUT', `/api/permissions/shop/guest`, { configure: '.*', write: '.*', read: '.*' })
await put('PUT', `/api/permissions/shop/app`, { configure: '^app\\.', write: '.*', read: '.*' })
for (const [name, body] of Object.entries({
  'orders': { type: 'topic', durable: true },
  'dlx': { type: 'fanout', durable: true },
  'direct-in': { type: 'direct', durable: true, arguments: { 'alternate-exchange': 'unrouted' } },
  'unrouted': { type: 'fanout', durable: true },
  'by-header': { type: 'headers', durable: true, internal: true },
  'scratch': { type: 'direct', durable: true, auto_delete: true },
})) await put('PUT', `/api/exchanges/shop/${enc(name)}`, body)
for (const [name, body] of Object.entries({
  'orders.eu': { durable: true, arguments: { 'x-queue-type': 'classic', 'x-message-ttl': 86_400_000, 'x-dead-letter-exchange': 'dlx', 'x-dead-letter-routing-key': 'orders.dead', 'x-max-length': 10_000, 'x-overflow': 'reject-publish' } },
  'orders.dead': { durable: true, arguments: { 'x-queue-type': 'classic' } },
  'priorities': { durable: true, arguments: { 'x-max-priority': 10, 'x-queue-mode': 'lazy' } },
  'jobs': { durable: true, arguments: { 'x-queue-type': 'quorum', 'x-delivery-limit': 5 } },
  'expiring': { durable: true, auto_delete: false, arguments: { 'x-expires': 1_800_000, 'x-single-active-consumer': true } },
})) await put('PUT', `/api/queues/shop/${enc(name)}`, body)
for (const [source, kind, destination, body] of [
  ['orders', 'q', 'orders.eu', { routing_key: 'order.eu.*', arguments: {} }],
  ['orders', 'q', 'priorities', { routing_key: 'order.#.urgent', arguments: {} }],
  ['dlx', 'q', 'orders.dead', { routing_key: '', arguments: {} }],
  ['direct-in', 'e', 'orders', { routing_key: 'order.eu.new', arguments: {} }],
  ['by-header', 'q', 'jobs', { routing_key: '', arguments: { 'x-match': 'any', kind: 'job', weight: 3 } }],
  ['unrouted', 'q', 'expiring', { routing_key: '', arguments: {} }],
] as const) await put('POST', `/api/bindings/shop/e/${enc(source)}/${kind}/${enc(destination)}`, body)

const defs = await (await fetch(`${baseUrl}/api/definitions`, { headers: auth })).json()
writeFileSync(join(fixtures, 'rabbitmq-3.10-definitions-export.json'), JSON.stringify(defs, null, 2) + '\n')
console.log('wrote rabbitmq-3.10-definitions-export.json')
