// Splits a TCP byte stream into AMQP frames, parsing in place and copying only a frame that
// straddles two chunks. Enforces frame-max and the frame-end octet; knows nothing of channels.
//
//   frame := type(u8) channel(u16) size(u32) payload(size bytes) frame-end(0xCE)
import { frameError } from '../errors.js'
import { FRAME_END } from './codec.js'
import { describeOctets } from './octets.js'

export const HEADER_BYTES = 7
export const FRAME_OVERHEAD = 8

export type FrameHandler = (type: number, channel: number, payload: Buffer) => void
/**
 * The same frame as the span buf[start, end) of a chunk: the connection reads frames in place
 * without a view object per frame (three per published message; bench/NOTES.md).
 */
export type FrameSpanHandler = (type: number, channel: number, buf: Buffer, start: number, end: number) => void

export class FrameReader {
  /** The start of a frame that straddles chunks, kept as parts so a slow large frame is copied once. */
  private restParts: Buffer[] = []
  private restBytes = 0
  /** Total bytes of the straddling frame, once its header has arrived; 0 before. */
  private restFrameBytes = 0

  private readonly onSpan: FrameSpanHandler

  constructor(onFrame: FrameHandler, frameMaxBytes: number)
  constructor(onFrame: undefined, frameMaxBytes: number, onSpan: FrameSpanHandler)
  constructor(
    onFrame: FrameHandler | undefined,
    public frameMaxBytes: number,
    onSpan?: FrameSpanHandler,
  ) {
    this.onSpan = onSpan ?? ((type, channel, buf, start, end) => onFrame!(type, channel, buf.subarray(start, end)))
  }

  /** Bytes held back waiting for the rest of a frame. */
  get pendingBytes(): number {
    return this.restBytes
  }

  push(chunk: Buffer): void {
    let at = 0
    if (this.restBytes > 0) {
      at = this.completeStraddling(chunk)
      if (at < 0) return // the chunk did not finish the frame
    }
    at = this.parse(chunk, at)
    if (at < chunk.length) {
      // Copy the partial tail: the chunk is only lent (the socket reads its next bytes into it).
      this.restParts = [Buffer.from(chunk.subarray(at))]
      this.restBytes = chunk.length - at
      this.restFrameBytes = this.restBytes >= HEADER_BYTES ? this.frameBytes(this.restParts[0], 0) : 0
    }
  }

  /** Finishes the frame begun in earlier chunks; returns where the chunk's own frames start, or -1. */
  private completeStraddling(chunk: Buffer): number {
    if (this.restFrameBytes === 0) {
      const headerNeed = HEADER_BYTES - this.restBytes
      if (chunk.length < headerNeed) return this.hold(chunk)
      const header = Buffer.concat([...this.restParts, chunk.subarray(0, headerNeed)], HEADER_BYTES)
      this.restFrameBytes = this.frameBytes(header, 0)
    }
    const take = this.restFrameBytes - this.restBytes
    if (chunk.length < take) return this.hold(chunk)
    const frame = Buffer.concat([...this.restParts, chunk.subarray(0, take)], this.restFrameBytes)
    this.restParts = []
    this.restBytes = 0
    this.restFrameBytes = 0
    this.parse(frame, 0)
    return take
  }

  private hold(chunk: Buffer): number {
    this.restParts.push(Buffer.from(chunk))
    this.restBytes += chunk.length
    return -1
  }

  /** A frame's total length from its header, enforcing frame-max before any payload is read. */
  private frameBytes(buf: Buffer, at: number): number {
    const size = buf.readUInt32BE(at + 3)
    if (this.frameMaxBytes > 0 && size + FRAME_OVERHEAD > this.frameMaxBytes) {
      // RabbitMQ checks the size before reading the payload, so its text shows no octets.
      throw frameError(`type ${buf[at]}, all octets = <<>>: {frame_too_large,${size},${this.frameMaxBytes - FRAME_OVERHEAD}}`)
    }
    return size + FRAME_OVERHEAD
  }

  /** Hands every complete frame in buf from `at` to onFrame; returns where the first incomplete one starts. */
  private parse(buf: Buffer, at: number): number {
    while (buf.length - at >= HEADER_BYTES) {
      const end = at + this.frameBytes(buf, at) - 1
      if (end >= buf.length) break // payload or end octet still to come
      if (buf[end] !== FRAME_END) {
        throw frameError(`type ${buf[at]}, ${describeOctets(buf.subarray(at + HEADER_BYTES, end))}: {invalid_frame_end_marker,${buf[end]}}`)
      }
      this.onSpan(buf[at], (buf[at + 1] << 8) | buf[at + 2], buf, at + HEADER_BYTES, end)
      at = end + 1
    }
    return at
  }
}
