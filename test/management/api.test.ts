// The management API over HTTP against an in-process broker: auth, errors, overview, vhosts,
// users, permissions, health checks and the columns filter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, connectAmqp, eventually, startManagedBroker, type ManagedBroker } from './support.js'

let b: ManagedBroker
beforeAll(async () => { b = await startManagedBroker() })
afterAll(async () => { await b.close() })

describe('authentication', () => {
  it('answers 401 not_authorised without credentials, with a basic-auth challenge', async () => {
    const r = await call(b, '/api/overview', { noAuth: true })
    expect(r.status).toBe(401)
    expect(r.json).toEqual({ error: 'not_authorised', reason: 'Login failed' })
    expect(r.headers.get('www-authenticate')).toMatch(/^Basic realm=/)
  })

  it('answers 401 for a wrong password', async () => {
    const r = await call(b, '/api/queues', { user: 'guest', password: 'nope' })
    expect(r.status).toBe(401)
    expect(r.json).toEqual({ error: 'not_authorised', reason: 'Login failed' })
  })

  it('refuses a user without a management tag', async () => {
    const r = await call(b, '/api/overview', { user: 'plain', password: 'plain' })
    expect(r.status).toBe(401)
    expect(r.json).toEqual({ error: 'not_authorised', reason: 'Not management user' })
  })

  it('lets a monitoring user read but not write, and only its vhosts', async () => {
    const who = await call(b, '/api/whoami', { user: 'watcher', password: 'watcher' })
    expect(who.json).toEqual({ name: 'watcher', tags: ['monitoring'] })
    const vhosts = await call(b, '/api/vhosts', { user: 'watcher', password: 'watcher' })
    expect(vhosts.json.map((v: { name: string }) => v.name)).toEqual(['/'])
    const other = await call(b, '/api/queues/other', { user: 'watcher', password: 'watcher' })
    expect(other.status).toBe(401)
    const put = await call(b, '/api/queues/%2F/w', { method: 'PUT', body: {}, user: 'watcher', password: 'watcher' })
    expect(put.status).toBe(401)
    const users = await call(b, '/api/users', { user: 'watcher', password: 'watcher' })
    expect(users.status).toBe(401)
  })
})

describe('errors', () => {
  it('answers 404 Object Not Found for an unknown path and an unknown vhost', async () => {
    for (const path of ['/api/nothing-here', '/api/queues/nowhere', '/nothing']) {
      const r = await call(b, path)
      expect(r.status, path).toBe(404)
      expect(r.json).toEqual({ error: 'Object Not Found', reason: 'Not Found' })
    }
  })

  it('answers 405 with an Allow header for a method a path does not take', async () => {
    const r = await call(b, '/api/overview', { method: 'DELETE' })
    expect(r.status).toBe(405)
    expect(r.headers.get('allow')).toBe('GET')
  })

  it('answers 400 bad_request for a malformed JSON body', async () => {
    const r = await call(b, '/api/queues/%2F/malformed', { method: 'PUT', rawBody: '{not json', headers: { 'content-type': 'application/json' } })
    expect(r.status).toBe(400)
    expect(r.json).toEqual({ error: 'bad_request', reason: 'Malformed JSON' })
  })
})

describe('overview and whoami', () => {
  it('reports versions, object totals and queue totals', async () => {
    const conn = await connectAmqp(b)
    const ch = await conn.createChannel()
    await ch.assertQueue('ov-q')
    ch.sendToQueue('ov-q', Buffer.from('x'))
    await eventually(() => b.broker.vhost('/')!.queues.get('ov-q')!.messageCount === 1)
    const r = await call(b, '/api/overview')
    expect(r.status).toBe(200)
    expect(r.json).toMatchObject({
      product_name: 'Warren', product_version: '0.1.0', rabbitmq_version: '3.10.0', management_version: '3.10.0', rates_mode: 'basic',
      object_totals: { connections: 1, channels: 1, queues: 1, consumers: 0 },
      queue_totals: { messages: 1, messages_ready: 1, messages_unacknowledged: 0 },
    })
    expect(r.json.queue_totals.messages_details).toEqual({ rate: expect.any(Number) })
    expect(r.json.exchange_types.map((t: { name: string }) => t.name).sort()).toEqual(['direct', 'fanout', 'headers', 'topic'])
    expect(r.json.object_totals.exchanges).toBe(12) // 6 per vhost: default and five amq.*
    expect(r.json.listeners).toContainEqual(expect.objectContaining({ protocol: 'amqp', port: Number(new URL(b.amqpUrl).port) }))
    await conn.close()
    b.broker.vhost('/')!.reset()
  })

  it('says who is logged in', async () => {
    expect((await call(b, '/api/whoami')).json).toEqual({ name: 'guest', tags: ['administrator'] })
  })
})

