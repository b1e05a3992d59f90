// Where requeued messages go, exactly as RabbitMQ 3.10 classic queues put them: back at their
// original position, marked redelivered, and to a consumer with free credit at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  closeQuietly, connect, getOne, openChannel, startTestBroker, waitFor, waitForReady,
  type Connection, type GetMessage, type Message, type TestBroker,
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

const label = (m: Message | GetMessage) => m.content.toString() + (m.fields.redelivered ? '*' : '')

describe('requeue order', () => {
  it('puts nacked and rejected messages back at their original positions', async () => {
    const ch = await openChannel(conn)
    const { queue } = await ch.assertQueue('', { exclusive: true })
    for (let i = 1; i <= 20; i++) ch.sendToQueue(queue, Buffer.from(String(i)))
    await waitForReady(ch, queue, 20)
    const got: GetMessage[] = []
    for (let i = 0; i < 10; i++) got.push(await getOne(ch, queue))
    expect(got.map(label)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'])
    ch.nack(got[4], false, true) // 5
    ch.nack(got[2], false, true) // 3
    ch.reject(got[7], true) // 8
    const after: string[] = []
    for (;;) {
      const m = await ch.get(queue, { noAck: true })
      if (m === false) break
      after.push(label(m))
    }
    expect(after).toEqual(['3*', '5*', '8*', '11', '12', '13', '14', '15', '16', '17', '18', '19', '20'])
    await ch.close()
  })

  it('gives a consumer with free credit each requeued message at once, in the order of the nacks', async () => {
    const ch = await openChannel(conn)
    const { queue } = await ch.assertQueue('', { exclusive: true })
    for (let i = 1; i <= 5; i++) ch.sendToQueue(queue, Buffer.from(String(i)))
    await waitForReady(ch, queue, 5)
    await ch.prefetch(3)
    const deliveries: Message[] = []
    await ch.consume(queue, (m) => m && deliveries.push(m))
    await waitFor(() => deliveries.length === 3, 3000, 'three deliveries')
    ch.nack(deliveries[2], false, true) // 3
    ch.nack(deliveries[0], false, true) // 1
    await waitFor(() => deliveries.length === 5, 3000, 'two redeliveries')
    expect(deliveries.map(label)).toEqual(['1', '2', '3', '3*', '1*'])
    // Credit is full again (2, 3*, 1*): 4 and 5 wait in the queue until acks free it.
    await waitForReady(ch, queue, 2)
    ch.ackAll()
    await waitFor(() => deliveries.length === 7, 3000, 'the rest')
    expect(deliveries.slice(5).map(label)).toEqual(['4', '5'])
    ch.ackAll()
    await ch.close()
  })

  it('requeues a closed channel\'s deliveries in queue order ahead of newer messages', async () => {
    const ch = await openChannel(conn)
    const { queue } = await ch.assertQueue('', { exclusive: true })
    for (let i = 1; i <= 6; i++) ch.sendToQueue(queue, Buffer.from(String(i)))
    await waitForReady(ch, queue, 6)
    const consumer = await openChannel(conn)
    await consumer.prefetch(4)
    const got: Message[] = []
    await consumer.consume(queue, (m) => m && got.push(m))
    await waitFor(() => got.length === 4, 3000, 'four deliveries')
    consumer.ack(got[1]) // 2 is done, which frees credit for 5
    await waitFor(() => got.length === 5, 3000, 'a fifth delivery')
    await consumer.close() // 1, 3, 4, 5 go back
    const order: string[] = []
    for (;;) {
      const m = await ch.get(queue, { noAck: true })
      if (m === false) break
      order.push(label(m))
    }
    expect(order).toEqual(['1*', '3*', '4*', '5*', '6'])
    await ch.close()
  })
})
