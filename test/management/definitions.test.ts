// Definitions: export in RabbitMQ's definitions.json format, import of a RabbitMQ 3.10-format file
// (by loadDefinitions and by POST /api/definitions), and export → import → export equality.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadDefinitions, DefinitionsError } from '../../src/management/definitions.js'
import { call, startManagedBroker, type ManagedBroker } from './support.js'

const FIXTURE = JSON.parse(readFileSync(new URL('./fixtures/rabbitmq-3.10-definitions.json', import.meta.url), 'utf8')) as Record<string, unknown>

/** Fields that differ between brokers by nature: product names and versions, global parameters. */
function comparable(defs: Record<string, unknown>): Record<string, unknown> {
  const { rabbit_version: _1, rabbitmq_version: _2, product_name: _3, product_version: _4, global_parameters: _5, ...rest } = defs
  const sorted = (key: string) => [...(rest[key] as Record<string, unknown>[])].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
  for (const key of ['queues', 'exchanges', 'bindings', 'vhosts', 'permissions']) rest[key] = sorted(key)
  return rest
}

const pick = (defs: Record<string, unknown>, key: string) => (defs[key] as Record<string, unknown>[]).map(({ ...x }) => x)

let b: ManagedBroker
beforeAll(async () => { b = await startManagedBroker() })
afterAll(async () => { await b.close() })

describe('definitions', () => {
  it('exports the format RabbitMQ 3.10 writes', async () => {
    const r = await call(b, '/api/definitions')
    expect(r.status).toBe(200)
    expect(Object.keys(r.json).sort()).toEqual([
      'bindings', 'exchanges', 'global_parameters', 'parameters', 'permissions', 'policies', 'product_name', 'product_version',
      'queues', 'rabbit_version', 'rabbitmq_version', 'topic_permissions', 'users', 'vhosts',
    ])
    expect(r.json.rabbit_version).toBe('3.10.0')
    expect(r.json.users[0]).toEqual({ name: 'guest', password_hash: expect.any(String), hashing_algorithm: 'rabbit_password_hashing_sha256', tags: ['administrator'], limits: {} })
    expect(r.json.vhosts).toContainEqual({ name: '/', limits: [], metadata: { description: 'Default virtual host', tags: [] } })
  })

  it('imports a RabbitMQ 3.10 export: vhosts, exchanges of every type, queues with x- arguments, bindings', async () => {
    const report = loadDefinitions(b.broker, FIXTURE)
    expect(report).toMatchObject({ vhosts: 1, exchanges: 5, queues: 5, bindings: 5 })
    // Users and permissions are applied: `app` is added with its hash and its permission on shop.
    expect(report.unsupported).toEqual([])
    expect(b.broker.permissionsOf('app', 'shop')).toBeDefined()
    const shop = b.broker.vhost('shop')!
    expect(shop.queues.get('orders')!.options.arguments).toEqual({
      'x-queue-type': 'classic', 'x-message-ttl': 86400000, 'x-dead-letter-exchange': 'dlx', 'x-dead-letter-routing-key': 'orders.dead',
    })
    expect(shop.queues.get('quorum-jobs')!.policy.queueType).toBe('quorum')
    expect(shop.exchanges.get('by-header')!.isInternal).toBe(true)

    const exported = (await call(b, '/api/definitions')).json
    for (const key of ['queues', 'exchanges', 'bindings']) {
      const sort = (xs: Record<string, unknown>[]) => xs.map((x) => JSON.stringify(x)).sort()
      expect(sort(pick(exported, key)), key).toEqual(sort(pick(FIXTURE, key)))
    }
    expect(pick(exported, 'vhosts').map((v) => v.name)).toEqual(['/', 'other', 'shop'])
    // The fixture's guest hash (another salt) still verifies; ours is RabbitMQ's algorithm too.
    expect(exported.users.find((u: { name: string }) => u.name === 'guest').hashing_algorithm).toBe('rabbit_password_hashing_sha256')
  })

  it('round-trips: export, import into a fresh broker, export again, equal', async () => {
    const first = (await call(b, '/api/definitions')).json
    const fresh = await startManagedBroker()
    try {
      const posted = await call(fresh, '/api/definitions', { method: 'POST', body: first })
      expect(posted.status).toBe(204)
      const second = (await call(fresh, '/api/definitions')).json
      expect(comparable(second)).toEqual(comparable(first))
    } finally {
      await fresh.close()
    }
  })

  it('imports again over itself without change (declares are idempotent)', async () => {
    const before = (await call(b, '/api/definitions')).json
    expect((await call(b, '/api/definitions', { method: 'POST', body: before })).status).toBe(204)
    expect(comparable((await call(b, '/api/definitions')).json)).toEqual(comparable(before))
  })

  it('exports and imports one vhost through /api/definitions/:vhost', async () => {
    const shop = (await call(b, '/api/definitions/shop')).json
    expect(Object.keys(shop).sort()).toEqual(['bindings', 'exchanges', 'parameters', 'policies', 'queues', 'rabbit_version', 'rabbitmq_version'])
    expect(shop.queues.map((q: { name: string }) => q.name).sort()).toEqual(['orders', 'orders.dead', 'priorities', 'quorum-jobs'])
    expect(shop.queues.every((q: Record<string, unknown>) => !('vhost' in q))).toBe(true)
    expect((await call(b, '/api/definitions/other', { method: 'POST', body: shop })).status).toBe(204)
    expect(b.broker.vhost('other')!.queues.has('orders')).toBe(true)
    expect((await call(b, '/api/definitions/nowhere')).status).toBe(404)
  })

  it('refuses malformed definitions with 400 and says why', async () => {
    expect(() => loadDefinitions(b.broker, [])).toThrow(DefinitionsError)
    expect(() => loadDefinitions(b.broker, { queues: {} })).toThrow("'queues' must be a list")
    const noVhost = await call(b, '/api/definitions', { method: 'POST', body: { queues: [{ name: 'q', vhost: 'ghost', durable: true, auto_delete: false, arguments: {} }] } })
    expect(noVhost.status).toBe(400)
    expect(noVhost.json).toEqual({ error: 'bad_request', reason: "vhost 'ghost' does not exist and is not in the definitions" })
    const inequivalent = await call(b, '/api/definitions', { method: 'POST', body: { exchanges: [{ name: 'dlx', vhost: 'shop', type: 'fanout', durable: true, auto_delete: false, internal: false, arguments: {} }] } })
    expect(inequivalent.status).toBe(400)
    expect(inequivalent.json.reason).toMatch(/inequivalent arg 'type'/)
    expect((await call(b, '/api/definitions', { method: 'POST', body: { queues: [{ vhost: '/' }] } })).status).toBe(400)
    expect((await call(b, '/api/definitions', { method: 'PUT', body: {} })).status).toBe(405)
  })

  it('applies users with their hashes, and reports the policies it cannot apply', () => {
    const report = loadDefinitions(b.broker, {
      users: [{ name: 'guest', password_hash: 'CQgHBu0IvpexMjUuzs/pjeeefJJTQczs0hbc/7+AjqgdYFKH', hashing_algorithm: 'rabbit_password_hashing_sha256', tags: ['administrator'] }],
      policies: [{ vhost: '/', name: 'ttl', pattern: '.*', 'apply-to': 'queues', definition: { 'message-ttl': 1000 }, priority: 0 }],
    })
    expect(report.unsupported).toEqual(['1 policies (not supported by Warren)'])
    expect(b.broker.userNamed('guest')!.passwordHash).toBe('CQgHBu0IvpexMjUuzs/pjeeefJJTQczs0hbc/7+AjqgdYFKH')
  })
})
