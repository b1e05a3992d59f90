// Field tables with every tag RabbitMQ's clients send, decoded from hand-built bytes; encoding by
// inference and through Typed; malformed tables are 501 FRAME_ERROR (RabbitMQ: "cannot decode"),
// and an unknown type tag is UnknownFieldType (RabbitMQ drops such a connection without a close frame).
import { describe, it, expect } from 'vitest'
import { readFieldTable, writeFieldTable, fieldNumber, Typed, UnknownFieldType, type FieldTable, type FieldValue } from '../../../src/wire/field-table.js'
import { ByteReader } from '../../../src/wire/byte-reader.js'
import { ByteWriter } from '../../../src/wire/byte-writer.js'
import { AmqpError } from '../../../src/errors.js'
import { SeededRandom } from '../seeded-random.js'
import { randomTable } from './random-values.js'

// ---- hand-built bytes ----
const u8 = (...v: number[]) => Buffer.from(v)
const u16 = (v: number) => { const b = Buffer.alloc(2); b.writeUInt16BE(v); return b }
const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(v); return b }
const i64 = (v: bigint) => { const b = Buffer.alloc(8); b.writeBigInt64BE(v); return b }
const u64 = (v: bigint) => { const b = Buffer.alloc(8); b.writeBigUInt64BE(v); return b }
const f32 = (v: number) => { const b = Buffer.alloc(4); b.writeFloatBE(v); return b }
const f64 = (v: number) => { const b = Buffer.alloc(8); b.writeDoubleBE(v); return b }
const tag = (t: string) => Buffer.from(t, 'latin1')
const shortstr = (s: string) => { const b = Buffer.from(s, 'utf8'); return Buffer.concat([u8(b.length), b]) }
const longstr = (b: Buffer) => Buffer.concat([u32(b.length), b])
/** A field: name, tag, value bytes. */
const field = (name: string, t: string, value: Buffer) => Buffer.concat([shortstr(name), tag(t), value])
/** A table or array body prefixed with its byte length. */
const sized = (...parts: Buffer[]) => { const body = Buffer.concat(parts); return Buffer.concat([u32(body.length), body]) }

function decode(bytes: Buffer): FieldTable {
  const r = new ByteReader(bytes)
  const t = readFieldTable(r)
  expect(r.remaining).toBe(0)
  return t
}

function encode(table: FieldTable): Buffer {
  const w = new ByteWriter(4)
  writeFieldTable(w, table)
  return w.takeCopy()
}

/** The encoding of a one-field table named 'v': tag plus value bytes. */
function encodedValue(value: FieldValue): Buffer {
  const bytes = encode({ v: value })
  expect(bytes.readUInt32BE(0)).toBe(bytes.length - 4)
  expect(bytes.subarray(4, 6).equals(shortstr('v'))).toBe(true)
  return bytes.subarray(6)
}

function expectSyntaxError(fn: () => unknown): AmqpError {
  let error: unknown
  try {
    fn()
  } catch (e) {
    error = e
  }
  expect(error, 'expected an AmqpError 501').toBeInstanceOf(AmqpError)
  expect((error as AmqpError).replyCode).toBe(501)
  return error as AmqpError
}

