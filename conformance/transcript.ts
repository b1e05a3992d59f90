// What a conformance transcript is made of, and how received bytes become its JSON entries.
// Decodes methods and content headers straight from the spec's field lists (METHODS), keeping the
// type tag of every field-table number, so a fixture says `{"$l":1}` where RabbitMQ sent a long.
import { createHash } from 'node:crypto'
import { METHODS, BASIC_PROPERTY_NAMES, BASIC_PROPERTY_TYPES } from '../src/wire/codec.js'
import { decodeText } from '../src/byte-text.js'

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json }

/** One thing the broker did, as a fixture records it. Received only; what we sent is not in here. */
export type Entry =
  | MethodEntry
  | { ch: number; frame: 'header' | 'body' | 'heartbeat' | 'unknown'; type?: number; bytes?: Json }
  | { heartbeat: number }
  | { protocolHeader: string }
  | { garbage: string }
  | { handshake: 'ok' }
  | { closed: true }
  | { aborted: string }

export interface MethodEntry {
  ch: number
  method: string
  args: { [k: string]: Json }
  /** Content of basic.deliver / get-ok / return: properties, body, and how many body frames carried it. */
  props?: { [k: string]: Json }
  body?: Json
  bodyFrames?: number
  /** Set by the normaliser on merged publisher confirms: the delivery tags confirmed, as ranges. */
  tags?: string
}

export const isMethod = (e: Entry): e is MethodEntry => 'method' in e

/** A tiny bounds-checked reader; a short payload throws RangeError, recorded as undecodable. */
class Cursor {
  pos = 0
  constructor(readonly buf: Buffer) {}
  take(n: number): Buffer {
    if (this.pos + n > this.buf.length) throw new RangeError(`payload ends at ${this.buf.length}, needed ${this.pos + n}`)
    const out = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }
  u8 = () => this.take(1)[0]
  u16 = () => this.take(2).readUInt16BE(0)
  u32 = () => this.take(4).readUInt32BE(0)
  u64 = (): Json => jsonInt(this.take(8).readBigUInt64BE(0))
  // Bytes that are not UTF-8 show as escapes (\udcff), so a transcript tells them from U+FFFD.
  shortstr = () => {
    const bytes = this.take(this.u8())
    return decodeText(bytes, 0, bytes.length)
  }
  longstr = () => this.take(this.u32())
}

const jsonInt = (v: bigint): Json => (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString())

/** Text when the bytes are UTF-8 that round-trips, else `{hex}`. */
export function bytesJson(b: Buffer): Json {
  const s = b.toString('utf8')
  return Buffer.from(s, 'utf8').equals(b) ? s : { hex: b.toString('hex') }
}

/** A body: its text when short and textual, else its length and a digest. */
export function bodyJson(b: Buffer): Json {
  const s = b.toString('utf8')
  if (b.length <= 512 && Buffer.from(s, 'utf8').equals(b)) return s
  return { len: b.length, sha256: createHash('sha256').update(b).digest('hex').slice(0, 16) }
}

function readTable(c: Cursor): { [k: string]: Json } {
  const inner = new Cursor(c.take(c.u32()))
  const out: { [k: string]: Json } = {}
  while (inner.pos < inner.buf.length) {
    const name = inner.shortstr()
    out[name] = readValue(inner)
  }
  return out
}

function readArray(c: Cursor): Json[] {
  const inner = new Cursor(c.take(c.u32()))
  const out: Json[] = []
  while (inner.pos < inner.buf.length) out.push(readValue(inner))
  return out
}

/** Booleans, strings, tables, arrays and void stay plain JSON; every number keeps its tag: {"$I":5}. */
function readValue(c: Cursor): Json {
  const tag = String.fromCharCode(c.u8())
  const num = (v: Json): Json => ({ [`$${tag}`]: v })
  switch (tag) {
    case 't': return c.u8() !== 0
    case 'b': return num(c.take(1).readInt8(0))
    case 'B': return num(c.u8())
    case 's': return num(c.take(2).readInt16BE(0))
    case 'u': return num(c.u16())
    case 'I': return num(c.take(4).readInt32BE(0))
    case 'i': return num(c.u32())
    case 'l': return num(jsonInt(c.take(8).readBigInt64BE(0)))
    case 'f': return num(c.take(4).readFloatBE(0))
    case 'd': return num(c.take(8).readDoubleBE(0))
    case 'D': { const scale = c.u8(); return num([scale, c.u32()]) }
    case 'T': return num(c.u64())
    case 'S': return bytesJson(c.longstr())
    case 'x': return { $x: c.longstr().toString('hex') }
    case 'A': return readArray(c)
    case 'F': return readTable(c)
    case 'V': return null
    default: throw new RangeError(`unknown field type '${tag}'`)
  }
}

/** Decodes a method frame payload by the spec's field list: `{ method, args }`, or undefined if unknown. */
export function decodeMethodJson(payload: Buffer): { name: string; id: number; hasContent: boolean; args: { [k: string]: Json } } | undefined {
  const c = new Cursor(payload)
  const id = c.u32()
  const info = METHODS.get(id)
  if (!info) return undefined
  const args: { [k: string]: Json } = {}
  let bits = 0, bit = 8
  for (const [name, type] of info.fields) {
    if (type !== 'bit') bit = 8
    switch (type) {
      case 'bit':
        if (bit === 8) { bits = c.u8(); bit = 0 }
        args[name] = (bits & (1 << bit++)) !== 0
        break
      case 'octet': args[name] = c.u8(); break
      case 'short': args[name] = c.u16(); break
      case 'long': args[name] = c.u32(); break
      case 'longlong': case 'timestamp': args[name] = c.u64(); break
      case 'shortstr': args[name] = c.shortstr(); break
      case 'longstr': args[name] = bytesJson(c.longstr()); break
      case 'table': args[name] = readTable(c); break
      default: throw new RangeError(`unknown field type ${type}`)
    }
  }
  return { name: info.name, id, hasContent: info.hasContent, args }
}

/** A content header payload: class, weight, body size and the present basic properties. */
export function decodeHeaderJson(payload: Buffer): { classId: number; weight: number; bodySize: number; props: { [k: string]: Json } } {
  const c = new Cursor(payload)
  const classId = c.u16(), weight = c.u16()
  const bodySize = Number(c.u64())
  const flags = c.u16()
  const props: { [k: string]: Json } = {}
  BASIC_PROPERTY_NAMES.forEach((name, i) => {
    if ((flags & (1 << (15 - i))) === 0) return
    switch (BASIC_PROPERTY_TYPES[i]) {
      case 'shortstr': props[name] = c.shortstr(); break
      case 'octet': props[name] = c.u8(); break
      case 'timestamp': props[name] = c.u64(); break
      case 'table': props[name] = readTable(c); break
    }
  })
  return { classId, weight, bodySize, props }
}
