// A growable output buffer with the primitive writes the generated encoders use.
// It only appends bytes; framing and socket writes belong to frame-writer.
import { textByteLength, writeText } from '../byte-text.js'

const TWO_32 = 0x1_0000_0000

export class ByteWriter {
  buf: Buffer
  pos = 0

  constructor(initialBytes = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes)
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.pos + n) size *= 2
    const next = Buffer.allocUnsafe(size)
    this.buf.copy(next, 0, 0, this.pos)
    this.buf = next
  }

  /** Skips n bytes to be filled in later (lengths known only after their contents). */
  reserve(n: number): number {
    this.ensure(n)
    const at = this.pos
    this.pos += n
    return at
  }
  patchU32(at: number, v: number): void {
    this.buf.writeUInt32BE(v, at)
  }

  u8(v: number): void {
    this.ensure(1)
    this.buf[this.pos++] = v
  }
  i8(v: number): void {
    this.u8(v & 0xff)
  }
  u16(v: number): void {
    this.ensure(2)
    this.buf[this.pos++] = v >>> 8
    this.buf[this.pos++] = v
  }
  i16(v: number): void {
    this.u16(v & 0xffff)
  }
  u32(v: number): void {
    this.ensure(4)
    this.buf.writeUInt32BE(v >>> 0, this.pos)
    this.pos += 4
  }
  i32(v: number): void {
    this.ensure(4)
    this.buf.writeInt32BE(v, this.pos)
    this.pos += 4
  }
  u64(v: number): void {
    this.u32(Math.floor(v / TWO_32))
    this.u32(v % TWO_32)
  }
  i64(v: bigint): void {
    this.ensure(8)
    this.buf.writeBigInt64BE(v, this.pos)
    this.pos += 8
  }
  f32(v: number): void {
    this.ensure(4)
    this.buf.writeFloatBE(v, this.pos)
    this.pos += 4
  }
  f64(v: number): void {
    this.ensure(8)
    this.buf.writeDoubleBE(v, this.pos)
    this.pos += 8
  }
  bytes(b: Buffer): void {
    this.ensure(b.length)
    b.copy(this.buf, this.pos)
    this.pos += b.length
  }
  shortstr(s: string): void {
    // Names and keys are nearly always short ASCII: copying char codes beats two native calls
    // (byteLength + write) per string (bench/NOTES.md, transient-16b).
    const len = s.length
    if (len <= 64) {
      this.ensure(1 + len)
      const buf = this.buf
      const at = this.pos + 1
      let i = 0
      for (; i < len; i++) {
        const c = s.charCodeAt(i)
        if (c > 0x7f) break
        buf[at + i] = c
      }
      if (i === len) {
        buf[this.pos] = len
        this.pos = at + len
        return
      }
    }
    const n = textByteLength(s)
    if (n > 255) throw new RangeError(`short string of ${n} bytes exceeds 255`)
    this.ensure(1 + n)
    this.buf[this.pos++] = n
    this.pos += writeText(this.buf, s, this.pos)
  }
  longstr(b: Buffer): void {
    this.u32(b.length)
    this.bytes(b)
  }

  /**
   * A fresh buffer of the same size for later writes, leaving the current one (and views of it)
   * to whoever holds them: for a buffer a pending socket write still reads from.
   */
  detach(): void {
    this.buf = Buffer.allocUnsafe(this.buf.length)
    this.pos = 0
  }

  /** A copy of what was written; the writer is then empty and reusable. */
  takeCopy(): Buffer {
    const out = Buffer.allocUnsafe(this.pos)
    this.buf.copy(out, 0, 0, this.pos)
    this.pos = 0
    return out
  }
}
