// The library's reset(): between two tests it closes client connections with 320
// CONNECTION_FORCED and leaves no queue, exchange, binding or message of the first test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  closeQuietly, connect, connectionClosed, drain, isExternalBroker, openChannel, startTestBroker, waitForReady,
  type Connection, type TestBroker,
} from '../support/broker.js'

let broker: TestBroker
beforeAll(async () => { broker = await startTestBroker() })
afterAll(async () => { await broker.close() })

/** Passive declare on a fresh channel: the reply code, or 0 if it exists. */
async function passiveCode(conn: Connection, kind: 'queue' | 'exchange', name: string): Promise<number> {
  const ch = await openChannel(conn)
  try {
    await (kind === 'queue' ? ch.checkQueue(name) : ch.checkExchange(name))
    await ch.close()
    return 0
  } catch (err) {
    return (err as { code: number }).code
  }
}

describe.skipIf(isExternalBroker())('reset() between two tests', () => {
  let first: (Connection & { errors: Error[] }) | undefined
  let firstClosed: Promise<unknown> | undefined

  it('first test: leaves queues, exchanges, bindings, messages and an open connection behind', async () => {
    first = await connect(broker)
    firstClosed = connectionClosed(first, 10_000)
    const ch = await openChannel(first)
    await ch.assertExchange('orders', 'topic', { durable: true })
    await ch.assertExchange('audit', 'fanout', { durable: false })
    await ch.bindExchange('audit', 'orders', '#')
    await ch.bindExchange('amq.fanout', 'amq.direct', 'between-predeclared')
    await ch.assertQueue('orders.new', { durable: true })
    await ch.assertQueue('audit.log')
    await ch.bindQueue('orders.new', 'orders', 'order.*')
    await ch.bindQueue('audit.log', 'audit', '')
    await ch.bindQueue('audit.log', 'amq.topic', 'keep.#')
    ch.publish('orders', 'order.created', Buffer.from('first test'))
    await waitForReady(ch, 'orders.new', 1)
    await waitForReady(ch, 'audit.log', 1)
    const unacked = await ch.get('orders.new')
    expect(unacked).not.toBe(false) // held unacked by this channel when reset comes
    expect(broker.queues().map((q) => q.name).sort()).toEqual(['audit.log', 'orders.new'])
  })

  it('reset() closes the first test\'s connection with 320 CONNECTION_FORCED', async () => {
    await broker.reset()
    // amqplib treats 320 as non-fatal: no 'error' event, the reason comes with 'close'.
    const reason = (await firstClosed) as Error & { code: number }
    expect(reason.code).toBe(320)
    expect(reason.message).toBe(
      `Connection closed: 320 (CONNECTION-FORCED) with message "CONNECTION_FORCED - broker forced connection closure with reason 'reset'"`,
    )
    expect(first!.errors).toEqual([])
  })

  it('second test: sees none of the first test\'s queues, exchanges, bindings or messages', async () => {
    expect(broker.queues()).toEqual([])
    const conn = await connect(broker)
    expect(await passiveCode(conn, 'queue', 'orders.new')).toBe(404)
    expect(await passiveCode(conn, 'queue', 'audit.log')).toBe(404)
    expect(await passiveCode(conn, 'exchange', 'orders')).toBe(404)
    expect(await passiveCode(conn, 'exchange', 'audit')).toBe(404)
    // Predeclared exchanges are back to their initial state: present, and without bindings.
    for (const name of ['amq.direct', 'amq.fanout', 'amq.topic', 'amq.headers', 'amq.match']) {
      expect(await passiveCode(conn, 'exchange', name)).toBe(0)
    }
    const ch = await openChannel(conn)
    await ch.assertQueue('audit.log')
    await ch.bindQueue('audit.log', 'amq.fanout', '')
    expect(await drain(ch, 'audit.log')).toEqual([]) // no message survived
    ch.publish('amq.direct', 'between-predeclared', Buffer.from('no e2e binding left'))
    ch.publish('amq.topic', 'keep.this', Buffer.from('no queue binding left'))
    ch.publish('amq.fanout', '', Buffer.from('fresh binding'))
    expect(await drain(ch, 'audit.log')).toEqual(['fresh binding'])
    await ch.deleteQueue('audit.log')
    await closeQuietly(conn)
  })
})
