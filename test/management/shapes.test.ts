// Runs the steps of shape-scenario.ts against Warren and compares each reply's shape with the one
// recorded from RabbitMQ 3.10 (fixtures/rabbitmq-3.10-shapes/, written by record-shapes.ts): every
// field RabbitMQ sends must be in Warren's reply with the same JSON type, unless listed in OMITTED.
import { readdirSync, readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runScenario, type RecordedShape, type Shape } from './shape-scenario.js'
import { startManagedBroker, type ManagedBroker } from './support.js'

const DIR = new URL('./fixtures/rabbitmq-3.10-shapes/', import.meta.url)
const RECORDED: RecordedShape[] = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) as RecordedShape)

/**
 * RabbitMQ fields Warren leaves out on purpose, one reason per line. A name matches a field at any
 * depth, a dotted name (`contexts.cowboy_opts`) a path suffix; `[]` steps are dropped from paths.
 */
export const OMITTED: readonly { readonly fields: readonly string[]; readonly reason: string }[] = [
  { fields: ['garbage_collection', 'reductions', 'reductions_details'], reason: 'Erlang process and scheduler statistics; Warren is one Node.js process' },
  { fields: ['backing_queue_status'], reason: "internals of RabbitMQ's classic queue implementation (q1-q4, delta)" },
  { fields: ['recoverable_slaves', 'pending_raft_commands'], reason: 'mirrored and quorum (Raft) replicas; Warren has no cluster' },
  { fields: ['contexts.cowboy_opts', 'contexts.ssl_opts', 'listeners.socket_opts'], reason: "options of RabbitMQ's Erlang HTTP server and sockets" },
  { fields: ['peer_cert_issuer', 'peer_cert_subject', 'peer_cert_validity', 'ssl_cipher', 'ssl_hash', 'ssl_key_exchange', 'ssl_protocol'], reason: 'Warren has no TLS listener' },
  { fields: ['sample_retention_policies'], reason: 'Warren keeps the latest one-second sample, not a history' },
  { fields: ['churn_rates', 'recv_cnt', 'send_cnt'], reason: 'Warren does not count created/closed objects or socket reads and writes' },
  { fields: ['message_stats'], reason: 'the broker keeps no publish/deliver/ack counters yet; message-stats.ts shows them once Queue has them' },
  {
    fields: ['message_bytes', 'message_bytes_unacknowledged', 'message_bytes_persistent', 'message_bytes_ram', 'message_bytes_paged_out',
      'messages_persistent', 'messages_ram', 'messages_ready_ram', 'messages_unacknowledged_ram', 'messages_paged_out'],
    reason: 'Queue counts only ready bytes in memory (message_bytes_ready), not bytes by state, persistence or paging',
  },
  { fields: ['idle_since'], reason: 'queues and channels do not record when they were last used' },
  { fields: ['client_properties', 'user_provided_name'], reason: "the connection does not keep the client's properties (src/connection)" },
  { fields: ['global_parameters'], reason: "RabbitMQ's only one is internal_cluster_id, naming a cluster; Warren has none" },
]

/** Fields RabbitMQ itself sends as null in some states (a queue without a timestamped head message): null in Warren is no difference. */
export const NULLABLE: readonly string[] = ['head_message_timestamp']

const OMITTED_FIELDS = OMITTED.flatMap((o) => o.fields)

/** Where `warren` lacks a field of `rabbit` or has another type; one line per difference. */
export function shapeDifferences(rabbit: Shape | 'none', warren: Shape | 'none', omitted: readonly string[] = OMITTED_FIELDS, path = ''): string[] {
  if (rabbit === 'none') return [] // RabbitMQ sent no JSON body: any body of Warren's will do
  const at = path === '' ? '$' : path
  if (typeof rabbit === 'string') {
    if (warren === rabbit || (warren === 'null' && NULLABLE.some((f) => at === f || at.endsWith(`.${f}`)))) return []
    return [`${at}: RabbitMQ ${rabbit}, Warren ${typeName(warren)}`]
  }
  if (Array.isArray(rabbit)) {
    if (!Array.isArray(warren)) return [`${at}: RabbitMQ array, Warren ${typeName(warren)}`]
    if (rabbit.length === 0) return []
    if (warren.length === 0) return [`${at}: RabbitMQ has elements, Warren's array is empty`]
    return shapeDifferences(rabbit[0], warren[0], omitted, `${path}[]`)
  }
  if (typeof warren !== 'object' || Array.isArray(warren)) return [`${at}: RabbitMQ object, Warren ${typeName(warren)}`]
  return Object.keys(rabbit).flatMap((key) => {
    const inner = path === '' ? key : `${path}.${key}`
    if (isOmitted(omitted, inner)) return []
    if (!(key in warren)) return [`${inner}: missing in Warren (RabbitMQ ${typeName(rabbit[key])})`]
    return shapeDifferences(rabbit[key], warren[key], omitted, inner)
  })
}

function isOmitted(omitted: readonly string[], path: string): boolean {
  const plain = path.replace(/\[\]/g, '')
  return omitted.some((key) => plain === key || plain.endsWith(`.${key}`))
}

function typeName(s: Shape | 'none'): string {
  return typeof s === 'string' ? s : Array.isArray(s) ? 'array' : 'object'
}

let b: ManagedBroker
let warren: Map<string, RecordedShape>
beforeAll(async () => {
  b = await startManagedBroker()
  warren = new Map((await runScenario({ baseUrl: b.baseUrl, amqpUrl: b.amqpUrl, settleMs: 5000, awaitsMessageStats: false })).map((s) => [s.step, s]))
})
afterAll(async () => { await b.close() })

describe('JSON shapes against RabbitMQ 3.10', () => {
  it('has a fixture for every step, and a step for every fixture', () => {
    expect(RECORDED.length).toBeGreaterThan(30)
    expect([...warren.keys()].sort()).toEqual(RECORDED.map((r) => r.step).sort())
  })

  it.each(RECORDED.map((r) => [r.request, r] as const))('%s', (_, recorded) => {
    const ours = warren.get(recorded.step)!
    expect(ours.request).toBe(recorded.request)
    expect(ours.status).toBe(recorded.status)
    expect(shapeDifferences(recorded.shape, ours.shape)).toEqual([])
  })

  it('omits nothing it need not: without each OMITTED entry, some reply differs', () => {
    for (const key of OMITTED_FIELDS) {
      const without = OMITTED_FIELDS.filter((k) => k !== key)
      const differing = RECORDED.filter((r) => shapeDifferences(r.shape, warren.get(r.step)!.shape, without).length > 0)
      expect(differing.length, `${key} is still needed`).toBeGreaterThan(0)
    }
  })

  it('finds a missing field and a wrong type', () => {
    expect(shapeDifferences({ a: 'number', b: ['string'], c: { d: 'boolean' } }, { a: 'string', b: [], c: {} })).toEqual([
      'a: RabbitMQ number, Warren string', "b: RabbitMQ has elements, Warren's array is empty", 'c.d: missing in Warren (RabbitMQ boolean)',
    ])
  })
})
