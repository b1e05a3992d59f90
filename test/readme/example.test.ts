import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import amqp from 'amqplib'
import { startBroker, type WarrenBroker } from 'warrenmq'

let broker: WarrenBroker
beforeAll(async () => { broker = await startBroker({ port: 0 }) })   // in memory, on a free port
afterEach(async () => { await broker.reset() })                      // each test starts from nothing
afterAll(async () => { await broker.close() })

it('sends an order to the orders queue', async () => {
  const conn = await amqp.connect(broker.url)
  const ch = await conn.createConfirmChannel()
  await ch.assertQueue('orders', { durable: false })
  ch.sendToQueue('orders', Buffer.from('order 1'))
  await ch.waitForConfirms()                                          // the broker has it
  await conn.close()

  const [queue] = broker.queues()
  expect(queue).toMatchObject({ name: 'orders', messages: 1 })
  expect(broker.messages('orders')[0].body.toString()).toBe('order 1')
})
