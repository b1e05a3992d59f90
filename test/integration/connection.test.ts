// The wire: login, vhosts, channels, malformed input, heartbeats and frame-level faults, each with
// the reply code and text RabbitMQ 3.10 sends (recorded against it with test/support/raw-client).
import amqp from 'amqplib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MethodId, FrameType } from '../../src/wire/codec.js'
import {
  closeQuietly, connect, connectionClosed, openChannel, startTestBroker, uniqueName, withTimeout, type TestBroker,
} from '../support/broker.js'
import { RawClient, contentHeader, frame, methodFrame, PROTOCOL_HEADER } from '../support/raw-client.js'

let broker: TestBroker
beforeAll(async () => { broker = await startTestBroker() })
afterAll(async () => { await broker.close() })

/** A connection opened before a fault elsewhere, to prove the broker keeps serving it. */
async function stillServes(conn: Awaited<ReturnType<typeof connect>>): Promise<void> {
  const ch = await openChannel(conn)
  const q = await ch.assertQueue('', { exclusive: true })
  ch.sendToQueue(q.queue, Buffer.from('still here'))
  const m = await withTimeout((async () => { for (;;) { const got = await ch.get(q.queue, { noAck: true }); if (got) return got } })(), 2000, 'a message')
  expect(m.content.toString()).toBe('still here')
  await ch.close()
}

describe('login and channels', () => {
  it('logs in with PLAIN, opens and closes 100 channels, and closes cleanly', async () => {
    const conn = await connect(broker)
    const channels = await Promise.all(Array.from({ length: 100 }, () => conn.createChannel()))
    expect(new Set(channels.map((c) => (c as unknown as { ch: number }).ch)).size).toBe(100)
    await Promise.all(channels.map((c) => c.close()))
    const closed = connectionClosed(conn)
    await conn.close()
    await closed
    expect(conn.errors).toEqual([])
  })

  it('refuses a wrong password with 403 ACCESS_REFUSED', async () => {
    const url = new URL(broker.url)
    url.password = 'wrong'
    await expect(amqp.connect(url.toString())).rejects.toThrow(
      /403 \(ACCESS-REFUSED\) with message "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile."/,
    )
  })

  it('refuses an unknown vhost with 530 NOT_ALLOWED', async () => {
    // amqplib reports only that connection.close came instead of open-ok, so read the frame too.
    await expect(amqp.connect(`${broker.url}/no-such-vhost`)).rejects.toThrow(/Expected ConnectionOpenOk; got <ConnectionClose/)
    const raw = await RawClient.open(broker.port)
    await expect(raw.handshake({ vhost: 'no-such-vhost' })).rejects.toThrow(/got method 10.50/)
    expect(raw.frames.at(-1)?.method?.args).toEqual({ replyCode: 530, replyText: 'NOT_ALLOWED - vhost no-such-vhost not found', classId: 10, methodId: 40 })
    raw.destroy()
  })
})

