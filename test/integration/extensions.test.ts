// RabbitMQ's queue extensions over amqplib: dead-lettering with x-death, TTLs, length limits and
// overflow modes, priority queues, single active consumer, x-expires.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { ConsumeMessage, GetMessage } from 'amqplib'
import { closeQuietly, connect, openChannel, openConfirmChannel, startTestBroker, waitFor, type TestBroker } from '../support/broker.js'

describe('RabbitMQ extensions', () => {
  let broker: TestBroker
  beforeAll(async () => { broker = await startTestBroker() })
  afterAll(async () => { await broker.close() })

  it('delivers expiration-0 messages to a waiting consumer even when the clock ticks during the publish', async () => {
    const conn = await connect(broker)
    const ch = await openChannel(conn)
    const q = (await ch.assertQueue('', { exclusive: true })).queue
    const got: string[] = []
    let done!: () => void
    const delivered = new Promise<void>((r) => (done = r))
    await ch.consume(q, (m) => { if (m) got.push(m.content.toString()); if (got.length === 5) done() }, { noAck: true })
    // Each Date.now() a millisecond after the last: the race between computing the expiry and
    // dispatching, made certain. Timers do not read Date.now, so the guard below stays real.
    let fakeNow = Date.now()
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => ++fakeNow)
    let guard: NodeJS.Timeout | undefined
    try {
      for (let i = 0; i < 5; i++) ch.sendToQueue(q, Buffer.from(`now ${i}`), { expiration: '0' })
      await Promise.race([delivered, new Promise((r) => { guard = setTimeout(r, 3000) })])
    } finally {
      clock.mockRestore()
      clearTimeout(guard)
    }
    expect(got).toEqual(['now 0', 'now 1', 'now 2', 'now 3', 'now 4'])
    await closeQuietly(conn)
  })

  it('cycles a message through reject -> DLX -> TTL delay queue three times with x-death counts 1, 2, 3', async () => {
    const conn = await connect(broker)
    const ch = await openChannel(conn)
    await ch.assertExchange('retry-x', 'direct', { durable: false })
    await ch.assertQueue('work', { durable: false, arguments: { 'x-dead-letter-exchange': 'retry-x', 'x-dead-letter-routing-key': 'delay' } })
    await ch.assertQueue('delay', { durable: false, arguments: { 'x-message-ttl': 30, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'work' } })
    await ch.bindQueue('delay', 'retry-x', 'delay')
    const seen: ConsumeMessage[] = []
    let done!: () => void
    const finished = new Promise<void>((r) => (done = r))
    await ch.consume('work', (m) => {
      if (!m) return
      seen.push(m)
      if (seen.length <= 3) ch.reject(m, false)
      else { ch.ack(m); done() }
    })
    ch.publish('', 'work', Buffer.from('job'), { headers: { attempt: 'x' } })
    await finished
    const counts = seen.map((m) => {
      const deaths = (m.properties.headers?.['x-death'] ?? []) as { queue: string; reason: string; count: number }[]
      return deaths.find((d) => d.queue === 'work' && d.reason === 'rejected')?.count ?? 0
    })
    expect(counts).toEqual([0, 1, 2, 3])
    const last = seen[3].properties.headers!
    expect(last['x-first-death-reason']).toBe('rejected')
    expect(last['x-first-death-queue']).toBe('work')
    const deaths = last['x-death'] as unknown as Record<string, unknown>[]
    expect(deaths.map((d) => [d.queue, d.reason, d.count])).toEqual([['delay', 'expired', 3], ['work', 'rejected', 3]])
    expect(deaths[1]['routing-keys']).toEqual(['work'])
    expect(seen[3].fields.exchange).toBe('')
    await closeQuietly(conn)
  })

  it('expires per-message TTLs behind a message without one, dead-lettering them in order undelivered', async () => {
    const conn = await connect(broker)
    const ch = await openChannel(conn)
    await ch.assertQueue('ttl-dlq', { durable: false })
    await ch.assertQueue('ttl-src', { durable: false, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'ttl-dlq' } })
    ch.sendToQueue('ttl-src', Buffer.from('keeper'))
    const N = 100_000
    for (let i = 0; i < N; i++) ch.sendToQueue('ttl-src', Buffer.from(String(i)), { expiration: '200' })
    await waitFor(() => broker.queues().find((q) => q.name === 'ttl-dlq')?.messages === N, 10_000, 'all expired messages to be dead-lettered')
    expect(broker.queues().find((q) => q.name === 'ttl-src')!.messages).toBe(1)
    const first = (await ch.get('ttl-dlq', { noAck: true })) as GetMessage
    expect(first.content.toString()).toBe('0')
    expect(first.properties.expiration).toBeUndefined()
    const death = (first.properties.headers!['x-death'] as unknown as Record<string, unknown>[])[0]
    expect([death.reason, death.queue, death['original-expiration']]).toEqual(['expired', 'ttl-src', '200'])
    const bodies = broker.messages('ttl-dlq').map((m) => Number(m.body.toString()))
    expect(bodies).toEqual(Array.from({ length: N - 1 }, (_, i) => i + 1))
    expect(((await ch.get('ttl-src', { noAck: true })) as GetMessage).content.toString()).toBe('keeper')
    await ch.deleteQueue('ttl-dlq')
    await closeQuietly(conn)
  })

  it('x-overflow drop-head keeps the newest, reject-publish nacks, reject-publish-dlx dead-letters', async () => {
    const conn = await connect(broker)
    const ch = await openConfirmChannel(conn)
    await ch.assertQueue('of-drop', { durable: false, arguments: { 'x-max-length': 3 } })
    await ch.assertQueue('of-reject', { durable: false, arguments: { 'x-max-length': 3, 'x-overflow': 'reject-publish' } })
    await ch.assertQueue('of-dlq', { durable: false })
    await ch.assertQueue('of-reject-dlx', {
      durable: false, arguments: { 'x-max-length': 3, 'x-overflow': 'reject-publish-dlx', 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'of-dlq' },
    })
    const outcomes: Record<string, boolean[]> = { 'of-drop': [], 'of-reject': [], 'of-reject-dlx': [] }
    const pending: Promise<void>[] = []
    for (const q of Object.keys(outcomes)) {
      for (let i = 1; i <= 5; i++) {
        pending.push(new Promise((resolve) => ch.sendToQueue(q, Buffer.from(String(i)), {}, (err) => { outcomes[q][i - 1] = !err; resolve() })))
      }
    }
    await Promise.all(pending)
    expect(outcomes['of-drop']).toEqual([true, true, true, true, true])
    expect(outcomes['of-reject']).toEqual([true, true, true, false, false])
    expect(outcomes['of-reject-dlx']).toEqual([true, true, true, false, false])
    expect(broker.messages('of-drop').map((m) => m.body.toString())).toEqual(['3', '4', '5'])
    expect(broker.messages('of-reject').map((m) => m.body.toString())).toEqual(['1', '2', '3'])
    expect(broker.messages('of-dlq').map((m) => m.body.toString())).toEqual(['4', '5'])
    expect((broker.messages('of-dlq')[0].properties.headers!['x-death'] as unknown as Record<string, unknown>[])[0].reason).toBe('maxlen')
    await closeQuietly(conn)
  })

  it('delivers a priority queue highest priority first and FIFO within a priority', async () => {
    const conn = await connect(broker)
    const ch = await openChannel(conn)
    await ch.assertQueue('prio', { durable: false, arguments: { 'x-max-priority': 10 } })
    const sent: [number, number][] = []
    let seed = 7
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      const priority = seed % 13 // some above the maximum count as the maximum
      sent.push([Math.min(priority, 10), i])
      ch.sendToQueue('prio', Buffer.from(String(i)), { priority })
    }
    await waitFor(() => broker.queues().find((q) => q.name === 'prio')?.messages === 2000)
    const expected = [...sent].sort((a, b) => b[0] - a[0] || a[1] - b[1]).map(([, i]) => String(i))
    const got: string[] = []
    for (let m = await ch.get('prio', { noAck: true }); m; m = await ch.get('prio', { noAck: true })) got.push(m.content.toString())
    expect(got).toEqual(expected)
    await closeQuietly(conn)
  })

  it('gives a single-active-consumer queue to one consumer at a time', async () => {
    const conn = await connect(broker)
    const ch = await openChannel(conn)
    await ch.assertQueue('sac', { durable: false, arguments: { 'x-single-active-consumer': true } })
    const a: string[] = [], b: string[] = []
    const ca = await ch.consume('sac', (m) => m && a.push(m.content.toString()), { noAck: true })
    await ch.consume('sac', (m) => m && b.push(m.content.toString()), { noAck: true })
    for (let i = 0; i < 10; i++) ch.sendToQueue('sac', Buffer.from(String(i)))
    await waitFor(() => a.length === 10)
    await ch.cancel(ca.consumerTag)
    ch.sendToQueue('sac', Buffer.from('after'))
    await waitFor(() => b.length === 1)
    expect(b).toEqual(['after'])
    await closeQuietly(conn)
  })

  it('deletes an x-expires queue once it goes unused', async () => {
    const conn = await connect(broker)
    const ch = await openChannel(conn)
    await ch.assertQueue('expiring', { durable: false, arguments: { 'x-expires': 50 } })
    await waitFor(() => !broker.queues().some((q) => q.name === 'expiring'), 3000, 'the unused queue to expire')
    await expect(ch.checkQueue('expiring')).rejects.toThrow(/404/)
    await closeQuietly(conn)
  })

  it('counts quorum queue redeliveries in x-delivery-count and dead-letters past x-delivery-limit', async () => {
    const conn = await connect(broker)
    const ch = await openChannel(conn)
    await ch.assertQueue('qq-dlq', { durable: false })
    await ch.assertQueue('qq', { durable: true, arguments: { 'x-queue-type': 'quorum', 'x-delivery-limit': 2, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'qq-dlq' } })
    ch.sendToQueue('qq', Buffer.from('poison'))
    const counts: unknown[] = []
    for (let i = 0; i < 3; i++) {
      let m: GetMessage | false = false
      for (let tries = 0; tries < 100 && !m; tries++) m = await ch.get('qq')
      if (!m) throw new Error('no delivery')
      counts.push(m.properties.headers?.['x-delivery-count'])
      ch.nack(m, false, true)
    }
    await waitFor(() => broker.messages('qq-dlq').length === 1, 5000, 'dead-lettering after the delivery limit')
    expect(counts).toEqual([0, 1, 2])
    const dead = broker.messages('qq-dlq')[0]
    expect((dead.properties.headers!['x-death'] as unknown as Record<string, unknown>[])[0].reason).toBe('delivery_limit')
    await ch.deleteQueue('qq')
    await closeQuietly(conn)
  })

  it('refuses a non-durable quorum queue with 406', async () => {
    const conn = await connect(broker)
    const ch = await openChannel(conn)
    await expect(ch.assertQueue('qq-bad', { durable: false, arguments: { 'x-queue-type': 'quorum' } }))
      .rejects.toThrow(/PRECONDITION_FAILED - invalid property 'non-durable' for queue 'qq-bad' in vhost '\/'/)
    await closeQuietly(conn)
  })
})
