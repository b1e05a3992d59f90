// Exchanges, queues, bindings, publish and get, purge, connections, channels and consumers over
// the management API, checked against what amqplib clients see and do.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { call, connectAmqp, eventually, startManagedBroker, type ManagedBroker } from './support.js'

let b: ManagedBroker
beforeAll(async () => { b = await startManagedBroker() })
afterAll(async () => { await b.close() })
afterEach(async () => {
  await b.listener.closeConnections('test over', 1000)
  for (const v of b.broker.vhosts.values()) v.reset()
})

const publish = (exchange: string, routingKey: string, payload: string, extra: Record<string, unknown> = {}) =>
  call(b, `/api/exchanges/%2F/${encodeURIComponent(exchange)}/publish`, {
    method: 'POST', body: { properties: {}, routing_key: routingKey, payload, payload_encoding: 'string', ...extra },
  })

describe('exchanges', () => {
  it('declares (201, then 204), shows, lists and deletes an exchange', async () => {
    const body = { type: 'topic', durable: true, auto_delete: false, internal: false, arguments: { 'alternate-exchange': 'ae' } }
    expect((await call(b, '/api/exchanges/%2F/ex1', { method: 'PUT', body })).status).toBe(201)
    expect((await call(b, '/api/exchanges/%2F/ex1', { method: 'PUT', body })).status).toBe(204)
    const one = await call(b, '/api/exchanges/%2F/ex1')
    expect(one.json).toEqual({
      name: 'ex1', vhost: '/', type: 'topic', durable: true, auto_delete: false, internal: false,
      arguments: { 'alternate-exchange': 'ae' }, user_who_performed_action: 'rmq-internal', incoming: [], outgoing: [],
    })
    const list = await call(b, '/api/exchanges/%2F')
    expect(list.json.map((e: { name: string }) => e.name)).toEqual(['', 'amq.direct', 'amq.fanout', 'amq.topic', 'amq.headers', 'amq.match', 'ex1'])
    expect((await call(b, '/api/exchanges')).json.length).toBe(13)
    expect((await call(b, '/api/exchanges/%2F/amq.default')).json.name).toBe('')
    expect((await call(b, '/api/exchanges/%2F/ex1', { method: 'DELETE' })).status).toBe(204)
    expect((await call(b, '/api/exchanges/%2F/ex1')).status).toBe(404)
    expect((await call(b, '/api/exchanges/%2F/ex1', { method: 'DELETE' })).status).toBe(404)
  })

  it('refuses a declare without a type, an inequivalent redeclare and a reserved name (400)', async () => {
    expect(await call(b, '/api/exchanges/%2F/ex2', { method: 'PUT', body: {} })).toMatchObject({ status: 400, json: { error: 'bad_request' } })
    await call(b, '/api/exchanges/%2F/ex2', { method: 'PUT', body: { type: 'direct' } })
    const again = await call(b, '/api/exchanges/%2F/ex2', { method: 'PUT', body: { type: 'fanout' } })
    expect(again.status).toBe(400)
    expect(again.json).toEqual({ error: 'bad_request', reason: "inequivalent arg 'type' for exchange 'ex2' in vhost '/': received 'fanout' but current is 'direct'" })
    expect((await call(b, '/api/exchanges/%2F/amq.mine', { method: 'PUT', body: { type: 'direct' } })).status).toBe(400)
    expect((await call(b, '/api/exchanges/%2F/ex2', { method: 'POST' })).status).toBe(405)
  })

  it('deletes with if-unused only an exchange without bindings', async () => {
    await call(b, '/api/exchanges/%2F/ex3', { method: 'PUT', body: { type: 'fanout' } })
    await call(b, '/api/queues/%2F/q3', { method: 'PUT', body: {} })
    await call(b, '/api/bindings/%2F/e/ex3/q/q3', { method: 'POST', body: {} })
    expect((await call(b, '/api/exchanges/%2F/ex3?if-unused=true', { method: 'DELETE' })).status).toBe(400)
    expect((await call(b, '/api/exchanges/%2F/ex3', { method: 'DELETE' })).status).toBe(204)
  })
})

