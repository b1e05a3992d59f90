// The physical limit: a minimal Node relay that speaks just enough AMQP (handshake, channel.open,
// queue.declare-ok, basic.qos-ok, basic.consume-ok) and forwards every basic.publish + header + body
// as basic.deliver + header + body to the latest consumer's socket. No routing, no queue, no acks.
// What a Node broker cannot beat on this machine. Run: node dist/bench/limit.js --port 0
import { createServer, type Socket } from 'node:net'
import { ByteWriter } from '../src/wire/byte-writer.js'
import { FrameReader } from '../src/wire/frame-reader.js'
import { FrameType, FRAME_END, MethodId, decodeMethod, writeMethod, type Method } from '../src/wire/codec.js'

const FRAME_MAX = 131072
const PROTOCOL_HEADER_BYTES = 8

interface ConsumerRef { conn: RelayConnection, channel: number, tag: Buffer, nextDeliveryTag: number }
let consumer: ConsumerRef | undefined
const publishers = new Set<RelayConnection>()

class RelayConnection {
  readonly out = new ByteWriter(256 * 1024)
  private readonly reader = new FrameReader((t, c, p) => this.onFrame(t, c, p), FRAME_MAX)
  private headerSeen = false
  private paused = false

  constructor(readonly socket: Socket) {
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', () => socket.destroy()) // a benchmark peer vanishing ends only its connection
    socket.on('close', () => {
      publishers.delete(this)
      if (consumer?.conn !== this) return
      consumer = undefined
      // Its 'drain' will never come: publishers paused for it must still read their close.
      for (const p of publishers) p.resume()
    })
    socket.on('drain', () => {
      if (consumer?.conn !== this) return
      for (const p of publishers) p.resume()
    })
  }

  private onData(chunk: Buffer): void {
    if (!this.headerSeen) {
      this.headerSeen = true
      this.reply(0, { id: MethodId.ConnectionStart, args: {
        versionMajor: 0, versionMinor: 9, serverProperties: { product: 'limit relay' },
        mechanisms: Buffer.from('PLAIN AMQPLAIN'), locales: Buffer.from('en_US'),
      } })
      this.flushOwn()
      chunk = chunk.subarray(PROTOCOL_HEADER_BYTES)
    }
    try {
      this.reader.push(chunk)
    } catch {
      this.socket.destroy()
      return
    }
    this.flushOwn()
    const c = consumer
    if (c && c.conn !== this && c.conn.out.pos > 0) {
      if (!c.conn.socket.write(c.conn.out.takeCopy())) for (const p of publishers) p.pause()
    }
  }

  pause(): void {
    if (!this.paused) { this.paused = true; this.socket.pause() }
  }

  resume(): void {
    if (this.paused) { this.paused = false; this.socket.resume() }
  }

  private flushOwn(): void {
    if (this.out.pos > 0) this.socket.write(this.out.takeCopy())
  }

  private reply(channel: number, m: Method): void {
    const w = this.out
    w.u8(FrameType.Method)
    w.u16(channel)
    const at = w.reserve(4)
    writeMethod(w, m)
    w.patchU32(at, w.pos - at - 4)
    w.u8(FRAME_END)
  }

  private onFrame(type: number, channel: number, payload: Buffer): void {
    if (type === FrameType.Method) {
      const id = payload.readUInt32BE(0)
      if (id === MethodId.BasicPublish) return this.relayPublish(payload)
      if (id === MethodId.BasicAck) return
      this.onControl(channel, decodeMethod(payload))
      return
    }
    if (type === FrameType.Header || type === FrameType.Body) {
      const c = consumer
      if (!c) return
      const w = c.conn.out
      w.ensure(payload.length + 8)
      w.u8(type)
      w.u16(c.channel)
      w.u32(payload.length)
      w.bytes(payload)
      w.u8(FRAME_END)
    }
  }

  /** basic.publish (ticket, exchange, routing key, bits) → basic.deliver to the consumer. */
  private relayPublish(payload: Buffer): void {
    const c = consumer
    if (!c) return
    publishers.add(this)
    const names = payload.subarray(6, payload.length - 1) // exchange and routing key, as short strings
    const w = c.conn.out
    const size = 4 + 1 + c.tag.length + 8 + 1 + names.length
    w.ensure(size + 8)
    w.u8(FrameType.Method)
    w.u16(c.channel)
    w.u32(size)
    w.u32(MethodId.BasicDeliver)
    w.u8(c.tag.length)
    w.bytes(c.tag)
    w.u64(c.nextDeliveryTag++)
    w.u8(0)
    w.bytes(names)
    w.u8(FRAME_END)
  }

  private onControl(channel: number, m: Method): void {
    switch (m.id) {
      case MethodId.ConnectionStartOk:
        return this.reply(0, { id: MethodId.ConnectionTune, args: { channelMax: 2047, frameMax: FRAME_MAX, heartbeat: 0 } })
      case MethodId.ConnectionTuneOk: return
      case MethodId.ConnectionOpen: return this.reply(0, { id: MethodId.ConnectionOpenOk, args: { knownHosts: '' } })
      case MethodId.ChannelOpen: return this.reply(channel, { id: MethodId.ChannelOpenOk, args: { channelId: Buffer.alloc(0) } })
      case MethodId.QueueDeclare:
        return this.reply(channel, { id: MethodId.QueueDeclareOk, args: { queue: m.args.queue || 'relay', messageCount: 0, consumerCount: 0 } })
      case MethodId.BasicQos: return this.reply(channel, { id: MethodId.BasicQosOk, args: {} })
      case MethodId.BasicConsume: {
        const tag = m.args.consumerTag || 'relay'
        consumer = { conn: this, channel, tag: Buffer.from(tag), nextDeliveryTag: 1 }
        return this.reply(channel, { id: MethodId.BasicConsumeOk, args: { consumerTag: tag } })
      }
      case MethodId.ConfirmSelect: return this.reply(channel, { id: MethodId.ConfirmSelectOk, args: {} })
      case MethodId.QueueDelete: return this.reply(channel, { id: MethodId.QueueDeleteOk, args: { messageCount: 0 } })
      case MethodId.ChannelClose: return this.reply(channel, { id: MethodId.ChannelCloseOk, args: {} })
      case MethodId.ConnectionClose:
        this.reply(0, { id: MethodId.ConnectionCloseOk, args: {} })
        this.flushOwn()
        this.socket.end()
        return
      default: return // anything else is outside what the relay pretends to do
    }
  }
}

const portArg = process.argv.indexOf('--port')
const port = portArg >= 0 ? Number(process.argv[portArg + 1]) : 0
const server = createServer((socket) => new RelayConnection(socket))
server.listen(port, '127.0.0.1', () => {
  const a = server.address()
  console.log(`limit relay listening on port ${typeof a === 'object' && a ? a.port : port}`)
})
process.on('SIGTERM', () => process.exit(0))
