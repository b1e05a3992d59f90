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
   * A content header, payload[start, end) (a frame's span of its socket chunk); returns the
   * finished command when the header says the body is empty.
   */
  header(payload: Buffer, start = 0, end = payload.length): ContentCommand<M> | undefined {
    if (this.awaiting !== 'header') throw this.outOfOrder()
    if (end - start < HEADER_FIXED_BYTES + 2) throw frameError('content header frame too short')
    const classId = payload.readUInt16BE(start)
    if (classId !== 60) throw unexpectedFrame(`expected content header for class 60, got one for class ${classId} instead`)
    // RabbitMQ reads a non-zero weight as not a content header at all.
    if (payload.readUInt16BE(start + 2) !== 0) throw unexpectedFrame('expected content header for class 60, got non content header frame instead')
    const hi = payload.readUInt32BE(start + 4), lo = payload.readUInt32BE(start + 8)
    this.bodySize = hi * 0x1_0000_0000 + lo
    if (this.bodySize > this.maxBodyBytes) throw frameError(`content body of ${this.bodySize} bytes exceeds the limit of ${this.maxBodyBytes}`)
    this.properties = this.propertiesOf(payload, start + HEADER_FIXED_BYTES, end)
    this.awaiting = 'body'
    this.received = 0
    this.parts = []
    return this.bodySize === 0 ? this.finish() : undefined
  }

  /** Returns the finished command once all body bytes have arrived (payload[start, end) is the frame's). */
  body(payload: Buffer, start = 0, end = payload.length): ContentCommand<M> | undefined {
    if (this.awaiting !== 'body') throw this.outOfOrder()
    const n = end - start
    this.received += n
    // More body than the header declared: RabbitMQ's text for it is the out-of-order one.
    if (this.received > this.bodySize) throw unexpectedFrame('expected content body, got non content body frame instead')
    if (n === this.bodySize) {
      // The whole body in one frame (the usual case): one copy straight out of the chunk, which
      // is the socket's, with no view of it in between.
      return this.finish(copyOut(payload, start, end))
    }
    this.parts.push(copyOut(payload, start, end)) // the chunk is reused by the socket's next read
    return this.received === this.bodySize ? this.finish() : undefined
  }

  /**
   * The property bytes, as the previous command's buffer when they are the same (a publisher
   * nearly always repeats them; property buffers are never written to once made), else a copy:
   * the frame's chunk is the socket's and the properties outlive it. Saves an allocation per
   * message (bench/NOTES.md).
   */
  private propertiesOf(payload: Buffer, start: number, end: number): Buffer {
    const last = this.properties
    const n = end - start
    if (n === last.length && n <= MAX_SHARED_PROPERTY_BYTES) {
      let i = 0
      while (i < n && payload[start + i] === last[i]) i++
      if (i === n) return last
    }
    return copyOut(payload, start, end)
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

  private finish(single?: Buffer): ContentCommand<M> {
    // One copy for the whole body: frames are slices of socket chunks that are not ours to keep.
    const body = single ?? (this.parts.length === 0 ? Buffer.alloc(0) : Buffer.concat(this.parts, this.bodySize))
    const command = { method: this.method!, properties: this.properties, body }
    this.reset()
    return command
  }
}

/** Below this many bytes a plain loop copies faster than Buffer#copy. */
const LOOP_COPY_BYTES = 64

/**
 * A new buffer holding buf[start, end). Buffer#copy from the middle of a buffer allocates a
 * temporary Uint8Array view first (Node 20); small property blocks and bodies skip it.
 */
function copyOut(buf: Buffer, start: number, end: number): Buffer {
  const n = end - start
  const out = Buffer.allocUnsafe(n)
  if (n <= LOOP_COPY_BYTES) for (let i = 0; i < n; i++) out[i] = buf[start + i]
  else buf.copy(out, 0, start, end)
  return out
}
