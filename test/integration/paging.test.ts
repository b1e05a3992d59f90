// Queues beyond their memory budget page to disk and read back in order: persistent messages of a
// durable queue from the store (also across a restart), transient ones from the spill.
import { afterEach, describe, expect, it } from 'vitest'
import type { ConsumeMessage } from 'amqplib'
import { closeQuietly, connect, openChannel, openConfirmChannel, startTestBroker, tempDataDirs, waitFor, type TestBroker } from '../support/broker.js'

const MESSAGES = 20_000
const BODY = Buffer.alloc(1024, 7)
/** 64 KiB: 20,000 messages of 1 KiB are 300 times the budget, so nearly all of them page. */
const BUDGET = 64 * 1024

function numbered(i: number): Buffer {
  const b = Buffer.from(BODY)
  b.writeUInt32BE(i, 0)
  return b
}

async function drainInOrder(broker: TestBroker, queue: string, from: number, count: number): Promise<number> {
  const conn = await connect(broker)
  const ch = await openChannel(conn)
  await ch.prefetch(500)
  let next = from, wrong = 0
  await new Promise<void>((resolve) => {
    void ch.consume(queue, (m: ConsumeMessage | null) => {
      if (!m || next === from + count) return // beyond what we take: left unacked, requeued on close
      if (m.content.readUInt32BE(0) !== next) wrong++
      next++
      ch.ack(m)
      if (next === from + count) resolve()
    })
  })
  // Closing the channel first flushes amqplib's buffered acks (a connection close can overtake them).
  await ch.close()
  await closeQuietly(conn)
  return wrong
}

describe('paging beyond the memory budget', () => {
  const dirs = tempDataDirs('warren-paging-')
  let broker: TestBroker | undefined
  afterEach(async () => {
    await broker?.close()
    broker = undefined
    dirs.removeAll()
  })

  it('reads paged persistent and transient messages back in order, and a durable queue across a restart', async () => {
    const dataDir = dirs.fresh()
    broker = await startTestBroker({ onDisk: true, dataDir, queueMemoryBytes: BUDGET })
    const conn = await connect(broker)
    const ch = await openConfirmChannel(conn)
    await ch.assertQueue('paged-durable', { durable: true })
    await ch.assertQueue('paged-transient', { durable: false })
    for (let i = 0; i < MESSAGES; i++) {
      ch.sendToQueue('paged-durable', numbered(i), { persistent: true })
      ch.sendToQueue('paged-transient', numbered(i), { persistent: false })
      if (i % 1000 === 999) await ch.waitForConfirms()
    }
    await ch.waitForConfirms()
    await closeQuietly(conn)
    expect(broker.queues().find((q) => q.name === 'paged-durable')!.messages).toBe(MESSAGES)

    expect(await drainInOrder(broker, 'paged-transient', 0, MESSAGES)).toBe(0)
    expect(await drainInOrder(broker, 'paged-durable', 0, 5000)).toBe(0)
    await waitFor(() => broker!.queues().find((q) => q.name === 'paged-durable')!.messages === MESSAGES - 5000, 5000, `15000 left, saw ${JSON.stringify(broker!.queues())}`)
    await broker.close()

    broker = await startTestBroker({ onDisk: true, dataDir, queueMemoryBytes: BUDGET })
    expect(broker.queues().find((q) => q.name === 'paged-durable')!.messages).toBe(MESSAGES - 5000)
    expect(await drainInOrder(broker, 'paged-durable', 5000, MESSAGES - 5000)).toBe(0)
  }, 60_000)
})
