// Exchanges end to end over amqplib: declare/delete rules with RabbitMQ's codes and texts,
// exchange-to-exchange bindings, and direct, fanout, topic, headers, default and alternate routing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  closeQuietly, closedWith, connect, connectionClosed, drain, openChannel, startTestBroker, uniqueName,
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

/** A fresh channel per test: a soft error closes it. */
async function channel(): Promise<Channel & { errors: Error[] }> {
  return openChannel(conn)
}

/** An exclusive server-named queue bound to `exchange` with each binding key. */
async function boundQueue(ch: Channel, exchange: string, keys: string[], args?: Record<string, unknown>): Promise<string> {
  const { queue } = await ch.assertQueue('', { exclusive: true })
  for (const key of keys) await ch.bindQueue(queue, exchange, key, args)
  return queue
}

describe('exchange.declare', () => {
  it('passive declare of a missing exchange closes the channel with 404', async () => {
    const ch = await channel()
    const name = uniqueName('missing')
    await expect(ch.checkExchange(name)).rejects.toMatchObject(closedWith(404, `NOT_FOUND - no exchange '${name}' in vhost '/'`))
    expect(ch.errors).toHaveLength(1)
  })

  it('declares durable, auto-delete and internal exchanges, and passive declare finds them', async () => {
    const ch = await channel()
    const names = [uniqueName('durable'), uniqueName('auto'), uniqueName('internal')]
    await ch.assertExchange(names[0], 'direct', { durable: true })
    await ch.assertExchange(names[1], 'fanout', { durable: false, autoDelete: true })
    await ch.assertExchange(names[2], 'topic', { durable: false, internal: true })
    for (const n of names) await expect(ch.checkExchange(n)).resolves.toBeDefined()
    // Redeclaring with the same properties is fine.
    await ch.assertExchange(names[0], 'direct', { durable: true })
    for (const n of names) await ch.deleteExchange(n)
    await ch.close()
  })

  it('an auto-delete exchange goes away when its last binding is removed', async () => {
    const ch = await channel()
    const ex = uniqueName('auto')
    await ch.assertExchange(ex, 'fanout', { durable: false, autoDelete: true })
    const q = await boundQueue(ch, ex, [''])
    await ch.unbindQueue(q, ex, '')
    await expect(ch.checkExchange(ex)).rejects.toMatchObject(closedWith(404, `NOT_FOUND - no exchange '${ex}' in vhost '/'`))
  })

  it.each([
    ['type', { type: 'fanout', durable: false }, "received 'fanout' but current is 'direct'"],
    ['durable', { type: 'direct', durable: true }, "received 'true' but current is 'false'"],
  ] as const)('redeclaring with a different %s closes the channel with 406', async (field, again, detail) => {
    const ch = await channel()
    const ex = uniqueName(`inequivalent-${field}`)
    await ch.assertExchange(ex, 'direct', { durable: false })
    await expect(ch.assertExchange(ex, again.type, { durable: again.durable })).rejects.toMatchObject(
      closedWith(406, `PRECONDITION_FAILED - inequivalent arg '${field}' for exchange '${ex}' in vhost '/': ${detail}`),
    )
    const ch2 = await channel()
    await ch2.deleteExchange(ex)
    await ch2.close()
  })

  it('redeclaring a predeclared amq. exchange with its own properties is fine, a different type is 406', async () => {
    const ch = await channel()
    await ch.assertExchange('amq.direct', 'direct', { durable: true })
    await expect(ch.assertExchange('amq.direct', 'fanout', { durable: true })).rejects.toMatchObject(
      closedWith(406, "PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'amq.direct' in vhost '/': received 'fanout' but current is 'direct'"),
    )
  })

  it('refuses an amq.-prefixed name with 403', async () => {
    const ch = await channel()
    await expect(ch.assertExchange('amq.mine', 'direct')).rejects.toMatchObject(
      closedWith(403, "ACCESS_REFUSED - exchange name 'amq.mine' contains reserved prefix 'amq.*'"),
    )
  })

  it('refuses an unknown exchange type with 503 COMMAND_INVALID, closing the connection', async () => {
    const own = await connect(broker)
    const closed = connectionClosed(own)
    const ch = await openChannel(own)
    // A hard error: amqplib fails the pending RPC and reports the close on the connection.
    await expect(ch.assertExchange(uniqueName('odd'), 'no-such-type')).rejects.toThrow(/Channel ended/)
    await closed
    expect(own.errors.map((e) => e.message)).toEqual([
      `Connection closed: 503 (COMMAND-INVALID) with message "COMMAND_INVALID - unknown exchange type 'no-such-type'"`,
    ])
  })
})

