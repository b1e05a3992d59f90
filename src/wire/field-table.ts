// AMQP field tables and arrays with every type tag RabbitMQ's clients send (RabbitMQ's table of
// types, which differs from the 0-9-1 spec's for s, u, i, l). Decodes to plain values; encodes by
// inference, or by an explicit tag through `Typed` where a value's JS type cannot say it.
//
//   table := u32 byte-length, then (shortstr name, u8 tag, value)*
//   array := u32 byte-length, then (u8 tag, value)*
import { frameError } from '../errors.js'
import type { ByteReader } from './byte-reader.js'
import type { ByteWriter } from './byte-writer.js'

/** A table value with a type tag nobody defines: RabbitMQ drops such a connection without a word. */
export class UnknownFieldType extends Error {
  constructor(readonly tag: string) {
    super(`unknown field table type '${tag}'`)
  }
}

export type FieldTag = 't' | 'b' | 'B' | 's' | 'u' | 'I' | 'i' | 'l' | 'f' | 'd' | 'D' | 'S' | 'A' | 'T' | 'F' | 'V' | 'x'

/** A decimal as the wire carries it: value / 10^scale. */
export interface Decimal { scale: number; value: number }

/** A value with an explicit wire tag (timestamps, decimals, or a number that must keep a narrow type). */
export class Typed {
  constructor(readonly tag: FieldTag, readonly value: number | bigint | Decimal) {}
}

export type FieldValue =
  | boolean | number | bigint | string | Buffer | Date | null | Typed | FieldValue[] | FieldTable
export interface FieldTable { [name: string]: FieldValue }

/**
 * Each decoded table remembers the wire tag of each field under this (non-enumerable) symbol, so
 * the broker can name types in RabbitMQ's reply texts ("of type 'short'") without importing wire.
 */
export const FIELD_TAGS = Symbol.for('warren.fieldTags')

export function readFieldTable(r: ByteReader): FieldTable {
  const size = r.u32()
  r.need(size)
  const end = r.pos + size
  const table: FieldTable = {}
  const tags: Record<string, string> = {}
  // RabbitMQ checks method fields for UTF-8 but not the field names inside a table.
  const hadMalformedText = r.hasMalformedText
  while (r.pos < end) {
    const name = r.shortstr()
    r.hasMalformedText = hadMalformedText
    tags[name] = String.fromCharCode(r.buf[r.pos])
    // defineProperty, not assignment: a field named __proto__ must stay a field, not a prototype.
    Object.defineProperty(table, name, { value: readFieldValue(r), enumerable: true, writable: true, configurable: true })
  }
  Object.defineProperty(table, FIELD_TAGS, { value: tags, enumerable: false })
  if (r.pos !== end) throw frameError('field table length does not match its contents')
  return table
}

function readFieldArray(r: ByteReader): FieldValue[] {
  const size = r.u32()
  r.need(size)
  const end = r.pos + size
  const values: FieldValue[] = []
  while (r.pos < end) values.push(readFieldValue(r))
  if (r.pos !== end) throw frameError('field array length does not match its contents')
  return values
}

function readFieldValue(r: ByteReader): FieldValue {
  const tag = String.fromCharCode(r.u8())
  switch (tag) {
    case 't': return r.u8() !== 0
    case 'b': return r.i8()
    case 'B': return r.u8()
    case 's': return r.i16()
    case 'u': return r.u16()
    case 'I': return r.i32()
    case 'i': return r.u32()
    case 'l': return r.i64()
    case 'f': return r.f32()
    case 'd': return r.f64()
    case 'D': { const scale = r.u8(); return new Typed('D', { scale, value: r.u32() }) }
    case 'S': return r.longstr().toString('utf8')
    case 'A': return readFieldArray(r)
    case 'T': return new Typed('T', r.u64())
    case 'F': return readFieldTable(r)
    case 'V': return null
    case 'x': return Buffer.from(r.longstr())
    default: throw new UnknownFieldType(tag)
  }
}

/** Numeric tags a decoded table remembers, so re-encoding it keeps each number's wire type. */
const NUMERIC_TAGS = new Set(['b', 'B', 's', 'u', 'I', 'i', 'l', 'f', 'd'])

export function writeFieldTable(w: ByteWriter, table: FieldTable): void {
  const at = w.reserve(4)
  const tags = (table as { [FIELD_TAGS]?: Record<string, string> })[FIELD_TAGS]
  for (const name of Object.keys(table)) {
    const value = table[name]
    if (value === undefined) continue
    w.shortstr(name)
    const tag = tags?.[name]
    // A header that passes through us (x-death's count, say) goes out with the type it came in.
    if (tag !== undefined && (typeof value === 'number' || typeof value === 'bigint') && NUMERIC_TAGS.has(tag)) {
      writeTyped(w, new Typed(tag as FieldTag, value))
    } else writeFieldValue(w, value)
  }
  w.patchU32(at, w.pos - at - 4)
}

function writeFieldArray(w: ByteWriter, values: FieldValue[]): void {
  const at = w.reserve(4)
  for (const v of values) writeFieldValue(w, v)
  w.patchU32(at, w.pos - at - 4)
}

const tag = (w: ByteWriter, t: FieldTag) => w.u8(t.charCodeAt(0))

function writeFieldValue(w: ByteWriter, v: FieldValue): void {
  if (v === null || v === undefined) return tag(w, 'V')
  switch (typeof v) {
    case 'boolean': tag(w, 't'); return w.u8(v ? 1 : 0)
    case 'string': tag(w, 'S'); return w.longstr(Buffer.from(v, 'utf8'))
    case 'bigint': tag(w, 'l'); return w.i64(v)
    case 'number':
      if (Number.isInteger(v) && v >= -0x8000_0000 && v <= 0x7fff_ffff) { tag(w, 'I'); return w.i32(v) }
      if (Number.isSafeInteger(v)) { tag(w, 'l'); return w.i64(BigInt(v)) }
      tag(w, 'd'); return w.f64(v)
  }
  if (Buffer.isBuffer(v)) { tag(w, 'x'); return w.longstr(v) }
  if (Array.isArray(v)) { tag(w, 'A'); return writeFieldArray(w, v) }
  if (v instanceof Typed) return writeTyped(w, v)
  if (v instanceof Date) { tag(w, 'T'); return w.u64(Math.floor(v.getTime() / 1000)) }
  tag(w, 'F')
  writeFieldTable(w, v as FieldTable)
}

function writeTyped(w: ByteWriter, v: Typed): void {
  tag(w, v.tag)
  const n = v.value
  switch (v.tag) {
    case 'b': return w.i8(Number(n))
    case 'B': return w.u8(Number(n))
    case 's': return w.i16(Number(n))
    case 'u': return w.u16(Number(n))
    case 'I': return w.i32(Number(n))
    case 'i': return w.u32(Number(n))
    case 'l': return w.i64(BigInt(n as number | bigint))
    case 'f': return w.f32(Number(n))
    case 'd': return w.f64(Number(n))
    case 'T': return w.u64(Number(n))
    case 'D': { const d = n as Decimal; w.u8(d.scale); return w.u32(d.value) }
    default: throw new TypeError(`Typed cannot carry tag '${v.tag}'`)
  }
}

/** A number from a table value, whatever integer tag carried it (x- arguments arrive as b, s, I, l...). */
export function fieldNumber(v: FieldValue | undefined): number | undefined {
  if (typeof v === 'number') return v
  if (typeof v === 'bigint') return Number(v)
  if (v instanceof Typed && typeof v.value !== 'object') return Number(v.value)
  return undefined
}
