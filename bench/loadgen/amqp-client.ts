// A lean raw-TCP AMQP 0-9-1 client for benchmarks, on our own codec (FrameReader, decodeMethod,
// writeMethod). Control methods are awaited one at a time; deliveries and confirms skip decoding
// and go straight to callbacks with the delivery tag. Not a general client: no heartbeats, no recovery.
import { connect, type Socket } from 'node:net'
import { FrameReader } from '../../src/wire/frame-reader.js'
import { FrameType, MethodId, decodeMethod, methodName, type Method } from '../../src/wire/codec.js'
import { methodFrame } from './frames.js'

const PROTOCOL_HEADER = Buffer.from([65, 77, 81, 80, 0, 0, 9, 1])
const FRAME_MAX = 131072

interface Waiter {
  channel: number
  id: number
  resolve: (m: Method) => void
  reject: (e: Error) => void
}

/** Reads the u64 delivery tag of a basic.deliver payload (after the consumer tag). */
export function deliverTag(payload: Buffer): number {
  const at = 5 + payload[4]
  return payload.readUInt32BE(at) * 0x1_0000_0000 + payload.readUInt32BE(at + 4)
}

export class RawClient {
  readonly socket: Socket
  private readonly reader: FrameReader
  private waiters: Waiter[] = []
  private failure: Error | undefined
  private connected: Promise<void>
  /** Per channel: body bytes still to come for the delivery in progress, and its tag. */
  private bodyLeft: number[] = []
  private tagOf: number[] = []
  private bodyParts: Buffer[][] = []
  /** A whole delivery arrived; body is given only when `wantBodies` is set. */
  onMessage: ((channel: number, deliveryTag: number, body: Buffer | undefined) => void) | undefined
  /** basic.ack / basic.nack from the broker in confirm mode. */
  onConfirm: ((channel: number, deliveryTag: number, multiple: boolean, nack: boolean) => void) | undefined
  wantBodies = false

  private constructor(port: number, host: string) {
    this.socket = connect({ port, host, noDelay: true })
    this.reader = new FrameReader((t, c, p) => this.onFrame(t, c, p), FRAME_MAX)
    this.connected = new Promise((resolve, reject) => {
      this.socket.once('connect', resolve)
      this.socket.once('error', reject)
    })
    this.socket.on('data', (chunk: Buffer) => {
      try {
        this.reader.push(chunk)
      } catch (err) {
        this.fail(err as Error)
      }
    })
    this.socket.on('error', (err) => this.fail(err))
    this.socket.on('close', () => this.fail(new Error('connection closed by peer')))
  }

  /** Connects and completes the handshake (PLAIN guest/guest, vhost /, heartbeats off). */
  static async open(port: number, host = '127.0.0.1'): Promise<RawClient> {
    const c = new RawClient(port, host)
    await c.connected
    c.socket.write(PROTOCOL_HEADER)
    await c.expect(0, MethodId.ConnectionStart)
    c.send(0, { id: MethodId.ConnectionStartOk, args: {
      clientProperties: { product: 'warren-bench' }, mechanism: 'PLAIN',
      response: Buffer.from('\0guest\0guest'), locale: 'en_US',
    } })
    const tune = await c.expect(0, MethodId.ConnectionTune)
    const t = tune.args as { channelMax: number, frameMax: number }
    c.send(0, { id: MethodId.ConnectionTuneOk, args: {
      channelMax: t.channelMax || 2047, frameMax: Math.min(t.frameMax || FRAME_MAX, FRAME_MAX), heartbeat: 0,
    } })
    await c.call(0, { id: MethodId.ConnectionOpen, args: { virtualHost: '/', capabilities: '', insist: false } }, MethodId.ConnectionOpenOk)
    return c
  }

  get error(): Error | undefined {
    return this.failure
  }

  send(channel: number, m: Method): boolean {
    return this.socket.write(methodFrame(channel, m))
  }

  /** Sends a method and waits for the reply `replyId` on the same channel. */
  call(channel: number, m: Method, replyId: number): Promise<Method> {
    const p = this.expect(channel, replyId)
    this.send(channel, m)
    return p
  }

  expect(channel: number, id: number): Promise<Method> {
    if (this.failure) return Promise.reject(this.failure)
    return new Promise((resolve, reject) => this.waiters.push({ channel, id, resolve, reject }))
  }

