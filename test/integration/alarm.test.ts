// The memory alarm: publishers are blocked with connection.blocked above the watermark, lose
// nothing, and are unblocked once consumers drain the backlog.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeQuietly, connect, openChannel, removeDataDir, startTestBroker, waitFor, type TestBroker } from '../support/broker.js'

describe('memory alarm', () => {
  let broker: TestBroker
  beforeAll(async () => { broker = await startTestBroker({ memoryHighWatermarkBytes: 200_000 }) })
  afterAll(async () => { await broker.close() })

  it('blocks a publisher above the watermark and unblocks it when consumers drain the backlog', async () => {
    const publisher = await connect(broker)
    const events: string[] = []
    publisher.on('blocked', (reason: string) => events.push(`blocked:${reason}`))
    publisher.on('unblocked', () => events.push('unblocked'))
    const pch = await openChannel(publisher)
    await pch.assertQueue('alarm-q', { durable: false })
    const N = 1000
    for (let i = 0; i < N; i++) pch.sendToQueue('alarm-q', Buffer.alloc(1024, i % 256))
    await waitFor(() => events.includes('blocked:low on memory'), 5000, 'connection.blocked')
    const consumer = await connect(broker)
    const cch = await openChannel(consumer)
    let received = 0
    await cch.consume('alarm-q', (m) => { if (m) received++ }, { noAck: true })
    await waitFor(() => received === N, 10_000, 'every message to arrive')
    await waitFor(() => events.includes('unblocked'), 5000, 'connection.unblocked')
    expect(events).toEqual(['blocked:low on memory', 'unblocked'])
    expect(received).toBe(N)
    await closeQuietly(publisher)
    await closeQuietly(consumer)
  })
})

describe('disk alarm', () => {
  it('blocks a publisher while the data directory has less free space than the limit, losing nothing', async () => {
    // A limit no disk can meet: the alarm is set from the first check.
    const broker = await startTestBroker({ onDisk: true, diskFreeLimitBytes: Number.MAX_SAFE_INTEGER })
    try {
      const publisher = await connect(broker)
      const reasons: string[] = []
      publisher.on('blocked', (reason: string) => reasons.push(reason))
      const ch = await openChannel(publisher)
      await ch.assertQueue('disk-alarm-q', { durable: false })
      ch.sendToQueue('disk-alarm-q', Buffer.from('kept'))
      await waitFor(() => reasons.length > 0, 5000, 'connection.blocked')
      expect(reasons).toEqual(['low on disk'])
      expect(broker.messages('disk-alarm-q').map((m) => m.body.toString())).toEqual(['kept'])
      publisher.on('error', () => {}) // broker.close() ends it with 320 below
    } finally {
      await broker.close()
      removeDataDir(broker)
    }
  })
})
