// The management API's vhost limits, user limits and topic permissions (shapes and status codes as
// RabbitMQ 3.10.8's management plugin answered them), and their place in definitions export and import.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadDefinitions } from '../../src/management/definitions.js'
import { call, startManagedBroker, type ManagedBroker } from './support.js'

let b: ManagedBroker
beforeAll(async () => { b = await startManagedBroker() })
afterAll(async () => { await b.close() })

describe('/api/vhost-limits', () => {
  it('sets, lists and clears one limit at a time', async () => {
    expect((await call(b, '/api/vhost-limits/other')).json).toEqual([])
    expect((await call(b, '/api/vhost-limits/other/max-queues', { method: 'PUT', body: { value: 5 } })).status).toBe(204)
    expect((await call(b, '/api/vhost-limits/other/max-connections', { method: 'PUT', body: { value: -1 } })).status).toBe(204)
    expect((await call(b, '/api/vhost-limits/other')).json).toEqual([{ vhost: 'other', value: { 'max-queues': 5, 'max-connections': -1 } }])
    expect((await call(b, '/api/vhost-limits')).json).toEqual([{ vhost: 'other', value: { 'max-queues': 5, 'max-connections': -1 } }])
    expect(b.broker.vhost('other')!.maxQueues).toBe(5)
    expect((await call(b, '/api/vhost-limits/other/max-queues', { method: 'DELETE' })).status).toBe(204)
    expect((await call(b, '/api/vhost-limits/other/max-queues', { method: 'DELETE' })).status).toBe(204)
    expect(b.broker.vhost('other')!.maxQueues).toBeUndefined()
    expect((await call(b, '/api/vhost-limits/other/max-connections', { method: 'DELETE' })).status).toBe(204)
    expect((await call(b, '/api/vhost-limits')).json).toEqual([])
  })

  it("refuses what RabbitMQ refuses: unknown limit, missing value, unknown vhost, non-administrators", async () => {
    const put = (path: string, body: unknown, user?: string) => call(b, path, { method: 'PUT', body, user, password: user })
    expect((await put('/api/vhost-limits/other/max-foo', { value: 5 })).status).toBe(400)
    expect((await put('/api/vhost-limits/other/max-queues', { valu: 5 })).json).toEqual({ error: 'bad_request', reason: '[{key_missing,value}]' })
    expect((await put('/api/vhost-limits/nosuch/max-queues', { value: 5 })).json).toEqual({ error: 'not_found', reason: 'vhost_not_found' })
    expect((await call(b, '/api/vhost-limits/nosuch')).status).toBe(404)
    expect((await put('/api/vhost-limits/other/max-queues', { value: 5 }, 'plain')).status).toBe(401)
  })
})

describe('/api/user-limits', () => {
  it('sets, lists and clears one limit at a time', async () => {
    expect((await call(b, '/api/user-limits/plain')).json).toEqual([])
    expect((await call(b, '/api/user-limits/plain/max-connections', { method: 'PUT', body: { value: 3 } })).status).toBe(204)
    expect((await call(b, '/api/user-limits/plain/max-channels', { method: 'PUT', body: { value: -1 } })).status).toBe(204)
    const listed = [{ user: 'plain', value: { 'max-connections': 3, 'max-channels': -1 } }]
    expect((await call(b, '/api/user-limits/plain')).json).toEqual(listed)
    expect((await call(b, '/api/user-limits')).json).toEqual(listed)
    expect((await call(b, '/api/user-limits/guest')).json).toEqual([])
    expect(b.broker.userLimits('plain')).toEqual({ 'max-connections': 3, 'max-channels': -1 })
    expect((await call(b, '/api/user-limits/plain/max-bogus', { method: 'DELETE' })).status).toBe(204)
    expect((await call(b, '/api/user-limits/plain/max-channels', { method: 'DELETE' })).status).toBe(204)
    expect((await call(b, '/api/user-limits/plain')).json).toEqual([{ user: 'plain', value: { 'max-connections': 3 } }])
    expect((await call(b, '/api/user-limits/plain/max-connections', { method: 'DELETE' })).status).toBe(204)
    expect((await call(b, '/api/user-limits')).json).toEqual([])
  })

  it('refuses what RabbitMQ refuses, in its words: unknown limit, non-integer, missing value, unknown user', async () => {
    const put = (path: string, body: unknown, user?: string) => call(b, path, { method: 'PUT', body, user, password: user })
    expect((await put('/api/user-limits/plain/max-bogus', { value: 3 })).json)
      .toEqual({ error: 'bad_request', reason: 'Unrecognised terms [{<<"max-bogus">>,3}] in user-limits' })
    expect((await put('/api/user-limits/plain/max-channels', { value: 'x' })).json)
      .toEqual({ error: 'bad_request', reason: 'max-channels should be a number, actually was <<"x">>' })
    expect((await put('/api/user-limits/plain/max-channels', {})).json).toEqual({ error: 'bad_request', reason: '[{key_missing,value}]' })
    expect((await put('/api/user-limits/nobody/max-connections', { value: 3 })).json).toEqual({ error: 'bad_request', reason: ['no_such_user', 'nobody'] })
    expect((await call(b, '/api/user-limits/nobody')).json).toEqual({ error: 'Object Not Found', reason: 'Not Found' })
    expect((await put('/api/user-limits/plain/max-connections', { value: 3 }, 'plain')).status).toBe(401)
    expect(b.broker.allUserLimits()).toEqual([])
  })
})

