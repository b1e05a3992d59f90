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

export class FrameReader {
  private rest: Buffer = Buffer.alloc(0)

  constructor(
    private readonly onFrame: FrameHandler,
    public frameMaxBytes: number,
  ) {}

  /** Bytes held back waiting for the rest of a frame. */
  get pendingBytes(): number {
    return this.rest.length
  }

  push(chunk: Buffer): void {
    const buf = this.rest.length === 0 ? chunk : Buffer.concat([this.rest, chunk])
    let at = 0
    while (buf.length - at >= HEADER_BYTES) {
      const size = buf.readUInt32BE(at + 3)
      const end = at + HEADER_BYTES + size
      if (this.frameMaxBytes > 0 && size + FRAME_OVERHEAD > this.frameMaxBytes) {
        // RabbitMQ checks the size before reading the payload, so its text shows no octets.
        throw frameError(`type ${buf[at]}, all octets = <<>>: {frame_too_large,${size},${this.frameMaxBytes - FRAME_OVERHEAD}}`)
      }
      if (end >= buf.length) break // payload or end octet still to come
      if (buf[end] !== FRAME_END) {
        throw frameError(`type ${buf[at]}, ${describeOctets(buf.subarray(at + HEADER_BYTES, end))}: {invalid_frame_end_marker,${buf[end]}}`)
      }
      this.onFrame(buf[at], buf.readUInt16BE(at + 1), buf.subarray(at + HEADER_BYTES, end))
      at = end + 1
    }
    // Copy the partial tail so the (possibly large) chunk it came from can be released.
    this.rest = at === buf.length ? Buffer.alloc(0) : at === 0 && buf !== chunk ? buf : Buffer.from(buf.subarray(at))
  }
}

