// Direct reply-to (amq.rabbitmq.reply-to): RPC without a reply queue, and RabbitMQ's misuse errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeQuietly, connect, openChannel, startTestBroker, type TestBroker } from '../support/broker.js'

describe('direct reply-to', () => {
  let broker: TestBroker
  beforeAll(async () => { broker = await startTestBroker() })
  afterAll(async () => { await broker.close() })

  it('carries 10,000 RPC calls and replies', async () => {
    const conn = await connect(broker)
    const server = await openChannel(conn)
    await server.assertQueue('rpc', { durable: false })
    await server.consume('rpc', (m) => {
      if (!m) return
      server.sendToQueue(m.properties.replyTo, Buffer.from(`re:${m.content}`), { correlationId: m.properties.correlationId })
      server.ack(m)
    })
    const client = await openChannel(conn)
    const replies = new Map<string, string>()
    let resolveAll!: () => void
    const all = new Promise<void>((r) => (resolveAll = r))
    const N = 10_000
    await client.consume('amq.rabbitmq.reply-to', (m) => {
      if (!m) return
      replies.set(m.properties.correlationId, m.content.toString())
      if (replies.size === N) resolveAll()
    }, { noAck: true })
    for (let i = 0; i < N; i++) client.sendToQueue('rpc', Buffer.from(String(i)), { replyTo: 'amq.rabbitmq.reply-to', correlationId: String(i) })
    await all
    expect(replies.get('0')).toBe('re:0')
    expect(replies.get(String(N - 1))).toBe(`re:${N - 1}`)
    expect([...replies.values()].every((v, i) => v === `re:${i}`)).toBe(true)
    await closeQuietly(conn)
  })

  it('refuses a reply consumer that acknowledges, and a request without a reply consumer', async () => {
    const conn = await connect(broker)
    const a = await openChannel(conn)
    await expect(a.consume('amq.rabbitmq.reply-to', () => {}, { noAck: false })).rejects.toThrow(/PRECONDITION_FAILED - reply consumer cannot acknowledge/)
    const b = await openChannel(conn)
    await b.assertQueue('rpc-misuse', { durable: false })
    b.sendToQueue('rpc-misuse', Buffer.from('x'), { replyTo: 'amq.rabbitmq.reply-to' })
    await expect(b.checkQueue('rpc-misuse')).rejects.toThrow(/PRECONDITION_FAILED - fast reply consumer does not exist/)
    await closeQuietly(conn)
  })
})