describe('/api/topic-permissions', () => {
  it('creates (201), replaces (204), lists in every view and deletes (204, then 404)', async () => {
    const body = { exchange: 'amq.topic', write: '^a', read: '.*' }
    expect((await call(b, '/api/topic-permissions/other/plain', { method: 'PUT', body })).status).toBe(201)
    expect((await call(b, '/api/topic-permissions/other/plain', { method: 'PUT', body: { ...body, write: '^b' } })).status).toBe(204)
    const entry = { user: 'plain', vhost: 'other', exchange: 'amq.topic', write: '^b', read: '.*' }
    expect((await call(b, '/api/topic-permissions')).json).toEqual([entry])
    expect((await call(b, '/api/topic-permissions/other/plain')).json).toEqual([entry])
    expect((await call(b, '/api/vhosts/other/topic-permissions')).json).toEqual([entry])
    expect((await call(b, '/api/users/plain/topic-permissions')).json).toEqual([entry])
    expect((await call(b, '/api/topic-permissions/other/guest')).status).toBe(404)
    expect((await call(b, '/api/topic-permissions/other/plain', { method: 'DELETE' })).status).toBe(204)
    expect((await call(b, '/api/topic-permissions/other/plain')).status).toBe(404)
    expect((await call(b, '/api/topic-permissions/other/plain', { method: 'DELETE' })).status).toBe(404)
  })

  it('refuses a body without read (400) and an unknown user (400 vhost_or_user_not_found)', async () => {
    expect((await call(b, '/api/topic-permissions/other/plain', { method: 'PUT', body: { exchange: 'x', write: '' } })).json)
      .toEqual({ error: 'bad_request', reason: '[{key_missing,read}]' })
    expect((await call(b, '/api/topic-permissions/other/nouser', { method: 'PUT', body: { exchange: 'x', write: '', read: '' } })).json)
      .toEqual({ error: 'bad_request', reason: 'vhost_or_user_not_found' })
  })
})

describe('definitions', () => {
  it('exports user limits in users[].limits as RabbitMQ 3.10.8 does, and imports them back', async () => {
    b.broker.setUserLimits('plain', { 'max-connections': 3 })
    try {
      const defs = (await call(b, '/api/definitions')).json
      const users = defs.users as { name: string; limits: unknown }[]
      expect(users.find((u) => u.name === 'plain')!.limits).toEqual({ 'max-connections': 3 })
      expect(users.find((u) => u.name === 'guest')!.limits).toEqual({})
      b.broker.clearUserLimit('plain')
      const report = loadDefinitions(b.broker, { users: users.filter((u) => u.name === 'plain') })
      expect(report.unsupported).toEqual([])
      expect(b.broker.userLimits('plain')).toEqual({ 'max-connections': 3 })
      expect(() => loadDefinitions(b.broker, { users: [{ ...users.find((u) => u.name === 'plain'), limits: { 'max-queues': 1 } }] }))
        .toThrow("unrecognised user limit 'max-queues'")
    } finally {
      b.broker.clearUserLimit('plain')
    }
  })

  it('exports vhost limits as RabbitMQ 3.10.8 does (parameters and vhost pairs) and topic permissions, and imports them back', async () => {
    b.broker.setVhostLimits('other', { 'max-connections': 1, 'max-queues': 2 })
    b.broker.setTopicPermissions('plain', 'other', { exchange: 'amq.topic', write: '^w\\.{username}\\.', read: '^r\\.{vhost}' })
    try {
      const defs = (await call(b, '/api/definitions')).json
      expect(defs.parameters).toEqual([{ vhost: 'other', component: 'vhost-limits', name: 'limits', value: { 'max-connections': 1, 'max-queues': 2 } }])
      expect(defs.vhosts.find((v: { name: string }) => v.name === 'other').limits).toEqual([['max-connections', 1], ['max-queues', 2]])
      expect(defs.topic_permissions).toEqual([{ user: 'plain', vhost: 'other', exchange: 'amq.topic', write: '^w\\.{username}\\.', read: '^r\\.{vhost}' }])
      b.broker.clearVhostLimit('other')
      b.broker.clearTopicPermissions('plain', 'other')
      const report = loadDefinitions(b.broker, { parameters: defs.parameters, topic_permissions: defs.topic_permissions })
      expect(report.unsupported).toEqual([])
      expect(b.broker.vhostLimits('other')).toEqual({ 'max-connections': 1, 'max-queues': 2 })
      expect(b.broker.topicPermissions.list()).toEqual(defs.topic_permissions)
    } finally {
      b.broker.clearVhostLimit('other')
      b.broker.clearTopicPermissions('plain', 'other')
    }
  })
})
