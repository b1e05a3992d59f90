// basic.qos end to end: a consumer never holds more unacked deliveries than its prefetch count,
// and per-consumer (global=false) and per-channel (global=true) limits hold together, as RabbitMQ's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  closeQuietly, connect, openChannel, startTestBroker, waitFor, waitForReady, type Channel, type Connection, type Message, type TestBroker,
} from '../support/broker.js'

let broker: TestBroker
let conn: Connection & { errors: Error[] }
beforeAll(async () => {
  broker = await startTestBroker()
  conn = await connect(broker)
})
afterAll(async () => {
  await closeQuietly(conn)
  await broker.close()
})

/** A fresh exclusive queue holding n messages, confirmed in the queue before returning. */
async function queueWith(ch: Channel, n: number): Promise<string> {
  const { queue } = await ch.assertQueue('', { exclusive: true })
  for (let i = 0; i < n; i++) ch.sendToQueue(queue, Buffer.from(String(i)))
  await waitForReady(ch, queue, n)
  return queue
}

describe('basic.qos', () => {
  it('with prefetch 10 and 1000 ready messages, a slow consumer never holds more than 10 unacked', async () => {
    const ch = await openChannel(conn)
    const queue = await queueWith(ch, 1000)
    await ch.prefetch(10)
    let outstanding = 0, maxOutstanding = 0, received = 0
    const order: number[] = []
    // Ack each delivery a turn of the event loop later, so deliveries can pile up if credit leaks.
    await ch.consume(queue, (m) => {
      if (!m) return
      outstanding++
      received++
      order.push(Number(m.content.toString()))
      maxOutstanding = Math.max(maxOutstanding, outstanding)
      setImmediate(() => {
        outstanding--
        ch.ack(m)
      })
    })
    await waitFor(() => received === 1000 && outstanding === 0, 15_000, '1000 deliveries, all acked')
    expect(maxOutstanding).toBe(10)
    expect(order).toEqual(Array.from({ length: 1000 }, (_, i) => i))
    await ch.close()
  })

  it('holds a per-consumer limit (global=false) and a channel limit (global=true) together', async () => {
    const ch = await openChannel(conn)
    const queue = await queueWith(ch, 40)
    await ch.prefetch(5, false) // each consumer started from now on: 5
    await ch.prefetch(8, true) // the whole channel: 8
    const held: Record<string, Message[]> = { a: [], b: [] }
    let maxA = 0, maxB = 0, maxTotal = 0
    const track = (tag: 'a' | 'b') => (m: Message | null) => {
      if (!m) return
      held[tag].push(m)
      maxA = Math.max(maxA, held.a.length)
      maxB = Math.max(maxB, held.b.length)
      maxTotal = Math.max(maxTotal, held.a.length + held.b.length)
    }
    await ch.consume(queue, track('a'), { consumerTag: 'a' })
    await ch.consume(queue, track('b'), { consumerTag: 'b' })
    await waitFor(() => held.a.length + held.b.length === 8, 3000, '8 deliveries')
    expect(held.a.length).toBeLessThanOrEqual(5)
    expect(held.b.length).toBeLessThanOrEqual(5)

    // Acking frees channel credit, but a consumer at its own limit still gets nothing more.
    let delivered = 8
    for (let round = 0; round < 4; round++) {
      const fromA = held.a.splice(0, 2)
      for (const m of fromA) ch.ack(m)
      delivered += fromA.length
      await waitFor(() => held.a.length + held.b.length === 8, 3000, 'refill to the channel limit')
    }
    expect(maxA).toBeLessThanOrEqual(5)
    expect(maxB).toBeLessThanOrEqual(5)
    expect(maxTotal).toBe(8)
    await waitForReady(ch, queue, 40 - delivered)
    await ch.close()
  })

  it('a channel limit alone (global=true) is shared by all consumers on the channel', async () => {
    const ch = await openChannel(conn)
    const queue = await queueWith(ch, 20)
    await ch.prefetch(3, true)
    const held: Message[] = []
    await ch.consume(queue, (m) => m && held.push(m))
    await ch.consume(queue, (m) => m && held.push(m))
    await waitFor(() => held.length === 3, 3000, '3 deliveries')
    await waitForReady(ch, queue, 17)
    expect(held.length).toBe(3)
    await ch.close()
  })
})
