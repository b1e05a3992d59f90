// Issue "Durable, disk-backed queues", acceptance 1: what survives a graceful restart.
import { afterEach, describe, expect, it } from 'vitest'
import type { GetMessage } from 'amqplib'
import { connect, openChannel, openConfirmChannel, closeQuietly, startTestBroker, tempDataDirs, type TestBroker } from '../support/broker.js'

describe('graceful restart', () => {
  const dirs = tempDataDirs('warren-durable-')
  const freshDir = () => dirs.fresh()
  let broker: TestBroker | undefined
  afterEach(async () => {
    await broker?.close()
    broker = undefined
    dirs.removeAll()
  })


  it('keeps durable exchanges, queues, bindings and persistent messages in order; drops transient ones', async () => {
    const dataDir = freshDir()
    broker = await startTestBroker({ onDisk: true, dataDir })
    let conn = await connect(broker)
    let ch = await openConfirmChannel(conn)
    await ch.assertExchange('orders-x', 'topic', { durable: true })
    await ch.assertExchange('scratch-x', 'fanout', { durable: false })
    await ch.assertQueue('orders', { durable: true, arguments: { 'x-max-priority': 5 } })
    await ch.assertQueue('scratch', { durable: false })
    await ch.bindQueue('orders', 'orders-x', 'order.*')
    for (let i = 0; i < 50; i++) ch.publish('orders-x', 'order.new', Buffer.from(`p${i}`), { persistent: true })
    ch.publish('orders-x', 'order.new', Buffer.from('transient'), { persistent: false })
    ch.sendToQueue('scratch', Buffer.from('gone'), { persistent: true })
    await ch.waitForConfirms()
    await closeQuietly(conn)
    await broker.close()

    broker = await startTestBroker({ onDisk: true, dataDir })
    conn = await connect(broker)
    const plain = await openChannel(conn)
    await plain.checkExchange('orders-x')
    await expect(plain.checkQueue('scratch')).rejects.toThrow(/404/)
    const ch2 = await openChannel(conn)
    await expect(ch2.checkExchange('scratch-x')).rejects.toThrow(/404/)
    const ch3 = await openChannel(conn)
    expect((await ch3.checkQueue('orders')).messageCount).toBe(50)
    const bodies: string[] = []
    for (let m = await ch3.get('orders', { noAck: true }); m; m = await ch3.get('orders', { noAck: true })) bodies.push(m.content.toString())
    expect(bodies).toEqual(Array.from({ length: 50 }, (_, i) => `p${i}`))
    // The binding survived too.
    ch3.publish('orders-x', 'order.paid', Buffer.from('after'), { persistent: true })
    const after = await waitForGet(ch3, 'orders')
    expect(after.content.toString()).toBe('after')
    await closeQuietly(conn)
  })

  it('redelivers messages unacked at shutdown with redelivered set, and never an acked one', async () => {
    const dataDir = freshDir()
    broker = await startTestBroker({ onDisk: true, dataDir })
    let conn = await connect(broker)
    const ch = await openConfirmChannel(conn)
    await ch.assertQueue('jobs', { durable: true })
    for (let i = 0; i < 6; i++) ch.sendToQueue('jobs', Buffer.from(`j${i}`), { persistent: true })
    await ch.waitForConfirms()
    const got: GetMessage[] = []
    for (let i = 0; i < 4; i++) got.push((await ch.get('jobs')) as GetMessage)
    ch.ack(got[0])
    ch.ack(got[2])
    await ch.checkQueue('jobs') // a round trip: the acks have arrived
    await broker.close() // connections closed while j1 and j3 are unacked
    broker = await startTestBroker({ onDisk: true, dataDir })
    conn = await connect(broker)
    const ch2 = await openChannel(conn)
    const seen: [string, boolean][] = []
    for (let m = await ch2.get('jobs', { noAck: true }); m; m = await ch2.get('jobs', { noAck: true })) {
      seen.push([m.content.toString(), m.fields.redelivered])
    }
    expect(seen).toEqual([['j1', true], ['j3', true], ['j4', false], ['j5', false]])
    await closeQuietly(conn)
  })
})

async function waitForGet(ch: { get(q: string): Promise<GetMessage | false> }, queue: string): Promise<GetMessage> {
  for (let i = 0; i < 200; i++) {
    const m = await ch.get(queue)
    if (m) return m
  }
  throw new Error(`no message arrived in ${queue}`)
}