describe('exchange.delete', () => {
  it('with if-unused refuses an exchange that has bindings (406), and deletes it once unbound', async () => {
    const ch = await channel()
    const ex = uniqueName('used')
    await ch.assertExchange(ex, 'direct', { durable: false })
    const q = await boundQueue(ch, ex, ['k'])
    await expect(ch.deleteExchange(ex, { ifUnused: true })).rejects.toMatchObject(
      closedWith(406, `PRECONDITION_FAILED - exchange '${ex}' in vhost '/' in use`),
    )
    const ch2 = await channel()
    await ch2.unbindQueue(q, ex, 'k')
    await ch2.deleteExchange(ex, { ifUnused: true })
    await expect(ch2.checkExchange(ex)).rejects.toMatchObject({ code: 404 })
  })

  it('deleting a missing exchange succeeds, as in RabbitMQ 3.10', async () => {
    const ch = await channel()
    await expect(ch.deleteExchange(uniqueName('never'))).resolves.toBeDefined()
    await ch.close()
  })

  it('refuses to delete a predeclared amq. exchange with 403', async () => {
    const ch = await channel()
    await expect(ch.deleteExchange('amq.direct')).rejects.toMatchObject(
      closedWith(403, "ACCESS_REFUSED - deletion of system exchange 'amq.direct' in vhost '/' not allowed"),
    )
  })
})

