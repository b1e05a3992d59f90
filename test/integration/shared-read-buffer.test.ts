// Every plain TCP connection reads into one shared buffer (src/server/shared-read-buffer.ts), so
// whatever outlives a read must have been copied out of it. Several connections publish bodies
// split over many frames and many reads at once; every byte must arrive as it was sent.
import { createHash, randomBytes } from 'node:crypto'
import { createConnection, createServer, type Socket } from 'node:net'
import amqp from 'amqplib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withSharedReadBuffer } from '../../src/server/shared-read-buffer.js'
import { closeQuietly, connect, openChannel, startTestBroker, type TestBroker } from '../support/broker.js'

const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex')

describe('connections sharing one read buffer', () => {
  let broker: TestBroker
  beforeAll(async () => { broker = await startTestBroker() })
  afterAll(async () => { await broker.close() })

  it('moves an accepted socket onto the shared buffer (not silently the fallback)', async () => {
    const server = createServer({ pauseOnConnect: true })
    const moved = new Promise<{ accepted: Socket; socket: Socket }>((resolve) => server.once('connection', (accepted) => resolve({ accepted, socket: withSharedReadBuffer(accepted) })))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    const client = createConnection(port, '127.0.0.1')
    const { accepted, socket } = await moved
    expect(socket).not.toBe(accepted)
    const got = new Promise<string>((resolve) => socket.once('data', (chunk: Buffer) => resolve(chunk.toString())))
    client.write('ping')
    expect(await got).toBe('ping')
    client.destroy()
    socket.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  it('keeps multi-frame bodies from several publishers intact', async () => {
    const publishers = 4, perPublisher = 6
    const consumer = await connect(broker)
    const ch = await openChannel(consumer)
    await ch.assertQueue('shared-read', { durable: false })
    const sent = new Map<string, string>()
    const received = new Map<string, string>()
    const all = new Promise<void>((resolve) => {
      void ch.consume('shared-read', (m) => {
        if (!m) return
        received.set(String(m.properties.messageId), digest(m.content))
        if (received.size === publishers * perPublisher) resolve()
      }, { noAck: true })
    })
    // frameMax 4096: a 100-300 KiB body is dozens of frames, read over many socket reads that
    // interleave with the other publishers' reads.
    const conns = await Promise.all(Array.from({ length: publishers }, () => amqp.connect(`${broker.url}?frameMax=4096`)))
    await Promise.all(conns.map(async (conn, p) => {
      const pub = await conn.createConfirmChannel()
      for (let i = 0; i < perPublisher; i++) {
        const body = randomBytes(100_000 + ((p * 7919 + i * 104_729) % 200_000))
        const id = `${p}-${i}`
        sent.set(id, digest(body))
        pub.sendToQueue('shared-read', body, { messageId: id })
      }
      await pub.waitForConfirms()
    }))
    await all
    expect(received).toEqual(sent)
    for (const conn of conns) await conn.close()
    await closeQuietly(consumer)
  })
})
