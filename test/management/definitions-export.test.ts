// A real RabbitMQ 3.10 definitions export (fixtures/rabbitmq-3.10-definitions-export.json, written by
// record-shapes.ts) imported into a fresh Warren over POST /api/definitions and exported back: equal
// but for the fields listed in DIFFERENCES, each with its reason.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBroker, type WarrenBroker } from '../../src/index.js'
import { loadDefinitions } from '../../src/management/definitions.js'
import { call, startManagedBroker } from './support.js'

type Item = Record<string, unknown>
type Definitions = Record<string, unknown> & { users: Item[]; vhosts: Item[]; permissions: Item[] }

const RECORDED = JSON.parse(readFileSync(new URL('./fixtures/rabbitmq-3.10-definitions-export.json', import.meta.url), 'utf8')) as Definitions

/** What Warren's export may differ in, and why. Everything else must come back equal. */
const DIFFERENCES = {
  versions: 'rabbit_version, rabbitmq_version, product_name, product_version name the broker that exported',
  vhosts: 'Warren also writes limits and metadata for each vhost (the form RabbitMQ 3.11 writes); a vhost description set in RabbitMQ is not exported by 3.10, so none comes back',
  global_parameters: "internal_cluster_id names a RabbitMQ cluster; Warren has none and exports []",
} as const
const VERSION_FIELDS = ['rabbit_version', 'rabbitmq_version', 'product_name', 'product_version']
const EQUAL_LISTS = ['users', 'permissions', 'queues', 'exchanges', 'bindings', 'topic_permissions', 'parameters', 'policies']

/** Keys sorted at every depth, so items compare by content whatever order a broker writes. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical)
  if (typeof v !== 'object' || v === null) return v
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Item)[k])]))
}
const sorted = (items: unknown[]) => items.map((x) => JSON.stringify(canonical(x))).sort()

let broker: WarrenBroker
let base: { baseUrl: string }
let exported: Definitions
beforeAll(async () => {
  broker = await startBroker({ port: 0, managementPort: 0, logLevel: 'silent' })
  base = { baseUrl: `http://127.0.0.1:${broker.managementPort}` }
  const posted = await call(base, '/api/definitions', { method: 'POST', body: RECORDED })
  expect(posted.status).toBe(204)
  exported = (await call(base, '/api/definitions')).json
})
afterAll(async () => { await broker.close() })

describe('a RabbitMQ 3.10 definitions export, imported and exported back', () => {
  it('is a real 3.10 export with every kind of object the issue names', () => {
    expect(RECORDED.rabbitmq_version).toMatch(/^3\.10\./)
    const types = new Set((RECORDED.exchanges as Item[]).map((e) => e.type))
    expect([...types].sort()).toEqual(['direct', 'fanout', 'headers', 'topic'])
    expect((RECORDED.queues as Item[]).some((q) => Object.keys(q.arguments as Item).some((k) => k.startsWith('x-')))).toBe(true)
    expect((RECORDED.bindings as Item[]).some((b) => b.destination_type === 'exchange')).toBe(true)
    expect(RECORDED.users.length).toBeGreaterThan(1)
    expect(RECORDED.vhosts.length).toBeGreaterThan(1)
    expect(RECORDED.permissions.length).toBeGreaterThan(1)
  })

  it('has the same top-level keys', () => {
    expect(Object.keys(exported).sort()).toEqual(Object.keys(RECORDED).sort())
  })

  it.each(EQUAL_LISTS)('gives back %s equal', (key) => {
    expect(sorted(exported[key] as unknown[])).toEqual(sorted(RECORDED[key] as unknown[]))
  })

  it(`differs in versions only by name: ${DIFFERENCES.versions}`, () => {
    for (const key of VERSION_FIELDS) expect(typeof exported[key], key).toBe('string')
    expect(exported.product_name).toBe('Warren')
    expect(exported.rabbit_version).toMatch(/^3\.10\./)
  })

  it('has users with password hashes and permissions to give back (compared in the lists above)', () => {
    expect(RECORDED.users.map((u) => u.name).sort()).toEqual(['app', 'guest'])
    expect(RECORDED.permissions.length).toBeGreaterThan(1)
  })

  it(`gives back vhosts but: ${DIFFERENCES.vhosts}`, () => {
    const project = (v: Item, keys: string[]) => Object.fromEntries(keys.map((k) => [k, v[k]]))
    const keys = [...new Set(RECORDED.vhosts.flatMap((v) => Object.keys(v)))]
    expect(sorted(exported.vhosts.map((v) => project(v, keys)))).toEqual(sorted(RECORDED.vhosts))
    for (const v of exported.vhosts) expect(Object.keys(v).sort()).toEqual(['limits', 'metadata', 'name'])
  })

  it(`gives back global_parameters but: ${DIFFERENCES.global_parameters}`, () => {
    expect((RECORDED.global_parameters as Item[]).map((p) => p.name)).toEqual(['internal_cluster_id'])
    expect(exported.global_parameters).toEqual([])
  })

  it('reports exactly the documented items as not applied (loadDefinitions)', async () => {
    const managed = await startManagedBroker()
    try {
      const report = loadDefinitions(managed.broker, RECORDED)
      expect(report).toMatchObject({
        vhosts: 1, exchanges: (RECORDED.exchanges as Item[]).length, queues: (RECORDED.queues as Item[]).length, bindings: (RECORDED.bindings as Item[]).length,
      })
      expect(report.unsupported).toEqual([])
    } finally {
      await managed.close()
    }
  })

  it('imports its own export again without change', async () => {
    expect((await call(base, '/api/definitions', { method: 'POST', body: exported })).status).toBe(204)
    expect(canonical((await call(base, '/api/definitions')).json)).toEqual(canonical(exported))
  })
})