describe('field table decoding, one case per tag', () => {
  const cases: [tag: string, valueBytes: Buffer, expected: FieldValue][] = [
    ['t', u8(1), true],
    ['t', u8(0), false],
    ['t', u8(2), true],
    ['b', u8(0x7f), 127],
    ['b', u8(0x80), -128],
    ['b', u8(0xff), -1],
    ['B', u8(0xff), 255],
    ['B', u8(0), 0],
    ['s', u16(0x7fff), 32767],
    ['s', u16(0x8000), -32768],
    ['s', u16(0xffff), -1],
    ['u', u16(0xffff), 65535],
    ['I', u32(0x7fff_ffff), 2147483647],
    ['I', u32(0x8000_0000), -2147483648],
    ['I', u32(0xffff_ffff), -1],
    ['i', u32(0xffff_ffff), 4294967295],
    ['i', u32(0x8000_0000), 2147483648],
    ['l', i64(-1n), -1],
    ['l', i64(42n), 42],
    ['l', i64(BigInt(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER],
    ['l', i64(BigInt(Number.MIN_SAFE_INTEGER)), Number.MIN_SAFE_INTEGER],
    ['l', i64(2n ** 53n), 2n ** 53n],
    ['l', i64(-(2n ** 53n)), -(2n ** 53n)],
    ['l', i64(2n ** 63n - 1n), 2n ** 63n - 1n],
    ['l', i64(-(2n ** 63n)), -(2n ** 63n)],
    ['f', f32(1.5), 1.5],
    ['f', f32(-0.25), -0.25],
    ['d', f64(Math.PI), Math.PI],
    ['d', f64(-1e300), -1e300],
    ['D', Buffer.concat([u8(2), u32(12345)]), new Typed('D', { scale: 2, value: 12345 })],
    ['D', Buffer.concat([u8(0), u32(0xffff_ffff)]), new Typed('D', { scale: 0, value: 0xffff_ffff })],
    ['S', longstr(Buffer.from('héllo, 世界 😀', 'utf8')), 'héllo, 世界 😀'],
    ['S', longstr(Buffer.alloc(0)), ''],
    ['A', sized(tag('I'), u32(1), tag('S'), longstr(Buffer.from('two')), tag('V')), [1, 'two', null]],
    ['A', sized(), []],
    ['T', u64(1_700_000_000n), new Typed('T', 1_700_000_000)],
    ['T', u64(BigInt(Number.MAX_SAFE_INTEGER)), new Typed('T', Number.MAX_SAFE_INTEGER)],
    ['F', sized(field('inner', 't', u8(1))), { inner: true }],
    ['F', sized(), {}],
    ['V', Buffer.alloc(0), null],
    ['x', longstr(u8(0, 1, 0xce, 0xff)), u8(0, 1, 0xce, 0xff)],
    ['x', longstr(Buffer.alloc(0)), Buffer.alloc(0)],
  ]

  it('covers every tag RabbitMQ clients send: t b B s u I i l f d D S A T F V x', () => {
    expect(new Set(cases.map(([t]) => t))).toEqual(new Set('t b B s u I i l f d D S A T F V x'.split(' ')))
  })

  it.each(cases.map(([t, bytes, expected], i) => [t, i, bytes, expected] as const))("decodes tag '%s' (case %i)", (t, _i, bytes, expected) => {
    const table = decode(sized(field('key', t, bytes)))
    expect(Object.keys(table)).toEqual(['key'])
    expect(table.key).toEqual(expected)
    // Narrow integer tags decode to plain numbers; only D and T keep their tag.
    if (t === 'D' || t === 'T') expect(table.key).toBeInstanceOf(Typed)
    if (t === 'l') expect(typeof table.key).toBe(typeof expected) // bigint only outside the safe range
    if (t === 'x') expect(Buffer.isBuffer(table.key)).toBe(true)
  })

  it('decodes a table holding every tag at once, in order', () => {
    const bytes = sized(...cases.map(([t, value], i) => field(`f${i}-${t}`, t, value)))
    const table = decode(bytes)
    expect(Object.keys(table)).toEqual(cases.map(([t], i) => `f${i}-${t}`))
    cases.forEach(([t, , expected], i) => expect(table[`f${i}-${t}`], `f${i}-${t}`).toEqual(expected))
  })

  it('decodes nested tables and arrays: tables in arrays in tables', () => {
    const inner = sized(field('deep', 'A', sized(tag('F'), sized(field('z', 'b', u8(0xfe))), tag('A'), sized(tag('u'), u16(7)))))
    const bytes = sized(
      field('outer', 'F', inner),
      field('list', 'A', sized(tag('A'), sized(tag('A'), sized()), tag('F'), sized(), tag('x'), longstr(u8(9)))),
      field('after', 'S', longstr(Buffer.from('end'))),
    )
    expect(decode(bytes)).toEqual({
      outer: { deep: [{ z: -2 }, [7]] },
      list: [[[]], {}, u8(9)],
      after: 'end',
    })
  })

  it('decodes the table RabbitMQ clients send as client-properties capabilities', () => {
    const caps = sized(field('publisher_confirms', 't', u8(1)), field('consumer_cancel_notify', 't', u8(1)))
    const bytes = sized(field('product', 'S', longstr(Buffer.from('amqplib'))), field('capabilities', 'F', caps))
    expect(decode(bytes)).toEqual({ product: 'amqplib', capabilities: { publisher_confirms: true, consumer_cancel_notify: true } })
  })

  it('copies x (byte array) values out of the frame, so the decoded Buffer outlives the chunk', () => {
    const bytes = sized(field('bin', 'x', longstr(u8(1, 2, 3))))
    const table = decode(bytes)
    bytes.fill(0)
    expect(table.bin).toEqual(u8(1, 2, 3))
  })

  it('decodes a table that ends before the end of the buffer and leaves the rest unread', () => {
    const bytes = Buffer.concat([sized(field('a', 'V', Buffer.alloc(0))), u8(0xaa, 0xbb)])
    const r = new ByteReader(bytes)
    expect(readFieldTable(r)).toEqual({ a: null })
    expect(r.remaining).toBe(2)
  })
})

describe('field table errors', () => {
  it.each(['Z', 'U', 'L', 'X', '\u0000', 'c', 'v'])("rejects unknown tag %j with UnknownFieldType", (t) => {
    expect(() => decode(sized(field('k', t, u32(0))))).toThrow(UnknownFieldType)
  })

  it('rejects an unknown tag inside an array with UnknownFieldType', () => {
    expect(() => decode(sized(field('k', 'A', sized(tag('I'), u32(1), tag('?'), u32(0)))))).toThrow(UnknownFieldType)
  })

  it('rejects a table whose declared length overruns the payload with 501', () => {
    const good = sized(field('a', 'I', u32(1)))
    const overrun = Buffer.from(good)
    overrun.writeUInt32BE(good.length + 10, 0)
    expectSyntaxError(() => readFieldTable(new ByteReader(overrun)))
    const huge = Buffer.from(good)
    huge.writeUInt32BE(0xffff_ffff, 0)
    expectSyntaxError(() => readFieldTable(new ByteReader(huge)))
  })

  it('rejects a nested table that overruns its parent with 501', () => {
    // Outer table declares 8 bytes, but its one field needs more.
    const inner = sized(field('deep', 'I', u32(5)))
    const body = field('n', 'F', inner)
    const bytes = Buffer.concat([u32(8), body])
    expectSyntaxError(() => readFieldTable(new ByteReader(bytes)))
  })

  it('rejects an array whose declared length overruns the payload with 501', () => {
    expectSyntaxError(() => decode(Buffer.concat([u32(10), shortstr('a'), tag('A'), u32(50), tag('V')])))
  })

  it('rejects a value cut short inside a table with 501 (never a RangeError)', () => {
    const cases = [
      sized(field('k', 'l', u8(0, 0, 0))),
      sized(field('k', 'd', u8(0))),
      sized(field('k', 'S', u8(0, 0, 0, 9, 0x61))),
      sized(field('k', 'x', u8(0, 0, 0, 9))),
      sized(field('k', 'D', u8(2, 0, 0))),
      sized(shortstr('k')), // name without a tag
      sized(u8(5, 0x61)), // name longer than the table
    ]
    for (const bytes of cases) expectSyntaxError(() => readFieldTable(new ByteReader(bytes)))
  })

  it('rejects every truncation of a rich table with 501', () => {
    const r = new SeededRandom(0xf1e1d)
    for (let round = 0; round < 20; round++) {
      const bytes = encode(randomTable(r, 3))
      for (let n = 0; n < bytes.length; n++) expectSyntaxError(() => readFieldTable(new ByteReader(bytes.subarray(0, n))))
    }
  })
})

describe('field table encoding', () => {
  it.each<[string, FieldValue, Buffer]>([
    ['true as t', true, Buffer.concat([tag('t'), u8(1)])],
    ['false as t', false, Buffer.concat([tag('t'), u8(0)])],
    ['an int32 as I', -5, Buffer.concat([tag('I'), u32(0xffff_fffb)])],
    ['0 as I', 0, Buffer.concat([tag('I'), u32(0)])],
    ['2^31-1 as I', 0x7fff_ffff, Buffer.concat([tag('I'), u32(0x7fff_ffff)])],
    ['2^31 as l', 0x8000_0000, Buffer.concat([tag('l'), i64(0x8000_0000n)])],
    ['-2^31-1 as l', -0x8000_0001, Buffer.concat([tag('l'), i64(-0x8000_0001n)])],
    ['a safe integer as l', Number.MAX_SAFE_INTEGER, Buffer.concat([tag('l'), i64(BigInt(Number.MAX_SAFE_INTEGER))])],
    ['a fraction as d', 2.5, Buffer.concat([tag('d'), f64(2.5)])],
    ['an unsafe integer as d', 2 ** 60, Buffer.concat([tag('d'), f64(2 ** 60)])],
    ['a bigint as l', -(2n ** 62n), Buffer.concat([tag('l'), i64(-(2n ** 62n))])],
    ['a string as S (UTF-8)', 'ünï', Buffer.concat([tag('S'), longstr(Buffer.from('ünï', 'utf8'))])],
    ['a Buffer as x', u8(1, 2), Buffer.concat([tag('x'), longstr(u8(1, 2))])],
    ['null as V', null, tag('V')],
    ['an array as A', [true, 'a'], Buffer.concat([tag('A'), sized(tag('t'), u8(1), tag('S'), longstr(Buffer.from('a')))])],
    ['a table as F', { k: null }, Buffer.concat([tag('F'), sized(field('k', 'V', Buffer.alloc(0)))])],
  ])('encodes %s by inference', (_what, value, expected) => {
    expect(encodedValue(value).equals(expected), encodedValue(value).toString('hex')).toBe(true)
  })

  it.each<[Typed, Buffer, FieldValue]>([
    [new Typed('b', -1), Buffer.concat([tag('b'), u8(0xff)]), -1],
    [new Typed('B', 200), Buffer.concat([tag('B'), u8(200)]), 200],
    [new Typed('s', -2), Buffer.concat([tag('s'), u16(0xfffe)]), -2],
    [new Typed('u', 65535), Buffer.concat([tag('u'), u16(0xffff)]), 65535],
    [new Typed('I', -7), Buffer.concat([tag('I'), u32(0xffff_fff9)]), -7],
    [new Typed('i', 0xffff_ffff), Buffer.concat([tag('i'), u32(0xffff_ffff)]), 0xffff_ffff],
    [new Typed('l', 5), Buffer.concat([tag('l'), i64(5n)]), 5],
    [new Typed('l', 2n ** 63n - 1n), Buffer.concat([tag('l'), i64(2n ** 63n - 1n)]), 2n ** 63n - 1n],
    [new Typed('f', 0.5), Buffer.concat([tag('f'), f32(0.5)]), 0.5],
    [new Typed('d', 3), Buffer.concat([tag('d'), f64(3)]), 3],
    [new Typed('T', 1_700_000_000), Buffer.concat([tag('T'), u64(1_700_000_000n)]), new Typed('T', 1_700_000_000)],
    [new Typed('D', { scale: 3, value: 1234 }), Buffer.concat([tag('D'), u8(3), u32(1234)]), new Typed('D', { scale: 3, value: 1234 })],
  ])('encodes Typed(%o) with its tag, and decodes it back', (typed, expected, decoded) => {
    expect(encodedValue(typed).equals(expected), encodedValue(typed).toString('hex')).toBe(true)
    expect(decode(encode({ v: typed })).v).toEqual(decoded)
  })

  it('skips undefined entries', () => {
    const table = { a: 1, b: undefined } as unknown as FieldTable
    expect(decode(encode(table))).toEqual({ a: 1 })
  })

  it('encodes an empty table as four zero bytes', () => {
    expect(encode({}).equals(u32(0))).toBe(true)
  })

  it('re-encodes hand-built canonical bytes exactly', () => {
    const bytes = sized(
      field('i', 'I', u32(7)), field('s', 'S', longstr(Buffer.from('x'))), field('t', 't', u8(1)), field('v', 'V', Buffer.alloc(0)),
      field('d', 'D', Buffer.concat([u8(1), u32(5)])), field('ts', 'T', u64(99n)), field('x', 'x', longstr(u8(3))),
      field('a', 'A', sized(tag('F'), sized(field('n', 'd', f64(0.5))))),
    )
    expect(encode(decode(bytes)).equals(bytes)).toBe(true)
  })

  it('round-trips seeded random nested tables (seed 0x7ab1e)', () => {
    const r = new SeededRandom(0x7ab1e)
    for (let i = 0; i < 300; i++) {
      const table = randomTable(r, 3)
      expect(decode(encode(table)), `table ${i}`).toEqual(table)
    }
  })
})

describe('fieldNumber', () => {
  it('reads a number whatever integer tag carried it', () => {
    expect(fieldNumber(5)).toBe(5)
    expect(fieldNumber(2n ** 60n)).toBe(2 ** 60)
    expect(fieldNumber(new Typed('b', -3))).toBe(-3)
    expect(fieldNumber(new Typed('T', 10))).toBe(10)
    expect(fieldNumber('5')).toBeUndefined()
    expect(fieldNumber(undefined)).toBeUndefined()
    expect(fieldNumber(new Typed('D', { scale: 1, value: 5 }))).toBeUndefined()
  })
})