describe('malformed input', () => {
  it('answers garbage with the AMQP 0-9-1 protocol header and closes the socket', async () => {
    const bystander = await connect(broker)
    const raw = await RawClient.open(broker.port)
    raw.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))
    await raw.waitClosed(3000)
    expect(raw.received).toEqual(PROTOCOL_HEADER)
    await stillServes(bystander)
    await closeQuietly(bystander)
  })

  it('answers a wrong protocol header with its own, then closes', async () => {
    const raw = await RawClient.open(broker.port)
    raw.write(Buffer.from('AMQP\x01\x01\x00\x0a', 'latin1'))
    await raw.waitClosed(3000)
    expect(raw.received.toString('latin1')).toBe('AMQP\x00\x00\x09\x01')
  })

  // Each case: what the client sends after a good handshake, and RabbitMQ's connection.close.
  const frameFaults: { name: string; send: (c: RawClient) => Promise<void> | void; code: number; text: string; classId: number; methodId: number }[] = [
    {
      name: 'a truncated method frame (arguments cut short)',
      send: async (c) => {
        await c.openChannel(1)
        c.write(frame(FrameType.Method, 1, Buffer.from([0, 50, 0, 10, 0]))) // queue.declare, 1 of its bytes
      },
      code: 501, text: 'FRAME_ERROR - cannot decode <<0>>', classId: 50, methodId: 10,
    },
    {
      name: 'a method frame too short to hold its ids',
      send: (c) => c.write(frame(FrameType.Method, 0, Buffer.from([0, 20]))),
      code: 501, text: 'FRAME_ERROR - type 1, all octets = <<0,20>>: unknown_frame', classId: 0, methodId: 0,
    },
    {
      name: 'an oversize frame (size above the negotiated frame-max)',
      send: (c) => {
        const header = Buffer.alloc(7)
        header[0] = FrameType.Method
        header.writeUInt32BE(200_000, 3)
        c.write(Buffer.concat([header, Buffer.alloc(1000)]))
      },
      code: 501, text: 'FRAME_ERROR - type 1, all octets = <<>>: {frame_too_large,200000,131064}', classId: 0, methodId: 0,
    },
    {
      name: 'a bad frame-end octet',
      send: (c) => c.write(frame(FrameType.Method, 1, Buffer.from([0, 20, 0, 10, 0]), 0xab)),
      code: 501, text: 'FRAME_ERROR - type 1, all octets = <<0,20,0,10,0>>: {invalid_frame_end_marker,171}', classId: 0, methodId: 0,
    },
    {
      name: 'a bad frame-end octet after a long printable payload',
      send: (c) => c.write(frame(FrameType.Method, 1, Buffer.from('hello world, this is long!'), 0)),
      code: 501, text: 'FRAME_ERROR - type 1, first 16 octets = <<"hello world, thi">>: {invalid_frame_end_marker,0}', classId: 0, methodId: 0,
    },
    {
      name: 'an unknown frame type',
      send: (c) => c.write(frame(9, 1, Buffer.from([1]))),
      code: 501, text: 'FRAME_ERROR - type 9, all octets = <<1>>: unknown_frame', classId: 0, methodId: 0,
    },
    {
      name: 'a method on a channel that was never opened',
      send: (c) => c.send(5, { id: MethodId.QueueDeclare, args: { ticket: 0, queue: 'x', passive: false, durable: false, exclusive: false, autoDelete: false, nowait: false, arguments: {} } }),
      code: 504, text: "CHANNEL_ERROR - expected 'channel.open'", classId: 50, methodId: 10,
    },
    {
      name: 'a content header on a channel that was never opened',
      send: (c) => c.write(frame(FrameType.Header, 3, contentHeader(3))),
      code: 505, text: 'UNEXPECTED_FRAME - expected method frame, got non method frame instead', classId: 0, methodId: 0,
    },
    {
      name: 'a content header without basic.publish',
      send: async (c) => {
        await c.openChannel(1)
        c.write(frame(FrameType.Header, 1, contentHeader(3)))
      },
      code: 505, text: 'UNEXPECTED_FRAME - expected method frame, got non method frame instead', classId: 0, methodId: 0,
    },
    {
      name: 'a content body where the header belongs',
      send: async (c) => {
        await c.openChannel(1)
        c.send(1, { id: MethodId.BasicPublish, args: { ticket: 0, exchange: '', routingKey: 'nowhere', mandatory: false, immediate: false } })
        c.write(frame(FrameType.Body, 1, Buffer.from('abc')))
      },
      code: 505, text: 'UNEXPECTED_FRAME - expected content header for class 60, got non content header frame instead', classId: 60, methodId: 40,
    },
    {
      name: 'a method where the content body belongs',
      send: async (c) => {
        await c.openChannel(1)
        c.send(1, { id: MethodId.BasicPublish, args: { ticket: 0, exchange: '', routingKey: 'nowhere', mandatory: false, immediate: false } })
        c.write(frame(FrameType.Header, 1, contentHeader(3)))
        c.send(1, { id: MethodId.ChannelFlow, args: { active: true } })
      },
      code: 505, text: 'UNEXPECTED_FRAME - expected content body, got non content body frame instead', classId: 60, methodId: 40,
    },
    {
      name: 'a content header on channel 0',
      send: (c) => c.write(frame(FrameType.Header, 0, contentHeader(3))),
      code: 505, text: 'UNEXPECTED_FRAME - type 2, all octets = <<0,60,0,0,0,0,0,0,0,0,0,3,0,0>>', classId: 0, methodId: 0,
    },
    {
      name: 'a heartbeat on a non-zero channel',
      send: async (c) => {
        await c.openChannel(1)
        c.write(frame(FrameType.Heartbeat, 1, Buffer.alloc(0)))
      },
      code: 505, text: 'UNEXPECTED_FRAME - type 8, all octets = <<>>', classId: 0, methodId: 0,
    },
    {
      name: 'a second channel.open on an open channel',
      send: async (c) => {
        await c.openChannel(1)
        c.send(1, { id: MethodId.ChannelOpen, args: { outOfBand: '' } })
      },
      code: 504, text: "CHANNEL_ERROR - second 'channel.open' seen", classId: 20, methodId: 10,
    },
  ]

  for (const fault of frameFaults) {
    it(`closes the connection with ${fault.code} on ${fault.name}, and keeps serving others`, async () => {
      const bystander = await connect(broker)
      const raw = await RawClient.open(broker.port)
      await raw.handshake()
      await fault.send(raw)
      const close = await raw.expectConnectionClose()
      expect(close).toEqual({ replyCode: fault.code, replyText: fault.text, classId: fault.classId, methodId: fault.methodId })
      raw.write(methodFrame(0, { id: MethodId.ConnectionCloseOk, args: {} }))
      await raw.waitClosed(3000)
      await stillServes(bystander)
      await closeQuietly(bystander)
    })
  }

  it('drops the socket without a close frame on an unknown class or method id, as RabbitMQ 3.10 does', async () => {
    const bystander = await connect(broker)
    for (const ids of [[99, 10], [60, 99]]) {
      const raw = await RawClient.open(broker.port)
      await raw.handshake()
      await raw.openChannel(1)
      const before = raw.frames.length
      raw.write(frame(FrameType.Method, 1, Buffer.from([0, ids[0], 0, ids[1]])))
      await raw.waitClosed(3000)
      expect(raw.frames.length).toBe(before) // RabbitMQ's reader crashes: nothing is sent
    }
    await stillServes(bystander)
    await closeQuietly(bystander)
  })

  it('closes a socket that ends in the middle of a frame, and keeps serving others', async () => {
    const bystander = await connect(broker)
    const raw = await RawClient.open(broker.port)
    await raw.handshake()
    const open = methodFrame(1, { id: MethodId.ChannelOpen, args: { outOfBand: '' } })
    raw.write(open.subarray(0, 9))
    raw.socket.end()
    await raw.waitClosed(3000)
    expect(raw.frames.every((f) => f.channel === 0)).toBe(true)
    await stillServes(bystander)
    await closeQuietly(bystander)
  })

  it('closes with 540 NOT_IMPLEMENTED when a publish asks for immediate delivery', async () => {
    const raw = await RawClient.open(broker.port)
    await raw.handshake()
    await raw.openChannel(1)
    raw.send(1, { id: MethodId.BasicPublish, args: { ticket: 0, exchange: '', routingKey: uniqueName('nowhere'), mandatory: false, immediate: true } })
    raw.write(frame(FrameType.Header, 1, contentHeader(0)))
    expect(await raw.expectConnectionClose()).toEqual({ replyCode: 540, replyText: 'NOT_IMPLEMENTED - immediate=true', classId: 60, methodId: 40 })
    raw.destroy()
  })
})

