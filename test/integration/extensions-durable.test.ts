// RabbitMQ's extensions across a broker restart: a priority queue keeps its order, and a retry
// cycle of persistent messages (reject -> DLX -> TTL delay queue -> back) resumes where it was.
import { afterEach, describe, expect, it } from 'vitest'
import type { ConsumeMessage } from 'amqplib'
import { closeQuietly, connect, openChannel, openConfirmChannel, startTestBroker, tempDataDirs, waitFor, type TestBroker } from '../support/broker.js'

describe('extensions across a restart', () => {
  const dirs = tempDataDirs('warren-ext-')
  const freshDir = () => dirs.fresh()
  let broker: TestBroker | undefined
  afterEach(async () => {
    await broker?.close()
    broker = undefined
    dirs.removeAll()
  })

  it('delivers 10,000 mixed-priority messages highest first, FIFO within a priority, before and after a restart', async () => {
    const dataDir = freshDir()
    broker = await startTestBroker({ onDisk: true, dataDir })
    let conn = await connect(broker)
    const ch = await openConfirmChannel(conn)
    await ch.assertQueue('prio-durable', { durable: true, arguments: { 'x-max-priority': 10 } })
    const sent: [number, number][] = []
    let seed = 11
    for (let i = 0; i < 10_000; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      const priority = seed % 11
      sent.push([priority, i])
      ch.sendToQueue('prio-durable', Buffer.from(String(i)), { priority, persistent: true })
    }
    await ch.waitForConfirms()
    const expected = [...sent].sort((a, b) => b[0] - a[0] || a[1] - b[1]).map(([, i]) => String(i))
    // Before: the first 100 in priority order (then they are acked and gone).
    const pre = await openChannel(conn)
    const before: string[] = []
    for (let i = 0; i < 100; i++) {
      const m = await pre.get('prio-durable')
      if (!m) throw new Error('queue ran dry')
      before.push(m.content.toString())
      pre.ack(m)
    }
    expect(before).toEqual(expected.slice(0, 100))
    await pre.checkQueue('prio-durable') // a round trip: the acks have arrived
    await closeQuietly(conn)
    await broker.close()

    broker = await startTestBroker({ onDisk: true, dataDir })
    conn = await connect(broker)
    const after = await openChannel(conn)
    const got: string[] = []
    for (let m = await after.get('prio-durable', { noAck: true }); m; m = await after.get('prio-durable', { noAck: true })) got.push(m.content.toString())
    expect(got).toEqual(expected.slice(100))
    await closeQuietly(conn)
  })

  it('resumes a persistent retry cycle after a restart mid-cycle, counting x-death on', async () => {
    const dataDir = freshDir()
    const declare = async (ch: Awaited<ReturnType<typeof openChannel>>) => {
      await ch.assertExchange('retry-dx', 'direct', { durable: true })
      await ch.assertQueue('work-d', { durable: true, arguments: { 'x-dead-letter-exchange': 'retry-dx', 'x-dead-letter-routing-key': 'delay' } })
      await ch.assertQueue('delay-d', { durable: true, arguments: { 'x-message-ttl': 50, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'work-d' } })
      await ch.bindQueue('delay-d', 'retry-dx', 'delay')
    }
    const rejectedCount = (m: ConsumeMessage) =>
      ((m.properties.headers?.['x-death'] ?? []) as unknown as { queue: string; reason: string; count: number }[])
        .find((d) => d.queue === 'work-d' && d.reason === 'rejected')?.count ?? 0

    broker = await startTestBroker({ onDisk: true, dataDir })
    let conn = await connect(broker)
    let ch = await openChannel(conn)
    await declare(ch)
    const seen: number[] = []
    // First life: deliver, reject twice (the cycle runs through the delay queue), then stop while
    // the third delivery is unacked.
    await new Promise<void>((resolve) => {
      void ch.consume('work-d', (m) => {
        if (!m) return
        seen.push(rejectedCount(m))
        if (seen.length <= 2) ch.reject(m, false)
        else resolve()
      })
      ch.sendToQueue('work-d', Buffer.from('job'), { persistent: true })
    })
    await closeQuietly(conn) // the third delivery goes back to work-d, unacked
    await broker.close()

    broker = await startTestBroker({ onDisk: true, dataDir })
    conn = await connect(broker)
    ch = await openChannel(conn)
    await declare(ch)
    const final = await new Promise<ConsumeMessage>((resolve) => {
      void ch.consume('work-d', (m) => {
        if (!m) return
        seen.push(rejectedCount(m))
        if (rejectedCount(m) < 3) ch.reject(m, false)
        else {
          ch.ack(m)
          resolve(m)
        }
      })
    })
    expect(seen).toEqual([0, 1, 2, 2, 3])
    expect(final.fields.redelivered).toBe(false)
    await waitFor(() => broker!.queues().every((q) => q.messages === 0), 3000, 'both queues to be empty')
    await closeQuietly(conn)
  })
})
