import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, openChannel, startTestBroker, closeQuietly, type TestBroker } from '../support/broker.js'

describe('smoke', () => {
  let broker: TestBroker
  beforeAll(async () => { broker = await startTestBroker() })
  afterAll(async () => { await broker.close() })

  it('publishes and consumes one message over amqplib', async () => {
    const conn = await connect(broker)
    const ch = await openChannel(conn)
    await ch.assertQueue('smoke')
    ch.sendToQueue('smoke', Buffer.from('hello'))
    const msg = await new Promise<import('amqplib').ConsumeMessage>((resolve) => ch.consume('smoke', (m) => m && resolve(m)))
    expect(msg.content.toString()).toBe('hello')
    ch.ack(msg)
    await closeQuietly(conn)
  })
})
