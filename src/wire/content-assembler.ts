// Collects a content-bearing method, its header frame and its body frames into one command per
// channel, enforcing their order (505 UNEXPECTED_FRAME otherwise). Knows no queues or routing.
//
//   header payload := class-id(u16) weight(u16) body-size(u64) property-flags(u16) properties...
import { unexpectedFrame, frameError, type AmqpError } from '../errors.js'

const HEADER_FIXED_BYTES = 12
const BASIC_CLASS_ID = 60
/** Longer property blocks (large headers tables) are copied without comparing first. */
const MAX_SHARED_PROPERTY_BYTES = 128

export interface ContentCommand<M> {
  method: M
  /** Raw property bytes (flags + fields), kept undecoded until a field is needed. */
  properties: Buffer
  body: Buffer
}

export class ContentAssembler<M> {
  private method: M | undefined
  private properties: Buffer = Buffer.alloc(0)
  private bodySize = 0
  private parts: Buffer[] = []
  private received = 0
  private awaiting: 'method' | 'header' | 'body' = 'method'

  constructor(private readonly maxBodyBytes: number) {}

  get isIdle(): boolean {
    return this.awaiting === 'method'
  }

  /** A method frame arrived: only allowed between commands (RabbitMQ's 505 texts otherwise). */
  methodFrame(): void {
    if (this.awaiting !== 'method') throw this.outOfOrder()
  }

  /** A method that carries content (basic.publish) starts a command. */
  start(method: M): void {
    this.method = method
    this.awaiting = 'header'
  }

  /**
   * Returns the finished command when the header says the body is empty. `_frameName` is no
   * longer used: RabbitMQ's out-of-order texts do not name the frame (see outOfOrder).
   */
  header(payload: Buffer, _frameName?: string): ContentCommand<M> | undefined {
    if (this.awaiting !== 'header') throw this.outOfOrder()
    if (payload.length < HEADER_FIXED_BYTES + 2) throw frameError('content header frame too short')
    const classId = payload.readUInt16BE(0)
    if (classId !== 60) throw unexpectedFrame(`expected content header for class 60, got one for class ${classId} instead`)
    // RabbitMQ reads a non-zero weight as not a content header at all.
    if (payload.readUInt16BE(2) !== 0) throw unexpectedFrame('expected content header for class 60, got non content header frame instead')
    const hi = payload.readUInt32BE(4), lo = payload.readUInt32BE(8)
    this.bodySize = hi * 0x1_0000_0000 + lo
    if (this.bodySize > this.maxBodyBytes) throw frameError(`content body of ${this.bodySize} bytes exceeds the limit of ${this.maxBodyBytes}`)
    this.properties = this.propertiesOf(payload)
    this.awaiting = 'body'
    this.received = 0
    this.parts = []
    return this.bodySize === 0 ? this.finish() : undefined
  }

  /** Returns the finished command once all body bytes have arrived. */
  body(payload: Buffer): ContentCommand<M> | undefined {
    if (this.awaiting !== 'body') throw this.outOfOrder()
    this.received += payload.length
    // More body than the header declared: RabbitMQ's text for it is the out-of-order one.
    if (this.received > this.bodySize) throw unexpectedFrame('expected content body, got non content body frame instead')
    this.parts.push(payload)
    return this.received === this.bodySize ? this.finish() : undefined
  }

  /**
   * The property bytes, as the previous command's buffer when they are the same (a publisher
   * nearly always repeats them; property buffers are never written to once made), else a copy:
   * the frame's chunk is the socket's and the properties outlive it. Saves an allocation per
   * message (bench/NOTES.md).
   */
  private propertiesOf(payload: Buffer): Buffer {
    const last = this.properties
    const n = payload.length - HEADER_FIXED_BYTES
    if (n === last.length && n <= MAX_SHARED_PROPERTY_BYTES) {
      let i = 0
      while (i < n && payload[HEADER_FIXED_BYTES + i] === last[i]) i++
      if (i === n) return last
    }
    return Buffer.from(payload.subarray(HEADER_FIXED_BYTES))
  }

  /** Drops a half-assembled command (its channel closed). */
  reset(): void {
    this.method = undefined
    this.parts = []
    this.awaiting = 'method'
  }

  /** The frame that arrived is not the one awaited; the texts are RabbitMQ's command assembler's. */
  private outOfOrder(): AmqpError {
    switch (this.awaiting) {
      case 'method': return unexpectedFrame('expected method frame, got non method frame instead')
      case 'header': return unexpectedFrame(`expected content header for class ${BASIC_CLASS_ID}, got non content header frame instead`)
      case 'body': return unexpectedFrame('expected content body, got non content body frame instead')
    }
  }

  private finish(): ContentCommand<M> {
    // One copy for the whole body: frames are slices of socket chunks that are not ours to keep.
    const body = this.parts.length === 1 ? Buffer.from(this.parts[0]) : Buffer.concat(this.parts, this.bodySize)
    const command = { method: this.method!, properties: this.properties, body }
    this.reset()
    return command
  }
}