  /** Resolves once the socket can take more (immediately when it already can). */
  drained(): Promise<void> {
    if (!this.socket.writableNeedDrain) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const onClose = () => reject(this.failure ?? new Error('closed'))
      this.socket.once('drain', () => { this.socket.off('close', onClose); resolve() })
      this.socket.once('close', onClose)
    })
  }

  async openChannel(channel: number): Promise<void> {
    await this.call(channel, { id: MethodId.ChannelOpen, args: { outOfBand: '' } }, MethodId.ChannelOpenOk)
  }

  async declareQueue(channel: number, queue: string, opts: { durable?: boolean, exclusive?: boolean, passive?: boolean } = {}): Promise<{ queue: string, messageCount: number }> {
    const ok = await this.call(channel, { id: MethodId.QueueDeclare, args: {
      ticket: 0, queue, passive: opts.passive ?? false, durable: opts.durable ?? false, exclusive: opts.exclusive ?? false,
      autoDelete: false, nowait: false, arguments: {},
    } }, MethodId.QueueDeclareOk)
    return ok.args as { queue: string, messageCount: number }
  }

  async deleteQueue(channel: number, queue: string): Promise<void> {
    await this.call(channel, { id: MethodId.QueueDelete, args: { ticket: 0, queue, ifUnused: false, ifEmpty: false, nowait: false } }, MethodId.QueueDeleteOk)
  }

  async declareExchange(channel: number, exchange: string, type: string, durable = false): Promise<void> {
    await this.call(channel, { id: MethodId.ExchangeDeclare, args: {
      ticket: 0, exchange, type, passive: false, durable, autoDelete: false, internal: false, nowait: false, arguments: {},
    } }, MethodId.ExchangeDeclareOk)
  }

  async deleteExchange(channel: number, exchange: string): Promise<void> {
    await this.call(channel, { id: MethodId.ExchangeDelete, args: { ticket: 0, exchange, ifUnused: false, nowait: false } }, MethodId.ExchangeDeleteOk)
  }

  async bindQueue(channel: number, queue: string, exchange: string, routingKey: string): Promise<void> {
    await this.call(channel, { id: MethodId.QueueBind, args: { ticket: 0, queue, exchange, routingKey, nowait: false, arguments: {} } }, MethodId.QueueBindOk)
  }

  async qos(channel: number, prefetchCount: number): Promise<void> {
    await this.call(channel, { id: MethodId.BasicQos, args: { prefetchSize: 0, prefetchCount, global: false } }, MethodId.BasicQosOk)
  }

  async consume(channel: number, queue: string, consumerTag: string, noAck = false): Promise<void> {
    await this.call(channel, { id: MethodId.BasicConsume, args: {
      ticket: 0, queue, consumerTag, noLocal: false, noAck, exclusive: false, nowait: false, arguments: {},
    } }, MethodId.BasicConsumeOk)
  }

  async confirmSelect(channel: number): Promise<void> {
    await this.call(channel, { id: MethodId.ConfirmSelect, args: { nowait: false } }, MethodId.ConfirmSelectOk)
  }

  /** connection.close and wait for close-ok (bounded), then end the socket. */
  async close(timeoutMs = 5000): Promise<void> {
    if (this.failure) { this.socket.destroy(); return }
    const timer = setTimeout(() => this.socket.destroy(), timeoutMs)
    try {
      await this.call(0, { id: MethodId.ConnectionClose, args: { replyCode: 200, replyText: 'bye', classId: 0, methodId: 0 } }, MethodId.ConnectionCloseOk)
    } catch {
      // The peer may drop the socket right after close-ok; either way we are done.
    } finally {
      clearTimeout(timer)
      this.failure ??= new Error('closed')
      this.socket.destroy()
    }
  }

  private onFrame(type: number, channel: number, payload: Buffer): void {
    if (type === FrameType.Method) {
      const id = payload.readUInt32BE(0)
      if (id === MethodId.BasicDeliver) {
        this.tagOf[channel] = deliverTag(payload)
        return
      }
      if (id === MethodId.BasicAck || id === MethodId.BasicNack) {
        const tag = payload.readUInt32BE(4) * 0x1_0000_0000 + payload.readUInt32BE(8)
        this.onConfirm?.(channel, tag, (payload[12] & 1) !== 0, id === MethodId.BasicNack)
        return
      }
      const m = decodeMethod(payload)
      if (m.id === MethodId.ConnectionClose || m.id === MethodId.ChannelClose) {
        const a = m.args as { replyCode: number, replyText: string }
        if (m.id === MethodId.ConnectionClose) this.socket.write(methodFrame(0, { id: MethodId.ConnectionCloseOk, args: {} }))
        this.fail(new Error(`${methodName(m.id)} ${a.replyCode} ${a.replyText} (channel ${channel})`))
        return
      }
      const i = this.waiters.findIndex((w) => w.channel === channel && w.id === m.id)
      if (i >= 0) this.waiters.splice(i, 1)[0].resolve(m)
      return
    }
    if (type === FrameType.Header) {
      const size = payload.readUInt32BE(4) * 0x1_0000_0000 + payload.readUInt32BE(8)
      this.bodyLeft[channel] = size
      if (this.wantBodies) this.bodyParts[channel] = []
      if (size === 0) this.onMessage?.(channel, this.tagOf[channel], Buffer.alloc(0))
      return
    }
    if (type === FrameType.Body) {
      const left = (this.bodyLeft[channel] -= payload.length)
      if (this.wantBodies) this.bodyParts[channel].push(payload)
      if (left <= 0) {
        const body = this.wantBodies ? Buffer.concat(this.bodyParts[channel]) : undefined
        this.onMessage?.(channel, this.tagOf[channel], body)
      }
    }
  }

  private fail(err: Error): void {
    if (this.failure) return
    this.failure = err
    for (const w of this.waiters) w.reject(err)
    this.waiters = []
    this.socket.destroy()
  }
}
