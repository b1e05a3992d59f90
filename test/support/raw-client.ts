// A frame-level AMQP client over a raw `net` socket, built on Warren's own codec, for tests that
// must send what amqplib never would (garbage, bad frames, silence). Records every frame received.
import { connect as netConnect, type Socket } from 'node:net'
import { ByteWriter } from '../../src/wire/byte-writer.js'
import { FrameReader } from '../../src/wire/frame-reader.js'
import { FrameType, MethodId, decodeMethod, writeMethod, type Method } from '../../src/wire/codec.js'

export const PROTOCOL_HEADER = Buffer.from('AMQP\x00\x00\x09\x01', 'latin1')

export interface RawFrame {
  type: number
  channel: number
  payload: Buffer
  /** Decoded when type is a method frame. */
  method?: Method
}

export interface TuneOptions {
  heartbeatSeconds?: number
  frameMaxBytes?: number
  channelMax?: number
  vhost?: string
  username?: string
  password?: string
}

export class RawClient {
  readonly frames: RawFrame[] = []
  /** Every byte received, for tests that look at what came back before any frame. */
  received = Buffer.alloc(0)
  isClosed = false
  closedAtMs = 0
  private readonly reader: FrameReader
  private readonly waiters = new Set<() => void>()
  private framing = false
  /** When set, frames go here (payload only valid during the call) instead of being recorded. */
  private sink: ((type: number, channel: number, payload: Buffer) => void) | undefined
  private frameCursor = 0

