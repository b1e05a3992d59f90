// Every method in the spec round-trips through the generated codec with seeded random arguments
// (STYLE 9), basic properties round-trip in any subset, and truncated payloads are 501 FRAME_ERROR (RabbitMQ's code for an undecodable frame).
import { describe, it, expect } from 'vitest'
import {
  METHODS, readMethod, writeMethod, readBasicProperties, writeBasicProperties, decodeMethod, encodeMethodPayload,
  encodeProperties, decodeProperties, BASIC_PROPERTY_NAMES, BASIC_PROPERTY_TYPES,
  type Method, type BasicProperties, type MethodInfo,
} from '../../../src/wire/codec.js'
import { ByteReader } from '../../../src/wire/byte-reader.js'
import { ByteWriter } from '../../../src/wire/byte-writer.js'
import { AmqpError } from '../../../src/errors.js'
import { SeededRandom } from '../seeded-random.js'
import { randomFieldOfType } from './random-values.js'

const SEED = 0x5eed_c0de
const SETS_PER_METHOD = 24

function randomArgs(r: SeededRandom, info: MethodInfo): Record<string, unknown> {
  const args: Record<string, unknown> = {}
  for (const [name, type] of info.fields) args[name] = randomFieldOfType(r, type)
  return args
}

function encode(m: Method, initialBytes = 8): Buffer {
  const w = new ByteWriter(initialBytes) // small, so the writer's growth is exercised too
  writeMethod(w, m)
  return w.takeCopy()
}

/** Runs fn and returns what it threw; fails if it returned. */
function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (e) {
    return e
  }
  throw new Error('expected a throw, but the call returned')
}

function expectSyntaxError(fn: () => unknown, context: string): void {
  const e = thrown(fn)
  expect(e, `${context}: threw ${String(e)}`).toBeInstanceOf(AmqpError)
  expect((e as AmqpError).replyCode, context).toBe(501)
}

describe('method codec', () => {
  const methods = [...METHODS.values()]

  it('knows every method of the spec (ids unique and consistent)', () => {
    expect(methods.length).toBeGreaterThanOrEqual(60)
    for (const info of methods) {
      expect(info.id).toBe((info.classId << 16) | info.methodId)
      expect(METHODS.get(info.id)).toBe(info)
    }
  })

  describe.each(methods.map((info) => [info.name, info] as const))('%s', (_name, info) => {
    it(`round-trips ${SETS_PER_METHOD} seeded random argument sets (seed ${SEED} ^ ${info.id})`, () => {
      const r = new SeededRandom(SEED ^ info.id)
      for (let set = 0; set < SETS_PER_METHOD; set++) {
        const m = { id: info.id, args: randomArgs(r, info) } as Method
        const bytes = encode(m)
        expect(bytes.readUInt16BE(0)).toBe(info.classId)
        expect(bytes.readUInt16BE(2)).toBe(info.methodId)
        const reader = new ByteReader(bytes)
        const decoded = readMethod(reader)
        expect(decoded, `set ${set}`).toEqual(m)
        expect(reader.remaining, `set ${set}: bytes left unread`).toBe(0)
        // Re-encoding what was decoded gives the same bytes.
        expect(encode(decoded!).equals(bytes), `set ${set}: re-encoding differs`).toBe(true)
        // The helpers the connection uses agree with the raw reader and writer.
        expect(encodeMethodPayload(m).equals(bytes)).toBe(true)
        expect(decodeMethod(bytes)).toEqual(m)
      }
    })

    it('throws 501 FRAME_ERROR on every truncation of its payload', () => {
      const r = new SeededRandom(SEED + info.id)
      const bytes = encode({ id: info.id, args: randomArgs(r, info) } as Method)
      for (let n = 0; n < bytes.length; n++) {
        expectSyntaxError(() => readMethod(new ByteReader(bytes.subarray(0, n))), `${info.name} cut to ${n} of ${bytes.length} bytes`)
        expectSyntaxError(() => readMethod(new ByteReader(bytes, 0, n)), `${info.name} read with end ${n} of ${bytes.length}`)
        // What the connection calls: still an AmqpError that closes the connection, never a RangeError.
        const e = thrown(() => decodeMethod(bytes.subarray(0, n)))
        expect(e, `decodeMethod of ${info.name} cut to ${n}: threw ${String(e)}`).toBeInstanceOf(AmqpError)
        expect((e as AmqpError).scope).toBe('connection')
      }
    })
  })

  it('packs consecutive bits into one octet, first bit least significant (queue.declare)', () => {
    const queueDeclare = methods.find((m) => m.name === 'queue.declare')!
    const args = { ticket: 0, queue: 'q', passive: true, durable: false, exclusive: true, autoDelete: false, nowait: true, arguments: {} }
    const bytes = encode({ id: queueDeclare.id, args } as Method)
    // class, method, ticket(2), shortstr(1 + 1), bits(1), table(4)
    expect(bytes.length).toBe(4 + 2 + 2 + 1 + 4)
    expect(bytes[8]).toBe(0b10101)
  })

  it('returns undefined from readMethod, and throws from decodeMethod, for an unknown method', () => {
    const payload = Buffer.from([0x00, 0x0a, 0x03, 0xe7])
    expect(readMethod(new ByteReader(payload))).toBeUndefined()
    expect(() => decodeMethod(payload)).toThrow()
  })
})