describe('queues', () => {
  it('declares (201, then 204) a queue with RabbitMQ fields, and deletes it', async () => {
    const body = { durable: true, auto_delete: false, arguments: { 'x-message-ttl': 60000, 'x-max-length': 10 } }
    expect((await call(b, '/api/queues/%2F/orders', { method: 'PUT', body })).status).toBe(201)
    expect((await call(b, '/api/queues/%2F/orders', { method: 'PUT', body })).status).toBe(204)
    const q = (await call(b, '/api/queues/%2F/orders')).json
    expect(q).toMatchObject({
      name: 'orders', vhost: '/', durable: true, auto_delete: false, exclusive: false,
      arguments: { 'x-message-ttl': 60000, 'x-max-length': 10 }, state: 'running', type: 'classic',
      messages: 0, messages_ready: 0, messages_unacknowledged: 0, consumers: 0,
    })
    for (const key of ['messages_details', 'messages_ready_details', 'messages_unacknowledged_details']) expect(q[key]).toEqual({ rate: expect.any(Number) })
    expect(typeof q.node).toBe('string')
    expect((await call(b, '/api/queues/%2F/orders', { method: 'DELETE' })).status).toBe(204)
    expect((await call(b, '/api/queues/%2F/orders')).status).toBe(404)
  })

  it('refuses bad arguments, an inequivalent redeclare and a reserved name with 400', async () => {
    const bad = await call(b, '/api/queues/%2F/bad', { method: 'PUT', body: { arguments: { 'x-max-length': 'ten' } } })
    expect(bad).toMatchObject({ status: 400, json: { error: 'bad_request' } })
    await call(b, '/api/queues/%2F/flags', { method: 'PUT', body: { durable: false } })
    const again = await call(b, '/api/queues/%2F/flags', { method: 'PUT', body: { durable: true } })
    expect(again.json).toEqual({ error: 'bad_request', reason: "inequivalent arg 'durable' for queue 'flags' in vhost '/': received 'true' but current is 'false'" })
    expect((await call(b, '/api/queues/%2F/amq.nope', { method: 'PUT', body: {} })).status).toBe(400)
    expect((await call(b, '/api/queues/%2F/flags', { method: 'PUT', body: { durable: 'maybe' } })).status).toBe(400)
  })

  it('shows depth, unacked and consumers that amqplib clients create', async () => {
    const conn = await connectAmqp(b)
    const ch = await conn.createChannel()
    await ch.assertQueue('work', { durable: false })
    for (let i = 0; i < 3; i++) ch.sendToQueue('work', Buffer.from(`m${i}`))
    await eventually(() => b.broker.vhost('/')!.queues.get('work')!.messageCount === 3)
    await ch.prefetch(1)
    await ch.consume('work', () => {}, { noAck: false })
    await eventually(async () => (await call(b, '/api/queues/%2F/work')).json.messages_unacknowledged === 1)
    const q = (await call(b, '/api/queues/%2F/work')).json
    expect(q).toMatchObject({ messages: 3, messages_ready: 2, messages_unacknowledged: 1, consumers: 1, durable: false })
    const list = await call(b, '/api/queues')
    expect(list.json.map((x: { name: string }) => x.name)).toEqual(['work'])
    await conn.close()
  })

  it('deletes with if-empty and if-unused only when the queue is so', async () => {
    await call(b, '/api/queues/%2F/cond', { method: 'PUT', body: {} })
    await publish('', 'cond', 'x')
    expect((await call(b, '/api/queues/%2F/cond?if-empty=true', { method: 'DELETE' })).status).toBe(400)
    expect((await call(b, '/api/queues/%2F/cond?if-unused=true', { method: 'DELETE' })).status).toBe(204)
  })

  it('lets the API delete a connection\'s exclusive queue', async () => {
    const conn = await connectAmqp(b)
    const ch = await conn.createChannel()
    const { queue } = await ch.assertQueue('', { exclusive: true })
    const shown = await call(b, `/api/queues/%2F/${encodeURIComponent(queue)}`)
    expect(shown.json).toMatchObject({ exclusive: true, name: queue })
    expect((await call(b, `/api/queues/%2F/${encodeURIComponent(queue)}`, { method: 'DELETE' })).status).toBe(204)
    await conn.close().catch(() => {}) // the channel may have been told its consumer-less queue is gone
  })

  it('purges a queue with DELETE .../contents', async () => {
    await call(b, '/api/queues/%2F/purge-me', { method: 'PUT', body: {} })
    for (let i = 0; i < 5; i++) await publish('', 'purge-me', `m${i}`)
    expect((await call(b, '/api/queues/%2F/purge-me')).json.messages).toBe(5)
    expect((await call(b, '/api/queues/%2F/purge-me/contents', { method: 'DELETE' })).status).toBe(204)
    expect((await call(b, '/api/queues/%2F/purge-me')).json.messages).toBe(0)
    expect((await call(b, '/api/queues/%2F/missing/contents', { method: 'DELETE' })).status).toBe(404)
    expect((await call(b, '/api/queues/%2F/purge-me/contents')).status).toBe(405)
  })
})

