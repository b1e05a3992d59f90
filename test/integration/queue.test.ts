// Queues end to end over amqplib: declare (passive, server-named, counts, equivalence), exclusive
// and auto-delete lifetimes, bind/unbind, purge and delete, with RabbitMQ's codes and texts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  closeQuietly, closedWith, connect, connectionClosed, drain, openChannel, startTestBroker, uniqueName, waitFor,
  type Channel, type Connection, type TestBroker,
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

/** Passive declare from a fresh channel: true if the queue exists. */
async function queueExists(c: Connection, name: string): Promise<boolean> {
  const ch = await openChannel(c)
  try {
    await ch.checkQueue(name)
    await ch.close()
    return true
  } catch (err) {
    if ((err as { code?: number }).code === 404) return false
    throw err
  }
}

/** amqplib's get() rejects with the channel.close frame itself; turn it into the usual Error shape. */
async function getRejectingWithError(ch: Channel, queue: string): Promise<unknown> {
  try {
    return await ch.get(queue)
  } catch (f) {
    const fields = (f as { fields?: { replyCode: number; replyText: string } }).fields
    if (!fields) throw f
    throw Object.assign(new Error(`with message "${fields.replyText}"`), { code: fields.replyCode })
  }
}

describe('queue.declare', () => {
  it('passive declare of a missing queue closes the channel with 404', async () => {
    const ch = await channel()
    const name = uniqueName('missing')
    await expect(ch.checkQueue(name)).rejects.toMatchObject(closedWith(404, `NOT_FOUND - no queue '${name}' in vhost '/'`))
    expect(ch.errors).toHaveLength(1)
  })

  it('cuts a reply text longer than 255 bytes as RabbitMQ does, and the connection lives on', async () => {
    const ch = await channel()
    const name = 'q'.repeat(255)
    const full = `NOT_FOUND - no queue '${name}' in vhost '/'`
    await expect(ch.checkQueue(name)).rejects.toMatchObject(closedWith(404, full.slice(0, 252) + '...'))
    const ch2 = await channel()
    await expect(ch2.checkExchange('amq.direct')).resolves.toBeDefined()
    await ch2.close()
  })

  it('names a queue declared with an empty name amq.gen-...', async () => {
    const ch = await channel()
    const { queue } = await ch.assertQueue('', { exclusive: true })
    expect(queue).toMatch(/^amq\.gen-[A-Za-z0-9_-]{22}$/)
    await expect(ch.checkQueue(queue)).resolves.toMatchObject({ queue, messageCount: 0, consumerCount: 0 })
    await ch.close()
  })

  it('reports message and consumer counts in declare-ok', async () => {
    const ch = await channel()
    const name = uniqueName('counted')
    await ch.assertQueue(name, { durable: false })
    for (let i = 0; i < 3; i++) ch.sendToQueue(name, Buffer.from(`m${i}`))
    // A consumer with prefetch 1 holds one message unacked; the other two stay ready.
    await ch.prefetch(1)
    let delivered = 0
    await ch.consume(name, () => { delivered++ })
    await waitFor(() => delivered === 1, 2000, 'one delivery')
    const ch2 = await channel()
    await expect(ch2.assertQueue(name, { durable: false })).resolves.toEqual({ queue: name, messageCount: 2, consumerCount: 1 })
    await expect(ch2.checkQueue(name)).resolves.toEqual({ queue: name, messageCount: 2, consumerCount: 1 })
    await ch.close()
    await ch2.deleteQueue(name)
    await ch2.close()
  })

  it('redeclaring with a different durable flag closes the channel with 406', async () => {
    const ch = await channel()
    const name = uniqueName('durability')
    await ch.assertQueue(name, { durable: false })
    await expect(ch.assertQueue(name, { durable: true })).rejects.toMatchObject(
      closedWith(406, `PRECONDITION_FAILED - inequivalent arg 'durable' for queue '${name}' in vhost '/': received 'true' but current is 'false'`),
    )
    const ch2 = await channel()
    await ch2.deleteQueue(name)
    await ch2.close()
  })

  it('refuses an amq.-prefixed queue name with 403', async () => {
    const ch = await channel()
    await expect(ch.assertQueue('amq.mine')).rejects.toMatchObject(
      closedWith(403, "ACCESS_REFUSED - queue name 'amq.mine' contains reserved prefix 'amq.*'"),
    )
  })

  it('refuses to redeclare even an existing server-named queue non-passively (403), as RabbitMQ does', async () => {
    const ch = await channel()
    const { queue } = await ch.assertQueue('', { exclusive: true })
    await expect(ch.assertQueue(queue, { exclusive: true })).rejects.toMatchObject(
      closedWith(403, `ACCESS_REFUSED - queue name '${queue}' contains reserved prefix 'amq.*'`),
    )
  })
})

