// FrameWriter reuses its output block from turn to turn. Over a real TCP socket: a reader that
// keeps up leaves the writer on one block; a reader that stalls makes writes wait, and every byte
// still arrives in order (no block is reused while a pending write reads it).
import { afterEach, describe, expect, it } from 'vitest'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { FrameWriter } from '../../../src/wire/frame-writer.js'
import { SeededRandom } from '../seeded-random.js'

const servers: Server[] = []
const sockets: Socket[] = []
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy()
  for (const s of servers.splice(0)) s.close()
})

/** A connected pair: the broker side (for the writer) and the client side. */
async function socketPair(): Promise<{ brokerSide: Socket; clientSide: Socket }> {
  const server = createServer()
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const accepted = new Promise<Socket>((r) => server.once('connection', r))
  const clientSide = connect((server.address() as { port: number }).port, '127.0.0.1')
  const brokerSide = await accepted
  sockets.push(clientSide, brokerSide)
  return { brokerSide, clientSide }
}

const turn = () => new Promise((r) => setImmediate(r))
const outBlock = (w: FrameWriter) => (w as unknown as { out: { buf: Buffer } }).out.buf

describe('FrameWriter output block', () => {
  it('stays the same block while the reader keeps up', async () => {
    const { brokerSide, clientSide } = await socketPair()
    let received = 0
    clientSide.on('data', (d: Buffer) => { received += d.length })
    const writer = new FrameWriter(brokerSide, 131072, 1 << 20, () => undefined)
    const block = outBlock(writer)
    for (let i = 0; i < 200; i++) {
      writer.raw(Buffer.alloc(300, i))
      await turn()
    }
    expect(outBlock(writer)).toBe(block)
    await expect.poll(() => received).toBe(200 * 300)
  })

  it('delivers every byte in order when the reader stalls and resumes', async () => {
    const { brokerSide, clientSide } = await socketPair()
    clientSide.pause()
    const chunks: Buffer[] = []
    clientSide.on('data', (d: Buffer) => chunks.push(d))
    const writer = new FrameWriter(brokerSide, 131072, 1 << 20, () => undefined)
    const rng = new SeededRandom(7)
    const sent: Buffer[] = []
    const blocks = new Set<Buffer>([outBlock(writer)])
    for (let t = 0; t < 300; t++) {
      // A few writes per turn, 1 byte to 100 KiB (past the block's 64 KiB, so it grows too).
      for (let k = rng.int(1, 4); k > 0; k--) {
        const bytes = rng.bytes(rng.int(0, 9) === 0 ? rng.int(1, 100_000) : rng.int(1, 2000))
        sent.push(bytes)
        writer.raw(bytes)
      }
      await turn()
      blocks.add(outBlock(writer))
    }
    expect(brokerSide.writableLength).toBeGreaterThan(0) // the stall made writes wait
    expect(blocks.size).toBeGreaterThan(1) // ... and the writer moved off a block a write still held
    const expected = Buffer.concat(sent)
    clientSide.resume()
    await expect.poll(() => chunks.reduce((n, c) => n + c.length, 0), { timeout: 10_000 }).toBe(expected.length)
    expect(Buffer.concat(chunks).equals(expected)).toBe(true)
  })
})