describe('publish and get', () => {
  it('publishes through an exchange and reports whether it routed', async () => {
    await call(b, '/api/queues/%2F/pq', { method: 'PUT', body: {} })
    expect((await publish('amq.default', 'pq', 'hello')).json).toEqual({ routed: true })
    expect((await publish('amq.direct', 'nobody', 'lost')).json).toEqual({ routed: false })
    expect((await call(b, '/api/queues/%2F/pq')).json.messages).toBe(1)
    expect((await publish('missing', 'pq', 'x')).status).toBe(404)
    const noEncoding = await call(b, '/api/exchanges/%2F/amq.default/publish', { method: 'POST', body: { properties: {}, routing_key: 'pq', payload: 'x' } })
    expect(noEncoding).toMatchObject({ status: 400, json: { error: 'bad_request' } })
    expect((await publish('', 'pq', 'x', { properties: { colour: 'red' } })).status).toBe(400)
  })

  it('refuses with 400 what no AMQP frame could carry, and the consumer stays connected', async () => {
    const conn = await connectAmqp(b)
    const ch = await conn.createChannel()
    await ch.assertQueue('wide')
    await ch.bindQueue('wide', 'amq.topic', '#')
    const longKey = await publish('amq.topic', 'k'.repeat(300), 'x')
    expect(longKey).toMatchObject({ status: 400, json: { error: 'bad_request', reason: 'routing_key is longer than 255 bytes' } })
    const longId = await publish('amq.topic', 'k', 'x', { properties: { message_id: 'm'.repeat(300) } })
    expect(longId).toMatchObject({ status: 400, json: { error: 'bad_request' } })
    expect((await publish('amq.topic', 'k', 'fits')).json).toEqual({ routed: true })
    const got = await ch.get('wide', { noAck: true })
    expect(got && got.content.toString()).toBe('fits')
    expect(await ch.checkQueue('wide')).toMatchObject({ messageCount: 0 })
    await conn.close()
  })

  it('delivers an API-published message with its properties to an amqplib consumer', async () => {
    const conn = await connectAmqp(b)
    const ch = await conn.createChannel()
    await ch.assertQueue('props')
    const got = new Promise<{ body: string; props: Record<string, unknown>; key: string }>((resolve) => {
      void ch.consume('props', (m) => m && resolve({ body: m.content.toString(), props: m.properties as unknown as Record<string, unknown>, key: m.fields.routingKey }), { noAck: true })
    })
    const r = await publish('', 'props', 'aGVsbG8=', {
      payload_encoding: 'base64',
      properties: { content_type: 'text/plain', delivery_mode: 2, priority: 3, headers: { tenant: 'a', n: 7 }, message_id: 'm-1', expiration: '60000' },
    })
    expect(r.json).toEqual({ routed: true })
    const m = await got
    expect(m.body).toBe('hello')
    expect(m.key).toBe('props')
    expect(m.props).toMatchObject({ contentType: 'text/plain', deliveryMode: 2, priority: 3, headers: { tenant: 'a', n: 7 }, messageId: 'm-1', expiration: '60000' })
    await conn.close()
  })

  it('gets messages with each ack mode and encoding', async () => {
    await call(b, '/api/queues/%2F/gq', { method: 'PUT', body: {} })
    await publish('', 'gq', 'first', { properties: { content_type: 'text/plain', headers: { k: 'v' } } })
    await publish('', 'gq', Buffer.from([0xff, 0x00, 0x01]).toString('base64'), { payload_encoding: 'base64' })
    const get = (body: Record<string, unknown>) => call(b, '/api/queues/%2F/gq/get', { method: 'POST', body })

    const peek = await get({ count: 5, ackmode: 'ack_requeue_true', encoding: 'auto' })
    expect(peek.status).toBe(200)
    expect(peek.json).toEqual([
      { payload: 'first', payload_bytes: 5, payload_encoding: 'string', redelivered: false, exchange: '', routing_key: 'gq', message_count: 1, properties: { content_type: 'text/plain', headers: { k: 'v' } } },
      { payload: '/wAB', payload_bytes: 3, payload_encoding: 'base64', redelivered: false, exchange: '', routing_key: 'gq', message_count: 0, properties: {} },
    ])
    const again = await get({ count: 1, ackmode: 'reject_requeue_true', encoding: 'base64', truncate: 2 })
    expect(again.json).toEqual([expect.objectContaining({ payload: Buffer.from('fi').toString('base64'), payload_bytes: 5, payload_encoding: 'base64', redelivered: true })])
    expect((await call(b, '/api/queues/%2F/gq')).json.messages).toBe(2)
    const take = await get({ count: 1, ackmode: 'ack_requeue_false', encoding: 'auto' })
    expect(take.json[0].payload).toBe('first')
    const reject = await get({ count: 1, ackmode: 'reject_requeue_false', encoding: 'auto' })
    expect(reject.json).toHaveLength(1)
    expect((await call(b, '/api/queues/%2F/gq')).json).toMatchObject({ messages: 0, messages_unacknowledged: 0 })
    expect((await get({ count: 1, ackmode: 'ack_requeue_false', encoding: 'auto' })).json).toEqual([])
  })

  it('refuses a get with a bad ack mode, encoding or count (400), and a missing queue (404)', async () => {
    await call(b, '/api/queues/%2F/gq2', { method: 'PUT', body: {} })
    const get = (body: Record<string, unknown>, name = 'gq2') => call(b, `/api/queues/%2F/${name}/get`, { method: 'POST', body })
    expect((await get({ count: 1, ackmode: 'keep', encoding: 'auto' })).json).toMatchObject({ error: 'bad_request' })
    expect((await get({ count: 1, ackmode: 'ack_requeue_true', encoding: 'hex' })).status).toBe(400)
    expect((await get({ count: -1, ackmode: 'ack_requeue_true', encoding: 'auto' })).status).toBe(400)
    expect((await get({ count: 1, ackmode: 'ack_requeue_true', encoding: 'auto' }, 'nope')).status).toBe(404)
    expect((await call(b, '/api/queues/%2F/gq2/get')).status).toBe(405)
  })
})

