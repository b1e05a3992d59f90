// The basic class end to end over amqplib: mandatory returns, consume rules, server-side cancel,
// get, ack/nack/reject (single and multiple), delivery-tag errors, recover, requeue on channel
// close, round-robin and FIFO — each with RabbitMQ's codes and texts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  closeQuietly, closedWith, connect, connectionClosed, consumeN, drain, getOne, nextEvent, openChannel,
  startTestBroker, uniqueName, waitFor, type Channel, type Connection, type Message, type TestBroker,
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

const channel = (): Promise<Channel & { errors: Error[] }> => openChannel(conn)

/** A fresh exclusive queue holding messages with bodies '1'..'n'. */
async function queueWith(ch: Channel, n: number): Promise<string> {
  const { queue } = await ch.assertQueue('', { exclusive: true })
  for (let i = 1; i <= n; i++) ch.sendToQueue(queue, Buffer.from(String(i)))
  return queue
}

/** Ready messages (bodies and redelivered flags), taken with no-ack gets. */
async function readyOf(ch: Channel, queue: string): Promise<string[]> {
  const out: string[] = []
  for (;;) {
    const m = await ch.get(queue, { noAck: true })
    if (m === false) return out
    out.push(m.content.toString() + (m.fields.redelivered ? '*' : ''))
  }
}

describe('publishing', () => {
  it('returns an unroutable mandatory message with 312 NO_ROUTE', async () => {
    const ch = await channel()
    const key = uniqueName('nowhere')
    const returned = nextEvent<Message>(ch as never, 'return')
    ch.publish('amq.direct', key, Buffer.from('bounce'), { mandatory: true, messageId: 'm1' })
    const m = await returned
    expect(m.fields).toMatchObject({ replyCode: 312, replyText: 'NO_ROUTE', exchange: 'amq.direct', routingKey: key })
    expect(m.content.toString()).toBe('bounce')
    expect(m.properties.messageId).toBe('m1')
    await ch.close()
  })

  it('does not return a routable mandatory message, nor an unroutable non-mandatory one', async () => {
    const ch = await channel()
    let returns = 0
    ch.on('return', () => { returns++ })
    const { queue } = await ch.assertQueue('', { exclusive: true })
    ch.publish('', queue, Buffer.from('kept'), { mandatory: true })
    ch.publish('amq.direct', uniqueName('nowhere'), Buffer.from('dropped'))
    expect(await drain(ch, queue)).toEqual(['kept'])
    expect(returns).toBe(0)
    await ch.close()
  })
})

describe('basic.consume and cancel', () => {
  it('closes the connection with 530 on a duplicate consumer tag', async () => {
    const own = await connect(broker)
    const closed = connectionClosed(own)
    const ch = await openChannel(own)
    const { queue } = await ch.assertQueue('', { exclusive: true })
    await ch.consume(queue, () => {}, { consumerTag: 'dup' })
    await expect(ch.consume(queue, () => {}, { consumerTag: 'dup' })).rejects.toThrow(/Channel ended/)
    await closed
    expect(own.errors.map((e) => e.message)).toEqual([
      `Connection closed: 530 (NOT-ALLOWED) with message "NOT_ALLOWED - attempt to reuse consumer tag 'dup'"`,
    ])
  })

  it('refuses an exclusive consumer on a queue that has consumers (403), and any consumer beside an exclusive one', async () => {
    const ch = await channel()
    const name = uniqueName('shared')
    await ch.assertQueue(name, { autoDelete: false })
    await ch.consume(name, () => {})
    const ch2 = await channel()
    await expect(ch2.consume(name, () => {}, { exclusive: true })).rejects.toMatchObject(
      closedWith(403, `ACCESS_REFUSED - queue '${name}' in vhost '/' in exclusive use`),
    )
    const other = uniqueName('exclusive')
    await ch.assertQueue(other)
    await ch.consume(other, () => {}, { exclusive: true })
    const ch3 = await channel()
    await expect(ch3.consume(other, () => {})).rejects.toMatchObject(
      closedWith(403, `ACCESS_REFUSED - queue '${other}' in vhost '/' in exclusive use`),
    )
    await ch.deleteQueue(name)
    await ch.deleteQueue(other)
    await ch.close()
  })

  it('tells the consumer when its queue is deleted (amqplib calls the callback with null)', async () => {
    const ch = await channel()
    const name = uniqueName('doomed')
    await ch.assertQueue(name)
    const seen: (Message | null)[] = []
    await ch.consume(name, (m) => { seen.push(m) })
    const ch2 = await channel()
    await ch2.deleteQueue(name)
    await waitFor(() => seen.length === 1, 2000, 'the cancel')
    expect(seen).toEqual([null])
    // The channel stays open and usable.
    await expect(ch.checkExchange('amq.direct')).resolves.toBeDefined()
    await ch.close()
    await ch2.close()
  })

  it('basic.cancel stops deliveries to that consumer', async () => {
    const ch = await channel()
    const queue = await queueWith(ch, 1)
    const { messages, consumerTag } = await consumeN(ch, queue, 1, { noAck: true })
    await ch.cancel(consumerTag)
    ch.sendToQueue(queue, Buffer.from('after cancel'))
    expect(await readyOf(ch, queue)).toEqual(['after cancel'])
    expect(messages.map((m) => m.content.toString())).toEqual(['1'])
    await ch.close()
  })
})

