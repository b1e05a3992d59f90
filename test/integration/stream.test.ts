// Stream queues over AMQP 0-9-1: consumers replay from first, an offset, or a timestamp,
// independently; reading removes nothing; RabbitMQ's errors for get and missing prefetch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ConsumeMessage } from 'amqplib'
import { closeQuietly, connect, openChannel, startTestBroker, waitFor, type TestBroker } from '../support/broker.js'

describe('stream queues', () => {
  let broker: TestBroker
  beforeAll(async () => { broker = await startTestBroker() })
  afterAll(async () => { await broker.close() })

  async function readFrom(conn: Awaited<ReturnType<typeof connect>>, offset: unknown, count: number): Promise<ConsumeMessage[]> {
    const ch = await openChannel(conn)
    await ch.prefetch(100)
    const got: ConsumeMessage[] = []
    await ch.consume('events', (m) => { if (m) { got.push(m); ch.ack(m) } }, { arguments: { 'x-stream-offset': offset } })
    await waitFor(() => got.length >= count, 5000, `${count} messages from offset ${String(offset)}`)
    return got
  }

  it('replays from first, from a numeric offset and from a timestamp, to consumers independently', async () => {
    const conn = await connect(broker)
    const ch = await openChannel(conn)
    await ch.assertQueue('events', { durable: true, arguments: { 'x-queue-type': 'stream' } })
    for (let i = 0; i < 50; i++) ch.sendToQueue('events', Buffer.from(`e${i}`))
    await waitFor(() => broker.queues().find((q) => q.name === 'events')?.messages === 50)
    const fromFirst = await readFrom(conn, 'first', 50)
    const fromFirstAgain = await readFrom(conn, 'first', 50)
    const fromOffset = await readFrom(conn, 40, 10)
    expect(fromFirst.map((m) => m.content.toString())).toEqual(Array.from({ length: 50 }, (_, i) => `e${i}`))
    expect(fromFirstAgain.map((m) => m.properties.headers?.['x-stream-offset'])).toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect(fromOffset.map((m) => m.content.toString())).toEqual(Array.from({ length: 10 }, (_, i) => `e${40 + i}`))
    // AMQP timestamps have second resolution: publish 'tail' in a later second than everything else.
    const since = new Date(Math.ceil((Date.now() + 1) / 1000) * 1000)
    await waitFor(() => Date.now() >= since.getTime() + 10, 3000, 'the next second')
    ch.sendToQueue('events', Buffer.from('tail'))
    await waitFor(() => broker.queues().find((q) => q.name === 'events')?.messages === 51)
    const timestamp = { '!': 'timestamp', value: since.getTime() / 1000 } // amqplib's way to send an AMQP timestamp
    expect((await readFrom(conn, timestamp, 1)).map((m) => m.content.toString())).toEqual(['tail'])
    expect(broker.queues().find((q) => q.name === 'events')!.messages).toBe(51)
    await closeQuietly(conn)
  })

  it('needs a consumer prefetch (406) and refuses basic.get (540), as RabbitMQ', async () => {
    const conn = await connect(broker)
    const ch = await openChannel(conn)
    await ch.assertQueue('events2', { durable: true, arguments: { 'x-queue-type': 'stream' } })
    await expect(ch.consume('events2', () => {})).rejects.toThrow(/PRECONDITION_FAILED - consumer prefetch count is not set for 'queue 'events2' in vhost '\/''/)
    const ch2 = await openChannel(conn)
    await expect(ch2.get('events2')).rejects.toThrow()
    await waitFor(() => conn.errors.length > 0, 5000, 'the connection to close')
    expect(String(conn.errors[0])).toMatch(/NOT_IMPLEMENTED - basic.get not supported by stream queues queue 'events2' in vhost '\/'/)
    await closeQuietly(conn)
  })
})