describe('bindings', () => {
  it('binds a queue, lists it with the default binding, and unbinds it by properties key', async () => {
    await call(b, '/api/exchanges/%2F/bx', { method: 'PUT', body: { type: 'direct' } })
    await call(b, '/api/queues/%2F/bq', { method: 'PUT', body: {} })
    const made = await call(b, '/api/bindings/%2F/e/bx/q/bq', { method: 'POST', body: { routing_key: 'a~b', arguments: {} } })
    expect(made.status).toBe(201)
    expect(made.headers.get('location')).toBe('a%7Eb')
    const between = await call(b, '/api/bindings/%2F/e/bx/q/bq')
    expect(between.json).toEqual([{ source: 'bx', vhost: '/', destination: 'bq', destination_type: 'queue', routing_key: 'a~b', arguments: {}, properties_key: 'a%7Eb' }])
    const all = await call(b, '/api/bindings/%2F')
    expect(all.json).toContainEqual({ source: '', vhost: '/', destination: 'bq', destination_type: 'queue', routing_key: 'bq', arguments: {}, properties_key: 'bq' })
    expect((await call(b, '/api/queues/%2F/bq/bindings')).json).toHaveLength(2)
    expect((await call(b, '/api/exchanges/%2F/bx/bindings/source')).json).toHaveLength(1)
    expect((await publish('bx', 'a~b', 'via binding')).json).toEqual({ routed: true })
    expect((await call(b, `/api/bindings/%2F/e/bx/q/bq/${encodeURIComponent('a%7Eb')}`)).json.routing_key).toBe('a~b')
    expect((await call(b, `/api/bindings/%2F/e/bx/q/bq/${encodeURIComponent('a%7Eb')}`, { method: 'DELETE' })).status).toBe(204)
    expect((await call(b, '/api/bindings/%2F/e/bx/q/bq')).json).toEqual([])
    expect((await call(b, '/api/bindings/%2F/e/bx/q/bq/zzz')).status).toBe(404)
  })

  it('binds an exchange to an exchange with arguments', async () => {
    await call(b, '/api/exchanges/%2F/src', { method: 'PUT', body: { type: 'headers' } })
    await call(b, '/api/exchanges/%2F/dst', { method: 'PUT', body: { type: 'fanout' } })
    const made = await call(b, '/api/bindings/%2F/e/src/e/dst', { method: 'POST', body: { routing_key: '', arguments: { 'x-match': 'any', a: 1 } } })
    expect(made.status).toBe(201)
    const [binding] = (await call(b, '/api/bindings/%2F/e/src/e/dst')).json
    expect(binding).toMatchObject({ destination_type: 'exchange', arguments: { 'x-match': 'any', a: 1 } })
    expect(binding.properties_key).toBe(made.headers.get('location'))
    expect((await call(b, '/api/exchanges/%2F/dst/bindings/destination')).json).toHaveLength(1)
    expect((await call(b, `/api/bindings/%2F/e/src/e/dst/${encodeURIComponent(binding.properties_key)}`, { method: 'DELETE' })).status).toBe(204)
  })

  it('answers 404 when an end is missing and 400 for the default exchange', async () => {
    await call(b, '/api/queues/%2F/lonely', { method: 'PUT', body: {} })
    expect((await call(b, '/api/bindings/%2F/e/nope/q/lonely', { method: 'POST', body: {} })).status).toBe(404)
    expect((await call(b, '/api/bindings/%2F/e/amq.direct/q/nope', { method: 'POST', body: {} })).status).toBe(404)
    expect((await call(b, '/api/bindings/%2F/e/amq.default/q/lonely', { method: 'POST', body: {} })).status).toBe(400)
  })
})