describe('exclusive and auto-delete queues', () => {
  it("locks an exclusive queue against another connection's use with 405", async () => {
    const ch = await channel()
    const { queue } = await ch.assertQueue(uniqueName('mine'), { exclusive: true })
    const other = await connect(broker)
    const locked = `RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '${queue}' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.`
    const attempts: ((c: Channel) => Promise<unknown>)[] = [
      (c) => c.assertQueue(queue, { exclusive: true }),
      (c) => c.checkQueue(queue),
      (c) => c.consume(queue, () => {}),
      (c) => getRejectingWithError(c, queue),
      (c) => c.purgeQueue(queue),
      (c) => c.deleteQueue(queue),
      (c) => c.bindQueue(queue, 'amq.fanout', ''),
    ]
    for (const attempt of attempts) {
      const och = await openChannel(other)
      await expect(attempt(och)).rejects.toMatchObject(closedWith(405, locked))
    }
    await closeQuietly(other)
    await ch.close()
  })

  it('an exclusive queue vanishes when its connection closes', async () => {
    const owner = await connect(broker)
    const ch = await openChannel(owner)
    const name = uniqueName('exclusive')
    await ch.assertQueue(name, { exclusive: true })
    ch.sendToQueue(name, Buffer.from('gone with it'))
    const probe = await channel()
    await expect(probe.checkQueue(name)).rejects.toMatchObject({ code: 405 })
    const closed = connectionClosed(owner)
    await owner.close()
    await closed
    expect(await queueExists(conn, name)).toBe(false)
  })

  it('an auto-delete queue vanishes when its last consumer cancels, not before', async () => {
    const ch = await channel()
    const name = uniqueName('auto')
    await ch.assertQueue(name, { autoDelete: true })
    const a = await ch.consume(name, () => {})
    const b = await ch.consume(name, () => {})
    await ch.cancel(a.consumerTag)
    expect(await queueExists(conn, name)).toBe(true)
    await ch.cancel(b.consumerTag)
    expect(await queueExists(conn, name)).toBe(false)
    await ch.close()
  })

  it('an auto-delete queue that never had a consumer stays', async () => {
    const ch = await channel()
    const name = uniqueName('auto-unused')
    await ch.assertQueue(name, { autoDelete: true })
    expect(await queueExists(conn, name)).toBe(true)
    await ch.deleteQueue(name)
    await ch.close()
  })
})

describe('queue.bind, purge and delete', () => {
  it('queue.bind routes, queue.unbind stops routing', async () => {
    const ch = await channel()
    const { queue } = await ch.assertQueue('', { exclusive: true })
    await ch.bindQueue(queue, 'amq.direct', 'k')
    ch.publish('amq.direct', 'k', Buffer.from('bound'))
    expect(await drain(ch, queue)).toEqual(['bound'])
    await ch.unbindQueue(queue, 'amq.direct', 'k')
    ch.publish('amq.direct', 'k', Buffer.from('unbound'))
    expect(await drain(ch, queue)).toEqual([])
    await ch.close()
  })

  it('queue.bind to a missing exchange closes the channel with 404', async () => {
    const ch = await channel()
    const { queue } = await ch.assertQueue('', { exclusive: true })
    const ex = uniqueName('absent')
    await expect(ch.bindQueue(queue, ex, '')).rejects.toMatchObject(closedWith(404, `NOT_FOUND - no exchange '${ex}' in vhost '/'`))
  })

  it('queue.purge drops ready messages and returns their count', async () => {
    const ch = await channel()
    const { queue } = await ch.assertQueue('', { exclusive: true })
    for (let i = 0; i < 7; i++) ch.sendToQueue(queue, Buffer.from(String(i)))
    await expect(ch.purgeQueue(queue)).resolves.toEqual({ messageCount: 7 })
    expect(await drain(ch, queue)).toEqual([])
    await ch.close()
  })

  it('queue.delete with if-unused refuses a queue with consumers (406)', async () => {
    const ch = await channel()
    const name = uniqueName('in-use')
    await ch.assertQueue(name)
    await ch.consume(name, () => {})
    const ch2 = await channel()
    await expect(ch2.deleteQueue(name, { ifUnused: true })).rejects.toMatchObject(
      closedWith(406, `PRECONDITION_FAILED - queue '${name}' in vhost '/' in use`),
    )
    await ch.deleteQueue(name)
    await ch.close()
  })

  it('queue.delete with if-empty refuses a queue with messages (406)', async () => {
    const ch = await channel()
    const name = uniqueName('full')
    await ch.assertQueue(name)
    ch.sendToQueue(name, Buffer.from('x'))
    await expect(ch.deleteQueue(name, { ifEmpty: true })).rejects.toMatchObject(
      closedWith(406, `PRECONDITION_FAILED - queue '${name}' in vhost '/' not empty`),
    )
    const ch2 = await channel()
    await expect(ch2.deleteQueue(name)).resolves.toEqual({ messageCount: 1 })
    await ch2.close()
  })

  it('queue.delete returns the count of ready messages and cancels consumers', async () => {
    const ch = await channel()
    const name = uniqueName('deleted')
    await ch.assertQueue(name)
    for (let i = 0; i < 4; i++) ch.sendToQueue(name, Buffer.from(String(i)))
    await expect(ch.deleteQueue(name)).resolves.toEqual({ messageCount: 4 })
    expect(await queueExists(conn, name)).toBe(false)
    // Deleting a queue that does not exist succeeds with a count of 0 (RabbitMQ 3.10).
    await expect(ch.deleteQueue(name)).resolves.toEqual({ messageCount: 0 })
    await ch.close()
  })
})