describe('vhosts, users and permissions', () => {
  it('lists vhosts and shows one, 404 for an unknown one', async () => {
    const list = await call(b, '/api/vhosts')
    expect(list.json.map((v: { name: string }) => v.name)).toEqual(['/', 'other'])
    const one = await call(b, '/api/vhosts/%2F')
    expect(one.json).toMatchObject({ name: '/', description: 'Default virtual host', messages: 0, tracing: false })
    expect((await call(b, '/api/vhosts/missing')).status).toBe(404)
  })

  it('creates a vhost (201, then 204) that AMQP clients can open, and deletes it', async () => {
    expect((await call(b, '/api/vhosts/made', { method: 'PUT' })).status).toBe(201)
    expect((await call(b, '/api/vhosts/made', { method: 'PUT' })).status).toBe(204)
    const conn = await connectAmqp(b, 'made')
    const ch = await conn.createChannel()
    await ch.assertQueue('in-made')
    expect((await call(b, '/api/queues/made/in-made')).status).toBe(200)
    const closed = new Promise((resolve) => conn.once('close', resolve))
    expect((await call(b, '/api/vhosts/made', { method: 'DELETE' })).status).toBe(204)
    await closed // its connections are closed with 320
    expect((await call(b, '/api/vhosts/made')).status).toBe(404)
    expect((await call(b, '/api/vhosts/made', { method: 'DELETE' })).status).toBe(404)
  })

  it('lists users with RabbitMQ password hashes, and one user', async () => {
    const users = await call(b, '/api/users')
    expect(users.json.map((u: { name: string }) => u.name)).toEqual(['guest', 'plain', 'watcher'])
    expect(users.json[0]).toEqual({ name: 'guest', password_hash: expect.any(String), hashing_algorithm: 'rabbit_password_hashing_sha256', tags: ['administrator'], limits: {} })
    expect((await call(b, '/api/users/guest')).json.name).toBe('guest')
    expect((await call(b, '/api/users/nobody')).status).toBe(404)
  })

  it('lists permissions per user and vhost', async () => {
    const r = await call(b, '/api/permissions')
    expect(r.json).toContainEqual({ user: 'guest', vhost: '/', configure: '.*', write: '.*', read: '.*' })
    expect(r.json).toContainEqual({ user: 'watcher', vhost: '/', configure: '.*', write: '.*', read: '.*' })
    expect(r.json).not.toContainEqual(expect.objectContaining({ user: 'watcher', vhost: 'other' }))
    expect((await call(b, '/api/permissions/%2F/guest')).json.user).toBe('guest')
    expect((await call(b, '/api/permissions/%2F/nobody')).status).toBe(404)
  })
})

describe('health', () => {
  it('reports no alarms, and the memory alarm when set (503)', async () => {
    expect(await call(b, '/api/health/checks/alarms')).toMatchObject({ status: 200, json: { status: 'ok' } })
    b.alarm.isActive = true
    try {
      const r = await call(b, '/api/health/checks/alarms')
      expect(r.status).toBe(503)
      expect(r.json).toMatchObject({ status: 'failed', alarms: [{ resource: 'memory' }] })
    } finally {
      b.alarm.isActive = false
    }
  })

  it('passes the aliveness test on a vhost and leaves the queue empty', async () => {
    expect(await call(b, '/api/aliveness-test/%2F')).toMatchObject({ status: 200, json: { status: 'ok' } })
    expect((await call(b, '/api/queues/%2F/aliveness-test')).json.messages).toBe(0)
    expect((await call(b, '/api/aliveness-test/nowhere')).status).toBe(404)
  })
})

describe('columns', () => {
  it('keeps only the asked-for fields, dotted paths included', async () => {
    const r = await call(b, '/api/overview?columns=product_name,object_totals.queues')
    expect(r.json).toEqual({ product_name: 'Warren', object_totals: { queues: expect.any(Number) } })
  })
})