describe('routing', () => {
  it('direct: a message goes to the queues whose binding key equals its routing key', async () => {
    const ch = await channel()
    const ex = uniqueName('direct')
    await ch.assertExchange(ex, 'direct', { durable: false, autoDelete: true })
    const red = await boundQueue(ch, ex, ['red'])
    const both = await boundQueue(ch, ex, ['red', 'blue'])
    for (const key of ['red', 'blue', 'green']) ch.publish(ex, key, Buffer.from(key))
    expect(await drain(ch, red)).toEqual(['red'])
    expect(await drain(ch, both)).toEqual(['red', 'blue'])
    await ch.close()
  })

  it('fanout: every bound queue gets every message, whatever the routing key', async () => {
    const ch = await channel()
    const ex = uniqueName('fanout')
    await ch.assertExchange(ex, 'fanout', { durable: false, autoDelete: true })
    const queues = [await boundQueue(ch, ex, ['']), await boundQueue(ch, ex, ['ignored'])]
    ch.publish(ex, 'a', Buffer.from('1'))
    ch.publish(ex, 'b', Buffer.from('2'))
    for (const q of queues) expect(await drain(ch, q)).toEqual(['1', '2'])
    await ch.close()
  })

  it('topic: * matches one word, # zero or more', async () => {
    const ch = await channel()
    const ex = uniqueName('topic')
    await ch.assertExchange(ex, 'topic', { durable: false, autoDelete: true })
    const star = await boundQueue(ch, ex, ['stock.*.nyse'])
    const hash = await boundQueue(ch, ex, ['stock.#'])
    const exact = await boundQueue(ch, ex, ['stock.ibm.nyse'])
    const tail = await boundQueue(ch, ex, ['#.nyse'])
    const keys = ['stock.ibm.nyse', 'stock.nyse', 'stock', 'stock.ibm.x.nyse', 'bond.nyse', 'nyse']
    for (const key of keys) ch.publish(ex, key, Buffer.from(key))
    expect(await drain(ch, star)).toEqual(['stock.ibm.nyse'])
    expect(await drain(ch, hash)).toEqual(['stock.ibm.nyse', 'stock.nyse', 'stock', 'stock.ibm.x.nyse'])
    expect(await drain(ch, exact)).toEqual(['stock.ibm.nyse'])
    expect(await drain(ch, tail)).toEqual(['stock.ibm.nyse', 'stock.nyse', 'stock.ibm.x.nyse', 'bond.nyse', 'nyse'])
    await ch.close()
  })

  it('topic: the empty routing key has no words (only "" and "#" match it)', async () => {
    const ch = await channel()
    const ex = uniqueName('topic')
    await ch.assertExchange(ex, 'topic', { durable: false, autoDelete: true })
    const keys = ['*', '', '#', '*.#', 'a.*', '*.*']
    const queues = []
    for (const key of keys) queues.push(await boundQueue(ch, ex, [key]))
    for (const rk of ['', 'a', 'a.', '.']) ch.publish(ex, rk, Buffer.from(JSON.stringify(rk)))
    const got: Record<string, string[]> = {}
    for (let i = 0; i < keys.length; i++) got[keys[i]] = await drain(ch, queues[i])
    expect(got).toEqual({
      '*': ['"a"'], '': ['""'], '#': ['""', '"a"', '"a."', '"."'], '*.#': ['"a"', '"a."', '"."'], 'a.*': ['"a."'], '*.*': ['"a."', '"."'],
    })
    await ch.close()
  })

  it('topic: a queue bound with two matching keys gets the message once', async () => {
    const ch = await channel()
    const ex = uniqueName('topic')
    await ch.assertExchange(ex, 'topic', { durable: false, autoDelete: true })
    const q = await boundQueue(ch, ex, ['a.*', '#'])
    ch.publish(ex, 'a.b', Buffer.from('once'))
    expect(await drain(ch, q)).toEqual(['once'])
    await ch.close()
  })

  it('headers: x-match all needs every header, any needs one', async () => {
    const ch = await channel()
    const ex = uniqueName('headers')
    await ch.assertExchange(ex, 'headers', { durable: false, autoDelete: true })
    const all = await boundQueue(ch, ex, [''], { 'x-match': 'all', format: 'pdf', type: 'report' })
    const any = await boundQueue(ch, ex, [''], { 'x-match': 'any', format: 'pdf', type: 'report' })
    ch.publish(ex, '', Buffer.from('both'), { headers: { format: 'pdf', type: 'report' } })
    ch.publish(ex, '', Buffer.from('format'), { headers: { format: 'pdf', type: 'log' } })
    ch.publish(ex, '', Buffer.from('none'), { headers: { format: 'zip' } })
    ch.publish(ex, '', Buffer.from('no headers'))
    expect(await drain(ch, all)).toEqual(['both'])
    expect(await drain(ch, any)).toEqual(['both', 'format'])
    await ch.close()
  })

  it('the default exchange routes to the queue named by the routing key', async () => {
    const ch = await channel()
    const { queue } = await ch.assertQueue('', { exclusive: true })
    ch.publish('', queue, Buffer.from('direct to queue'))
    ch.publish('', uniqueName('nobody'), Buffer.from('dropped'))
    expect(await drain(ch, queue)).toEqual(['direct to queue'])
    await ch.close()
  })

  it('binding to the default exchange is refused with 403', async () => {
    const ch = await channel()
    const { queue } = await ch.assertQueue('', { exclusive: true })
    await expect(ch.bindQueue(queue, '', 'x')).rejects.toMatchObject(
      closedWith(403, "ACCESS_REFUSED - operation not permitted on the default exchange"),
    )
  })

  it('an unroutable message goes to the alternate exchange', async () => {
    const ch = await channel()
    const ae = uniqueName('ae'), ex = uniqueName('main')
    await ch.assertExchange(ae, 'fanout', { durable: false, autoDelete: true })
    await ch.assertExchange(ex, 'direct', { durable: false, autoDelete: true, alternateExchange: ae })
    const routed = await boundQueue(ch, ex, ['known'])
    const leftovers = await boundQueue(ch, ae, [''])
    ch.publish(ex, 'known', Buffer.from('routed'))
    ch.publish(ex, 'unknown', Buffer.from('alternate'))
    expect(await drain(ch, routed)).toEqual(['routed'])
    expect(await drain(ch, leftovers)).toEqual(['alternate'])
    await ch.close()
  })

  it('publishing to an internal exchange is refused with 403', async () => {
    const ch = await channel()
    const ex = uniqueName('internal')
    await ch.assertExchange(ex, 'fanout', { durable: false, internal: true })
    ch.publish(ex, '', Buffer.from('no'))
    await expect(ch.assertQueue('', { exclusive: true })).rejects.toMatchObject(
      closedWith(403, `ACCESS_REFUSED - cannot publish to internal exchange '${ex}' in vhost '/'`),
    )
    const ch2 = await channel()
    await ch2.deleteExchange(ex)
    await ch2.close()
  })

  it('publishing to a missing exchange closes the channel with 404', async () => {
    const ch = await channel()
    const ex = uniqueName('absent')
    ch.publish(ex, '', Buffer.from('no'))
    await expect(ch.assertQueue('', { exclusive: true })).rejects.toMatchObject(
      closedWith(404, `NOT_FOUND - no exchange '${ex}' in vhost '/'`),
    )
  })
})