  private constructor(readonly socket: Socket) {
    this.reader = new FrameReader((type, channel, payload) => {
      if (this.sink) return this.sink(type, channel, payload)
      const frame: RawFrame = { type, channel, payload: Buffer.from(payload) }
      if (type === FrameType.Method) frame.method = decodeMethod(frame.payload)
      this.frames.push(frame)
    }, 0)
    socket.on('data', (chunk: Buffer) => {
      if (!this.sink) this.received = Buffer.concat([this.received, chunk])
      if (this.framing) this.reader.push(chunk)
      this.wake()
    })
    socket.on('error', () => {
      // a reset is one of the endings these tests provoke; 'close' follows and is what they await
    })
    socket.on('close', () => {
      this.isClosed = true
      this.closedAtMs = Date.now()
      this.wake()
    })
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ port, host }, () => {
        socket.off('error', reject)
        resolve(new RawClient(socket))
      })
      socket.once('error', reject)
    })
  }

  /** Sends the protocol header and completes start/tune/open; frames are parsed from here on. */
  async handshake(options: TuneOptions = {}): Promise<{ frameMaxBytes: number }> {
    this.framing = true
    this.write(PROTOCOL_HEADER)
    await this.expectMethod(0, MethodId.ConnectionStart)
    const user = options.username ?? 'guest', pass = options.password ?? 'guest'
    this.send(0, {
      id: MethodId.ConnectionStartOk,
      args: {
        clientProperties: { product: 'warren raw test client', capabilities: { authentication_failure_close: true } },
        mechanism: 'PLAIN', response: Buffer.from(`\0${user}\0${pass}`), locale: 'en_US',
      },
    })
    const tune = await this.expectMethod(0, MethodId.ConnectionTune)
    const t = tune.args as { channelMax: number; frameMax: number }
    const frameMaxBytes = options.frameMaxBytes ?? t.frameMax
    this.send(0, {
      id: MethodId.ConnectionTuneOk,
      args: { channelMax: options.channelMax ?? t.channelMax, frameMax: frameMaxBytes, heartbeat: options.heartbeatSeconds ?? 0 },
    })
    this.send(0, { id: MethodId.ConnectionOpen, args: { virtualHost: options.vhost ?? '/', capabilities: '', insist: false } })
    await this.expectMethod(0, MethodId.ConnectionOpenOk)
    return { frameMaxBytes }
  }

  async openChannel(channel: number): Promise<void> {
    this.send(channel, { id: MethodId.ChannelOpen, args: { outOfBand: '' } })
    await this.expectMethod(channel, MethodId.ChannelOpenOk)
  }

  /** From now on hands each frame to `sink` and keeps nothing: for streams too large to record. */
  stream(sink: (type: number, channel: number, payload: Buffer) => void): void {
    this.sink = sink
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes)
  }

  /** Starts parsing frames without a handshake (after a hand-written protocol header). */
  startFraming(): void {
    this.framing = true
  }

  send(channel: number, m: Method): void {
    this.write(methodFrame(channel, m))
  }

  /** Resolves with the next method frame after those already consumed, failing on anything else. */
  async expectMethod(channel: number, id: number, timeoutMs = 3000): Promise<Method> {
    const frame = await this.nextFrame(timeoutMs)
    if (frame.type !== FrameType.Method || frame.channel !== channel || frame.method?.id !== id) {
      throw new Error(`expected method ${id} on channel ${channel}, got ${describe(frame)}`)
    }
    return frame.method
  }

  /** The next frame not yet consumed by expectMethod/nextFrame. */
  async nextFrame(timeoutMs = 3000): Promise<RawFrame> {
    await this.until(() => this.frames.length > this.frameCursor, timeoutMs, 'a frame')
    return this.frames[this.frameCursor++]
  }

  /** Waits for the connection.close the server sends, skipping other frames. */
  async expectConnectionClose(timeoutMs = 3000): Promise<{ replyCode: number; replyText: string; classId: number; methodId: number }> {
    for (;;) {
      const frame = await this.nextFrame(timeoutMs)
      if (frame.method?.id === MethodId.ConnectionClose) return frame.method.args as never
    }
  }

  /** Waits for the channel.close the server sends on a channel, skipping other frames. */
  async expectChannelClose(channel: number, timeoutMs = 3000): Promise<{ replyCode: number; replyText: string; classId: number; methodId: number }> {
    for (;;) {
      const frame = await this.nextFrame(timeoutMs)
      if (frame.channel === channel && frame.method?.id === MethodId.ChannelClose) return frame.method.args as never
    }
  }

  /** Resolves when the server closes the socket; rejects after timeoutMs. */
  waitClosed(timeoutMs = 5000): Promise<void> {
    return this.until(() => this.isClosed, timeoutMs, 'the socket to close')
  }

  destroy(): void {
    this.socket.destroy()
  }

  private until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (check()) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const waiter = () => {
        if (!check()) return
        clearTimeout(timer)
        this.waiters.delete(waiter)
        resolve()
      }
      const timer = setTimeout(() => {
        this.waiters.delete(waiter)
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`))
      }, timeoutMs)
      this.waiters.add(waiter)
    })
  }

  private wake(): void {
    for (const w of [...this.waiters]) w()
  }
}

/** Encodes one method frame: type 1, channel, size, payload, 0xCE. */
export function methodFrame(channel: number, m: Method): Buffer {
  const payload = new ByteWriter(256)
  writeMethod(payload, m)
  return frame(FrameType.Method, channel, payload.takeCopy())
}

/** Encodes one frame of any type around a payload. */
export function frame(type: number, channel: number, payload: Buffer, frameEnd = 0xce): Buffer {
  const out = Buffer.alloc(8 + payload.length)
  out[0] = type
  out.writeUInt16BE(channel, 1)
  out.writeUInt32BE(payload.length, 3)
  payload.copy(out, 7)
  out[7 + payload.length] = frameEnd
  return out
}

/** A basic content header payload: class 60, weight 0, body size, no properties. */
export function contentHeader(bodySize: number): Buffer {
  const out = Buffer.alloc(14)
  out.writeUInt16BE(60, 0)
  out.writeUInt16BE(0, 2)
  out.writeUInt32BE(Math.floor(bodySize / 0x1_0000_0000), 4)
  out.writeUInt32BE(bodySize % 0x1_0000_0000, 8)
  out.writeUInt16BE(0, 12)
  return out
}

function describe(frame: RawFrame): string {
  if (frame.method) return `method ${frame.method.id >>> 16}.${frame.method.id & 0xffff} on channel ${frame.channel} ${JSON.stringify(frame.method.args)}`
  return `frame type ${frame.type} on channel ${frame.channel}`
}
