// Limits with RabbitMQ's behaviour: a body over max_message_size closes the channel with 406; a
// delivery left unacked past consumer_timeout closes its channel with 406.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeQuietly, connect, openChannel, startTestBroker, waitFor, type TestBroker } from '../support/broker.js'

describe('limits', () => {
  let broker: TestBroker
  beforeAll(async () => { broker = await startTestBroker({ maxMessageBytes: 1000, consumerTimeoutMs: 200 }) })
  afterAll(async () => { await broker.close() })

  it('closes the channel with 406 for a message over the maximum size', async () => {
    const conn = await connect(broker)
    const ch = await openChannel(conn)
    await ch.assertQueue('limits-size', { durable: false })
    ch.sendToQueue('limits-size', Buffer.alloc(1001))
    await waitFor(() => ch.errors.length > 0, 5000, 'the channel to close')
    expect(String(ch.errors[0])).toContain('PRECONDITION_FAILED - message size 1001 is larger than configured max size 1000')
    const ch2 = await openChannel(conn)
    ch2.sendToQueue('limits-size', Buffer.alloc(1000))
    expect((await ch2.checkQueue('limits-size')).messageCount).toBe(1)
    await closeQuietly(conn)
  })

  it('closes a channel whose delivery stays unacked past the consumer timeout, and requeues it', async () => {
    const conn = await connect(broker)
    const ch = await openChannel(conn)
    await ch.assertQueue('limits-timeout', { durable: false })
    ch.sendToQueue('limits-timeout', Buffer.from('slow'))
    await ch.consume('limits-timeout', () => {}) // never acks
    await waitFor(() => ch.errors.length > 0, 5000, 'the consumer timeout')
    expect(String(ch.errors[0])).toContain('PRECONDITION_FAILED - delivery acknowledgement on channel 1 timed out. Timeout value used: 200 ms.')
    await waitFor(() => broker.queues().find((q) => q.name === 'limits-timeout')?.messages === 1, 5000, 'the requeue')
    await closeQuietly(conn)
  })
})