describe('connections, channels and consumers', () => {
  it('lists what amqplib opened, and closes a connection on DELETE', async () => {
    const conn = await connectAmqp(b)
    const ch = await conn.createChannel()
    await ch.assertQueue('cq')
    await ch.prefetch(5)
    await ch.consume('cq', () => {}, { consumerTag: 'tag-1' })
    const conns = (await call(b, '/api/connections')).json
    expect(conns).toHaveLength(1)
    expect(conns[0]).toMatchObject({ vhost: '/', user: 'guest', state: 'running', protocol: 'AMQP 0-9-1', channels: 1, peer_host: '127.0.0.1' })
    expect(conns[0].name).toMatch(/^127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+$/)
    const channels = (await call(b, '/api/channels')).json
    expect(channels).toEqual([expect.objectContaining({ number: 1, consumer_count: 1, prefetch_count: 5, confirm: false, name: `${conns[0].name} (1)` })])
    const consumers = (await call(b, '/api/consumers/%2F')).json
    expect(consumers).toEqual([expect.objectContaining({ consumer_tag: 'tag-1', queue: { name: 'cq', vhost: '/' }, ack_required: true, prefetch_count: 5 })])
    expect((await call(b, '/api/consumers/other')).json).toEqual([])
    expect((await call(b, '/api/vhosts/%2F/connections')).json).toHaveLength(1)
    const name = encodeURIComponent(conns[0].name)
    expect((await call(b, `/api/connections/${name}`)).json.name).toBe(conns[0].name)
    expect((await call(b, `/api/connections/${name}/channels`)).json).toHaveLength(1)
    const closed = new Promise<Error | undefined>((resolve) => conn.once('close', resolve))
    expect((await call(b, `/api/connections/${name}`, { method: 'DELETE', headers: { 'x-reason': 'tidy up' } })).status).toBe(204)
    expect((await closed)?.message).toMatch(/320.*tidy up/)
    await eventually(async () => (await call(b, '/api/connections')).json.length === 0)
    expect((await call(b, `/api/connections/${name}`)).status).toBe(404)
  })
})
