// Publisher confirms and transactions end to end: every publish confirmed exactly once and in
// order, a mandatory return before its confirm, and tx commit/rollback of publishes and acks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  closeQuietly, connect, drain, getOne, openChannel, openConfirmChannel, startTestBroker, tx, uniqueName, waitForReady,
  type Connection, type TestBroker,
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

describe('publisher confirms', () => {
  it('confirms 10,000 publishes exactly once each, in order', async () => {
    const ch = await openConfirmChannel(conn)
    const { queue } = await ch.assertQueue('', { exclusive: true })
    const total = 10_000
    // Raw basic.ack frames: each must cover only tags not yet confirmed, and tags only grow.
    let confirmedUpTo = 0
    const overlaps: string[] = []
    ch.on('ack', (fields: { deliveryTag: number; multiple: boolean }) => {
      if (fields.deliveryTag <= confirmedUpTo) overlaps.push(`ack ${fields.deliveryTag} after ${confirmedUpTo}`)
      if (!fields.multiple && fields.deliveryTag !== confirmedUpTo + 1) overlaps.push(`single ack ${fields.deliveryTag} skips past ${confirmedUpTo}`)
      confirmedUpTo = fields.deliveryTag
    })
    let nacks = 0
    ch.on('nack', () => { nacks++ })
    // Per-message callbacks: amqplib calls each once per ack covering it.
    const callbackOrder: number[] = []
    const timesCalled = new Uint8Array(total)
    const body = Buffer.alloc(16)
    for (let i = 0; i < total; i++) {
      ch.publish('', queue, body, {}, (err) => {
        if (err) nacks++
        timesCalled[i]++
        callbackOrder.push(i)
      })
    }
    await ch.waitForConfirms()
    expect(nacks).toBe(0)
    expect(overlaps).toEqual([])
    expect(confirmedUpTo).toBe(total)
    expect(timesCalled.every((n) => n === 1)).toBe(true)
    expect(callbackOrder).toEqual(Array.from({ length: total }, (_, i) => i))
    await waitForReady(ch, queue, total)
    await ch.close()
  }, 20_000)

  it('confirms an unroutable mandatory message after returning it', async () => {
    const ch = await openConfirmChannel(conn)
    const events: string[] = []
    ch.on('return', () => events.push('return'))
    await new Promise<void>((resolve, reject) => {
      ch.publish('amq.direct', uniqueName('nowhere'), Buffer.from('x'), { mandatory: true }, (err) => {
        events.push(err ? 'nack' : 'ack')
        if (err) reject(err)
        else resolve()
      })
    })
    expect(events).toEqual(['return', 'ack'])
    await ch.close()
  })

  it('confirms an unroutable non-mandatory message (it is simply dropped)', async () => {
    const ch = await openConfirmChannel(conn)
    const outcome = await new Promise((resolve) => {
      ch.publish('amq.direct', uniqueName('nowhere'), Buffer.from('x'), {}, (err) => resolve(err ? 'nack' : 'ack'))
    })
    expect(outcome).toBe('ack')
    await ch.close()
  })
})

describe('transactions', () => {
  it('commit delivers the publishes and applies the acks', async () => {
    const ch = await openChannel(conn)
    const observer = await openChannel(conn)
    const { queue } = await ch.assertQueue('', { exclusive: true })
    ch.sendToQueue(queue, Buffer.from('before'))
    await tx(ch, 'select')
    const before = await getOne(ch, queue)
    ch.ack(before)
    ch.sendToQueue(queue, Buffer.from('in tx 1'))
    ch.sendToQueue(queue, Buffer.from('in tx 2'))
    // Nothing is visible until commit: the publishes are held, and the ack is pending.
    await expect(observer.checkQueue(queue)).resolves.toMatchObject({ messageCount: 0 })
    await tx(ch, 'commit')
    await expect(observer.checkQueue(queue)).resolves.toMatchObject({ messageCount: 2 })
    // The committed ack is final: closing the channel requeues nothing more.
    expect(await drain(observer, queue)).toEqual(['in tx 1', 'in tx 2'])
    await ch.close()
    expect(await drain(observer, queue)).toEqual([])
    await observer.close()
  })

  it('rollback discards the publishes and the acks; rolled-back acks leave messages unacked', async () => {
    const ch = await openChannel(conn)
    const observer = await openChannel(conn)
    const name = uniqueName('tx-rollback')
    await observer.assertQueue(name)
    observer.sendToQueue(name, Buffer.from('held'))
    await waitForReady(observer, name, 1)
    await tx(ch, 'select')
    const held = await getOne(ch, name)
    ch.ack(held)
    ch.sendToQueue(name, Buffer.from('discarded'))
    await tx(ch, 'rollback')
    await tx(ch, 'commit') // an empty commit after rollback publishes nothing
    // The message is neither acked nor requeued: it is still with this channel, unacked.
    await expect(observer.checkQueue(name)).resolves.toMatchObject({ messageCount: 0 })
    await ch.close()
    const back = await getOne(observer, name, { noAck: true })
    expect(back.content.toString()).toBe('held')
    expect(back.fields.redelivered).toBe(true)
    expect(await drain(observer, name)).toEqual([])
    await observer.deleteQueue(name)
    await observer.close()
  })

  it('a rolled-back ack can be acked again and committed', async () => {
    const ch = await openChannel(conn)
    const { queue } = await ch.assertQueue('', { exclusive: true })
    ch.sendToQueue(queue, Buffer.from('one'))
    await tx(ch, 'select')
    const m = await getOne(ch, queue)
    ch.ack(m)
    await tx(ch, 'rollback')
    ch.ack(m)
    await tx(ch, 'commit')
    await ch.recover() // requeues whatever is still unacked: nothing
    expect(await drain(ch, queue)).toEqual([])
    await ch.close()
  })
})
