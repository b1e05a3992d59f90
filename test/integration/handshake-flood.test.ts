// A connection flood: 1,000 sockets that never finish the AMQP handshake (silence, or half a
// protocol header) are closed by the broker once the handshake timeout passes, while a
// well-behaved amqplib client connects and works meanwhile (issue 8, acceptance 4).
import { connect as netConnect, type Socket } from 'node:net'
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { start, type WarrenBroker } from '../../src/index.js'
import { makeConfig } from '../../src/config.js'
import { createLogger } from '../../src/log.js'
import { connect, openChannel, closeQuietly, withTimeout } from '../support/broker.js'

const FLOOD = 1000
const HANDSHAKE_TIMEOUT_MS = 1500

let broker: WarrenBroker

beforeAll(async () => {
  // startBroker() does not take handshakeTimeoutMs, so the test builds the Config itself.
  const config = makeConfig({ host: '127.0.0.1', port: 0, inMemory: true, logLevel: 'silent', handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS })
  broker = await start(config, createLogger('silent'))
})

afterAll(async () => {
  await broker?.close()
})

interface Idle { socket: Socket; openedAtMs: number; closed: Promise<number> }

function openIdle(port: number, partialHeader: boolean): Promise<Idle> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, '127.0.0.1')
    const closed = new Promise<number>((r) => socket.once('close', () => r(Date.now())))
    socket.on('error', () => {
      // a reset is one way the broker may end it; 'close' follows and is what the test awaits
    })
    socket.once('connect', () => {
      if (partialHeader) socket.write(Buffer.from('AMQP\x00', 'latin1')) // three bytes short
      resolve({ socket, openedAtMs: Date.now(), closed })
    })
    socket.once('close', () => reject(new Error('closed before connecting')))
  })
}

describe('handshake flood', () => {
  it(`closes ${FLOOD} connections that never finish the handshake, while a good client works`, async () => {
    const idle: Idle[] = []
    for (let base = 0; base < FLOOD; base += 100) {
      idle.push(...(await Promise.all(Array.from({ length: 100 }, (_, i) => openIdle(broker.port, (base + i) % 2 === 1)))))
    }
    expect(idle).toHaveLength(FLOOD)

    // Meanwhile, a well-behaved client connects, publishes, and gets its message back.
    const good = await withTimeout(connect(broker), 5000, 'the good client to connect during the flood')
    const ch = await openChannel(good)
    const { queue } = await ch.assertQueue('', { exclusive: true })
    ch.sendToQueue(queue, Buffer.from('during the flood'))
    const got = await withTimeout(ch.get(queue, { noAck: true }), 5000, 'basic.get during the flood')
    expect(got && got.content.toString()).toBe('during the flood')

    // Every flood socket is closed by the broker: not before the timeout, and within a bound after it.
    const closedAt = await withTimeout(Promise.all(idle.map((c) => c.closed)), HANDSHAKE_TIMEOUT_MS + 10_000, `all ${FLOOD} idle connections to close`)
    const early = closedAt.filter((t, i) => t - idle[i].openedAtMs < HANDSHAKE_TIMEOUT_MS - 50)
    expect(early).toHaveLength(0)

    // The good client outlived the flood's handshake timeout and still works.
    ch.sendToQueue(queue, Buffer.from('after the flood'))
    const after = await withTimeout(ch.get(queue, { noAck: true }), 5000, 'basic.get after the flood')
    expect(after && after.content.toString()).toBe('after the flood')
    expect(good.errors).toEqual([])
    expect(ch.errors).toEqual([])
    await closeQuietly(good)
  }, 30_000)
})
