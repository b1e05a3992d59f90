// A bounds-checked cursor over a frame payload: the primitive reads the generated decoders use.
// Reading past the end throws a 501 FRAME_ERROR AmqpError (RabbitMQ's code for undecodable frames); it knows nothing of methods or state.
import { frameError } from '../errors.js'
import { decodeText, isEscaped } from '../byte-text.js'

const TWO_32 = 0x1_0000_0000

export class ByteReader {
  /** A shortstr was not UTF-8 (kept byte for byte, see byte-text.ts); most methods refuse that. */
  hasMalformedText = false

  constructor(
    readonly buf: Buffer,
    public pos = 0,
    readonly end = buf.length,
  ) {}

  get remaining(): number {
    return this.end - this.pos
  }

  need(n: number): void {
    if (this.pos + n > this.end) throw frameError(`frame payload truncated: needed ${n} more bytes at ${this.pos}`)
  }

  u8(): number {
    this.need(1)
    return this.buf[this.pos++]
  }
  i8(): number {
    const v = this.u8()
    return v > 127 ? v - 256 : v
  }
  u16(): number {
    this.need(2)
    const b = this.buf, p = this.pos
    this.pos = p + 2
    return (b[p] << 8) | b[p + 1]
  }
  i16(): number {
    const v = this.u16()
    return v > 0x7fff ? v - 0x10000 : v
  }
  u32(): number {
    this.need(4)
    const b = this.buf, p = this.pos
    this.pos = p + 4
    return b[p] * 0x100_0000 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3])
  }
  i32(): number {
    this.need(4)
    const v = this.buf.readInt32BE(this.pos)
    this.pos += 4
    return v
  }
  /** Delivery tags and body sizes stay below 2^53 in practice; larger values lose precision. */
  u64(): number {
    const hi = this.u32()
    return hi * TWO_32 + this.u32()
  }
  i64(): number | bigint {
    this.need(8)
    const v = this.buf.readBigInt64BE(this.pos)
    this.pos += 8
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v
  }
  f32(): number {
    this.need(4)
    const v = this.buf.readFloatBE(this.pos)
    this.pos += 4
    return v
  }
  f64(): number {
    this.need(8)
    const v = this.buf.readDoubleBE(this.pos)
    this.pos += 8
    return v
  }
  bytes(n: number): Buffer {
    this.need(n)
    const v = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return v
  }
  shortstr(): string {
    const n = this.u8()
    this.need(n)
    let v = this.buf.toString('utf8', this.pos, this.pos + n)
    if (v.includes('\uFFFD')) {
      v = decodeText(this.buf, this.pos, this.pos + n)
      if (isEscaped(v)) this.hasMalformedText = true
    }
    this.pos += n
    return v
  }
  /** Long strings stay bytes: SASL responses are binary (AMQPLAIN), not text. */
  longstr(): Buffer {
    return this.bytes(this.u32())
  }
}