describe('heartbeats', () => {
  it('disconnects a client that negotiated 1 s heartbeats and went silent, within 3 s', async () => {
    const raw = await RawClient.open(broker.port)
    await raw.handshake({ heartbeatSeconds: 1 })
    const silentSinceMs = Date.now()
    await raw.waitClosed(4000)
    const elapsedMs = raw.closedAtMs - silentSinceMs
    expect(elapsedMs).toBeLessThanOrEqual(3000)
    expect(elapsedMs).toBeGreaterThanOrEqual(1000)
    // The broker sent heartbeats while it waited.
    expect(raw.frames.some((f) => f.type === FrameType.Heartbeat)).toBe(true)
  })

  it('keeps a client that sends heartbeats (amqplib heartbeat=1) connected for 4 s', async () => {
    const conn = await amqp.connect(`${broker.url}?heartbeat=1`)
    let closedAtMs = 0
    conn.on('close', () => { closedAtMs = Date.now() })
    conn.on('error', () => { /* recorded through 'close' */ })
    const ch = await conn.createChannel()
    // Wait 4 s for a 'close' that must not come: a timeout is the passing outcome here.
    const closed = await withTimeout(new Promise((resolve) => conn.once('close', resolve)), 4000, 'close').then(() => true, () => false)
    expect(closed).toBe(false)
    expect(closedAtMs).toBe(0)
    const q = await ch.checkQueue((await ch.assertQueue('', { exclusive: true })).queue)
    expect(q.messageCount).toBe(0)
    await conn.close()
  }, 10_000)
})