describe('basic.get', () => {
  it('gets messages with their remaining count, then get-empty', async () => {
    const ch = await channel()
    const queue = await queueWith(ch, 2)
    const first = await getOne(ch, queue, { noAck: true })
    expect(first.content.toString()).toBe('1')
    expect(first.fields).toMatchObject({ messageCount: 1, redelivered: false, exchange: '', routingKey: queue })
    const second = await getOne(ch, queue, { noAck: true })
    expect(second.fields.messageCount).toBe(0)
    await expect(ch.get(queue)).resolves.toBe(false)
    await ch.close()
  })
})

describe('acknowledgements', () => {
  it('ack removes a message; nack and reject with requeue put it back; without requeue drop it', async () => {
    const ch = await channel()
    const queue = await queueWith(ch, 4)
    const [m1, m2, m3, m4] = [await getOne(ch, queue), await getOne(ch, queue), await getOne(ch, queue), await getOne(ch, queue)]
    ch.ack(m1)
    ch.nack(m2, false, true)
    ch.reject(m3, true)
    ch.nack(m4, false, false)
    expect(await readyOf(ch, queue)).toEqual(['2*', '3*'])
    await ch.close()
  })

  it('ack multiple settles every delivery up to the tag', async () => {
    const ch = await channel()
    const queue = await queueWith(ch, 5)
    const got = []
    for (let i = 0; i < 5; i++) got.push(await getOne(ch, queue))
    ch.ack(got[2], true) // 1, 2, 3
    ch.nack(got[4], true, true) // 4, 5 back
    expect(await readyOf(ch, queue)).toEqual(['4*', '5*'])
    await ch.close()
  })

  it('ackAll and nackAll settle everything outstanding', async () => {
    const ch = await channel()
    const queue = await queueWith(ch, 4)
    for (let i = 0; i < 2; i++) await getOne(ch, queue)
    ch.ackAll()
    for (let i = 0; i < 2; i++) await getOne(ch, queue)
    ch.nackAll(true)
    expect(await readyOf(ch, queue)).toEqual(['3*', '4*'])
    await ch.close()
  })

  it('an unknown delivery tag closes the channel with 406', async () => {
    const ch = await channel()
    const queue = await queueWith(ch, 1)
    const m = await getOne(ch, queue)
    ch.ack({ ...m, fields: { ...m.fields, deliveryTag: 99 } })
    await expect(ch.checkQueue(queue)).rejects.toMatchObject(closedWith(406, 'PRECONDITION_FAILED - unknown delivery tag 99'))
  })

  it('acking the same delivery twice closes the channel with 406', async () => {
    const ch = await channel()
    const queue = await queueWith(ch, 1)
    const m = await getOne(ch, queue)
    ch.ack(m)
    ch.ack(m)
    await expect(ch.checkQueue(queue)).rejects.toMatchObject(
      closedWith(406, `PRECONDITION_FAILED - unknown delivery tag ${m.fields.deliveryTag}`),
    )
  })

  it('basic.recover requeues unacked deliveries, which come back redelivered', async () => {
    const ch = await channel()
    const queue = await queueWith(ch, 3)
    for (let i = 0; i < 3; i++) await getOne(ch, queue)
    await ch.recover()
    expect(await readyOf(ch, queue)).toEqual(['1*', '2*', '3*'])
    await ch.close()
  })

  it('closing a channel requeues its unacked messages with redelivered set', async () => {
    const ch = await channel()
    const name = uniqueName('requeue-on-close')
    await ch.assertQueue(name)
    for (let i = 1; i <= 3; i++) ch.sendToQueue(name, Buffer.from(String(i)))
    const consumer = await channel()
    const { messages } = await consumeN(consumer, name, 3)
    expect(messages.every((m) => !m.fields.redelivered)).toBe(true)
    await consumer.close()
    expect(await readyOf(ch, name)).toEqual(['1*', '2*', '3*'])
    await ch.deleteQueue(name)
    await ch.close()
  })

  it('closing a connection requeues its unacked messages too', async () => {
    const ch = await channel()
    const name = uniqueName('requeue-on-conn-close')
    await ch.assertQueue(name)
    for (let i = 1; i <= 2; i++) ch.sendToQueue(name, Buffer.from(String(i)))
    const other = await connect(broker)
    await consumeN(await openChannel(other), name, 2)
    const closed = connectionClosed(other)
    await other.close()
    await closed
    expect(await readyOf(ch, name)).toEqual(['1*', '2*'])
    await ch.deleteQueue(name)
    await ch.close()
  })
})

describe('dispatch order', () => {
  it('delivers round-robin among a queue\'s consumers', async () => {
    const ch = await channel()
    const { queue } = await ch.assertQueue('', { exclusive: true })
    const got: Record<string, string[]> = { a: [], b: [], c: [] }
    for (const tag of ['a', 'b', 'c']) await ch.consume(queue, (m) => m && got[tag].push(m.content.toString()), { noAck: true, consumerTag: tag })
    for (let i = 1; i <= 9; i++) ch.sendToQueue(queue, Buffer.from(String(i)))
    await waitFor(() => got.a.length + got.b.length + got.c.length === 9, 3000, '9 deliveries')
    expect(got).toEqual({ a: ['1', '4', '7'], b: ['2', '5', '8'], c: ['3', '6', '9'] })
    await ch.close()
  })

  it('keeps per-queue FIFO order across 1000 messages', async () => {
    const ch = await channel()
    const { queue } = await ch.assertQueue('', { exclusive: true })
    for (let i = 0; i < 1000; i++) ch.sendToQueue(queue, Buffer.from(String(i)))
    const { messages } = await consumeN(ch, queue, 1000, { noAck: true })
    expect(messages.map((m) => Number(m.content.toString()))).toEqual(Array.from({ length: 1000 }, (_, i) => i))
    await ch.close()
  })
})