describe('exchange-to-exchange bindings', () => {
  it('exchange.bind forwards matching messages; exchange.unbind stops them', async () => {
    const ch = await channel()
    const src = uniqueName('src'), dest = uniqueName('dest')
    await ch.assertExchange(src, 'topic', { durable: false })
    await ch.assertExchange(dest, 'fanout', { durable: false })
    const q = await boundQueue(ch, dest, [''])
    await ch.bindExchange(dest, src, 'logs.#')
    ch.publish(src, 'logs.error', Buffer.from('forwarded'))
    ch.publish(src, 'metrics.cpu', Buffer.from('not forwarded'))
    expect(await drain(ch, q)).toEqual(['forwarded'])
    await ch.unbindExchange(dest, src, 'logs.#')
    ch.publish(src, 'logs.error', Buffer.from('after unbind'))
    expect(await drain(ch, q)).toEqual([])
    await ch.deleteExchange(src)
    await ch.deleteExchange(dest)
    await ch.close()
  })

  it('a cycle a→b→a with a queue bound to each delivers once per queue', async () => {
    const ch = await channel()
    const a = uniqueName('a'), b = uniqueName('b')
    await ch.assertExchange(a, 'fanout', { durable: false })
    await ch.assertExchange(b, 'fanout', { durable: false })
    await ch.bindExchange(b, a, '')
    await ch.bindExchange(a, b, '')
    const qa = await boundQueue(ch, a, [''])
    const qb = await boundQueue(ch, b, [''])
    ch.publish(a, '', Buffer.from('from a'))
    ch.publish(b, '', Buffer.from('from b'))
    expect(await drain(ch, qa)).toEqual(['from a', 'from b'])
    expect(await drain(ch, qb)).toEqual(['from a', 'from b'])
    await ch.deleteExchange(a)
    await ch.deleteExchange(b)
    await ch.close()
  })

  it('exchange.bind to a missing source closes the channel with 404', async () => {
    const ch = await channel()
    const dest = uniqueName('dest'), missing = uniqueName('missing')
    await ch.assertExchange(dest, 'fanout', { durable: false, autoDelete: true })
    await expect(ch.bindExchange(dest, missing, '')).rejects.toMatchObject(
      closedWith(404, `NOT_FOUND - no exchange '${missing}' in vhost '/'`),
    )
  })
})
