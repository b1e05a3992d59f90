// MessageStats: depth rates from samples, and counters/rates once queues count publishes,
// deliveries and acks (the fields issue 7 asks Queue to keep), as shown in message_stats.
import { describe, expect, it } from 'vitest'
import { Broker } from '../../src/broker/broker.js'
import { MessageStats } from '../../src/management/message-stats.js'
import { queueJson } from '../../src/management/shapes/queue-json.js'
import { Message } from '../../src/broker/message.js'

const props = { deliveryMode: undefined, priority: undefined, expiration: undefined, headers: undefined }
const declare = (broker: Broker, name: string) =>
  broker.vhost('/')!.declareQueue({ name, passive: false, durable: false, exclusive: false, autoDelete: false, arguments: {} }, {})

describe('MessageStats', () => {
  it('turns depth changes into rates, and counts what a queue took in', () => {
    const broker = new Broker()
    const q = declare(broker, 'depth')
    const stats = new MessageStats(broker)
    stats.sample(1_000)
    for (let i = 0; i < 6; i++) q.enqueue(new Message('', 'depth', Buffer.alloc(0), props, Buffer.from('x')))
    stats.sample(3_000)
    expect(stats.depthRates).toEqual({ messages: 3, ready: 3, unacked: 0 })
    const json = queueJson(q, stats, 'n')
    expect(json.messages_ready_details).toEqual({ rate: 3 })
    expect(json.message_stats).toMatchObject({ publish: 6, deliver_get: 0, ack: 0 })
    expect(stats.isCounting).toBe(true)
  })

  it('reports counters and rates once a queue keeps publishedCount, deliveredCount and ackedCount', () => {
    const broker = new Broker()
    const q = declare(broker, 'counted') as unknown as Record<string, number>
    Object.assign(q, { publishedCount: 10, deliveredCount: 4, ackedCount: 2 })
    const stats = new MessageStats(broker)
    stats.sample(0)
    Object.assign(q, { publishedCount: 30, deliveredCount: 14, ackedCount: 12 })
    stats.sample(2_000)
    expect(stats.totals).toEqual({ publish: 30, deliver: 14, ack: 12 })
    expect(stats.totalRates).toEqual({ publish: 10, deliver: 5, ack: 5 })
    const json = queueJson(q as never, stats, 'n')
    expect(json.message_stats).toEqual({
      publish: 30, publish_details: { rate: 10 }, deliver_get: 14, deliver_get_details: { rate: 5 }, ack: 12, ack_details: { rate: 5 },
    })
    // A deleted queue's counts stay in the totals.
    broker.vhost('/')!.deleteQueue('counted', false, false, {})
    stats.sample(3_000)
    expect(stats.totals.publish).toBe(30)
  })
})