describe('basic properties', () => {
  const randomProperties = (r: SeededRandom, all: boolean): BasicProperties => {
    const p: Record<string, unknown> = {}
    BASIC_PROPERTY_NAMES.forEach((name, i) => {
      if (all || r.bool()) p[name] = randomFieldOfType(r, BASIC_PROPERTY_TYPES[i])
    })
    return p as BasicProperties
  }

  const roundTrip = (p: BasicProperties): BasicProperties => {
    const w = new ByteWriter(4)
    writeBasicProperties(w, p)
    const bytes = w.takeCopy()
    const reader = new ByteReader(bytes)
    const decoded = readBasicProperties(reader)
    expect(reader.remaining).toBe(0)
    expect(encodeProperties(p).equals(bytes)).toBe(true)
    expect(decodeProperties(bytes)).toEqual(decoded)
    return decoded
  }

  it('has the 14 properties of the basic class', () => {
    expect(BASIC_PROPERTY_NAMES).toHaveLength(14)
    expect(BASIC_PROPERTY_TYPES).toHaveLength(14)
  })

  it(`round-trips random subsets of properties (seed ${SEED})`, () => {
    const r = new SeededRandom(SEED)
    for (let i = 0; i < 200; i++) {
      const p = randomProperties(r, false)
      expect(roundTrip(p), `set ${i}`).toEqual(p)
    }
  })

  it('round-trips all 14 properties set', () => {
    const r = new SeededRandom(SEED + 14)
    for (let i = 0; i < 50; i++) {
      const p = randomProperties(r, true)
      expect(Object.keys(p)).toHaveLength(14)
      const decoded = roundTrip(p)
      expect(decoded).toEqual(p)
      expect(Object.keys(decoded).sort()).toEqual([...BASIC_PROPERTY_NAMES].sort())
    }
  })

  it('encodes no properties as flags 0x0000 and decodes them to an empty object', () => {
    expect(encodeProperties({}).equals(Buffer.from([0, 0]))).toBe(true)
    expect(roundTrip({})).toEqual({})
  })

  it('sets the property flag bits from bit 15 (content-type) down to bit 2 (cluster-id)', () => {
    BASIC_PROPERTY_NAMES.forEach((name, i) => {
      const r = new SeededRandom(i)
      const bytes = encodeProperties({ [name]: randomFieldOfType(r, BASIC_PROPERTY_TYPES[i]) } as BasicProperties)
      expect(bytes.readUInt16BE(0), name).toBe(1 << (15 - i))
    })
  })

  it('throws 501 FRAME_ERROR on every truncation of a full property list', () => {
    const r = new SeededRandom(SEED + 502)
    const bytes = encodeProperties(randomProperties(r, true))
    for (let n = 0; n < bytes.length; n++) {
      expectSyntaxError(() => readBasicProperties(new ByteReader(bytes.subarray(0, n))), `properties cut to ${n} of ${bytes.length}`)
    }
  })
})
