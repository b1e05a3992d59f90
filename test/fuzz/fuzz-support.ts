// Shared pieces of the fuzz targets: a seeded PRNG (reproducible from the printed seed), random
// valid wire values built with Warren's own encoders, and byte-level mutators. Not a test file.
//
// Reproduce a run: FUZZ_SEED=<seed printed by the run> npx vitest run test/fuzz
// Scale the input counts: FUZZ_SCALE=0.1 (quick) ... FUZZ_SCALE=10 (long).
import { ByteWriter } from '../../src/wire/byte-writer.js'
import { writeFieldTable, Typed, type FieldTable, type FieldValue } from '../../src/wire/field-table.js'
import { METHODS, FRAME_END, encodeMethodPayload, encodeProperties, type Method, type BasicProperties } from '../../src/wire/codec.js'

/** The run's seed: FUZZ_SEED if given, otherwise fresh; every target derives its own from it. */
export const FUZZ_SEED: number = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) >>> 0 : (Math.random() * 0x1_0000_0000) >>> 0
export const FUZZ_SCALE: number = process.env.FUZZ_SCALE ? Number(process.env.FUZZ_SCALE) : 1

export const scaled = (n: number): number => Math.max(1, Math.round(n * FUZZ_SCALE))

/** mulberry32: small, fast, and good enough to drive mutations. */
export class Rng {
  private s: number
  constructor(readonly seed: number) {
    this.s = seed >>> 0
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000
  }
  int(n: number): number {
    return Math.floor(this.next() * n)
  }
  bool(p = 0.5): boolean {
    return this.next() < p
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n)
    for (let i = 0; i < n; i++) b[i] = this.int(256)
    return b
  }
  /** A fresh u32 to seed a sub-generator (one per input, so any input reproduces alone). */
  u32(): number {
    return (this.next() * 0x1_0000_0000) >>> 0
  }
}

/** Derives a target's seed from the run seed and the target's name. */
export function targetSeed(name: string): number {
  let h = FUZZ_SEED ^ 0x811c9dc5
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193)
  return h >>> 0
}

const INTERESTING_U8 = [0, 1, 0x7f, 0x80, 0xfe, 0xff, 0xce]
const INTERESTING_U32 = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff8]

export function randomString(rng: Rng, max: number): string {
  const n = rng.int(max + 1)
  let s = ''
  for (let i = 0; i < n; i++) s += rng.bool(0.9) ? String.fromCharCode(97 + rng.int(26)) : rng.pick(['.', '#', '*', '-', 'é', '__proto__', 'constructor'])
  return s
}

function fitShortstr(s: string): string {
  while (Buffer.byteLength(s) > 255) s = s.slice(0, s.length - 1)
  return s
}

export function randomFieldValue(rng: Rng, depth: number): FieldValue {
  switch (rng.int(depth > 2 ? 10 : 13)) {
    case 0: return rng.bool()
    case 1: return rng.int(256) - 128
    case 2: return rng.int(0x1_0000_0000) - 0x8000_0000
    case 3: return rng.next() * 1e6
    case 4: return randomString(rng, 40)
    case 5: return rng.bytes(rng.int(20))
    case 6: return null
    case 7: return new Typed('T', rng.int(2 ** 31))
    case 8: return new Typed('D', { scale: rng.int(10), value: rng.int(2 ** 31) })
    case 9: return BigInt(rng.int(2 ** 31)) * 1000003n
    case 10: return randomFieldTable(rng, depth + 1)
    case 11: { const n = rng.int(4), xs: FieldValue[] = []; for (let i = 0; i < n; i++) xs.push(randomFieldValue(rng, depth + 1)); return xs }
    default: return new Typed(rng.pick(['b', 's', 'I', 'l'] as const), rng.int(100))
  }
}

export function randomFieldTable(rng: Rng, depth = 0): FieldTable {
  const t: FieldTable = {}
  const n = rng.int(depth === 0 ? 6 : 3)
  for (let i = 0; i < n; i++) {
    const name = rng.bool(0.05) ? rng.pick(['x-message-ttl', 'x-max-length', 'x-queue-type', 'x-dead-letter-exchange', 'x-expires', 'x-max-priority', 'x-overflow', 'x-single-active-consumer']) : fitShortstr(randomString(rng, 12))
    Object.defineProperty(t, name, { value: randomFieldValue(rng, depth), enumerable: true, writable: true, configurable: true })
  }
  return t
}

export function encodeFieldTable(t: FieldTable): Buffer {
  const w = new ByteWriter(64)
  writeFieldTable(w, t)
  return w.takeCopy()
}

/** A method with random (well-typed) arguments, for every method in the spec. */
export function randomMethod(rng: Rng, id = rng.pick([...METHODS.keys()])): Method {
  const info = METHODS.get(id)!
  const args: Record<string, unknown> = {}
  for (const [name, type] of info.fields) {
    switch (type) {
      case 'octet': args[name] = rng.int(256); break
      case 'short': args[name] = rng.bool(0.2) ? rng.pick([0, 1, 0xffff]) : rng.int(0x10000); break
      case 'long': args[name] = rng.int(0x1_0000_0000); break
      case 'longlong': args[name] = rng.int(2 ** 40); break
      case 'shortstr': args[name] = fitShortstr(randomString(rng, 30)); break
      case 'longstr': args[name] = rng.bytes(rng.int(40)); break
      case 'bit': args[name] = rng.bool(); break
      case 'table': args[name] = randomFieldTable(rng); break
      default: throw new Error(`fuzz support: no generator for field type ${type}`)
    }
  }
  return { id, args } as unknown as Method
}

export function randomProperties(rng: Rng): BasicProperties {
  const p: BasicProperties = {}
  if (rng.bool()) p.contentType = 'text/plain'
  if (rng.bool(0.3)) p.headers = randomFieldTable(rng)
  if (rng.bool()) p.deliveryMode = rng.pick([1, 2])
  if (rng.bool(0.3)) p.priority = rng.int(10)
  if (rng.bool(0.3)) p.messageId = randomString(rng, 20)
  if (rng.bool(0.2)) p.expiration = String(rng.int(100000))
  if (rng.bool(0.2)) p.timestamp = rng.int(2 ** 31)
  if (rng.bool(0.2)) p.replyTo = randomString(rng, 10)
  return p
}

/** A content header frame payload: class 60, weight 0, body size, properties. */
export function contentHeaderPayload(bodySize: number, properties: BasicProperties): Buffer {
  const props = encodeProperties(properties)
  const b = Buffer.alloc(12 + props.length)
  b.writeUInt16BE(60, 0)
  b.writeUInt16BE(0, 2)
  b.writeUInt32BE(Math.floor(bodySize / 0x1_0000_0000), 4)
  b.writeUInt32BE(bodySize >>> 0, 8)
  props.copy(b, 12)
  return b
}

export function frame(type: number, channel: number, payload: Buffer): Buffer {
  const b = Buffer.allocUnsafe(8 + payload.length)
  b[0] = type
  b.writeUInt16BE(channel, 1)
  b.writeUInt32BE(payload.length, 3)
  payload.copy(b, 7)
  b[7 + payload.length] = FRAME_END
  return b
}

export const methodFrame = (channel: number, m: Method): Buffer => frame(1, channel, encodeMethodPayload(m))

/**
 * Applies 1..maxOps random mutations: bit flips, interesting bytes and lengths, inserts, deletes,
 * duplicated ranges, truncation. `boundaries` (offsets of frame starts) lets it aim at frame
 * headers: type octet, channel, size.
 */
export function mutate(rng: Rng, input: Buffer, maxOps = 4, boundaries: readonly number[] = []): Buffer {
  let b = Buffer.from(input)
  const ops = 1 + rng.int(maxOps)
  for (let k = 0; k < ops; k++) {
    const at = b.length === 0 ? 0 : rng.int(b.length)
    switch (rng.int(boundaries.length > 0 ? 11 : 8)) {
      case 0: if (b.length) b[at] ^= 1 << rng.int(8); break
      case 1: if (b.length) b[at] = rng.pick(INTERESTING_U8); break
      case 2: if (b.length) b[at] = rng.int(256); break
      case 3: if (b.length >= 4) { const p = rng.int(b.length - 3); b.writeUInt32BE(rng.bool() ? rng.pick(INTERESTING_U32) : (b.readUInt32BE(p) + rng.int(17) - 8) >>> 0, p) } break
      case 4: if (b.length >= 2) { const p = rng.int(b.length - 1); b.writeUInt16BE(rng.pick(INTERESTING_U32) & 0xffff, p) } break
      case 5: b = Buffer.concat([b.subarray(0, at), rng.bytes(1 + rng.int(8)), b.subarray(at)]); break
      case 6: b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + rng.int(16)))]); break
      case 7: {
        if (rng.bool(0.3)) { b = b.subarray(0, at); break }
        const len = 1 + rng.int(32)
        b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + len), b.subarray(at)])
        break
      }
      case 8: { const f = rng.pick(boundaries); if (f < b.length) b[f] = rng.pick([0, 1, 2, 3, 4, 8, 9, 0xce, rng.int(256)]); break }
      case 9: { const f = rng.pick(boundaries); if (f + 3 <= b.length) b.writeUInt16BE(rng.pick([0, 1, 2, 7, 2047, 2048, 0xffff]), f + 1); break }
      default: { const f = rng.pick(boundaries); if (f + 7 <= b.length) b.writeUInt32BE(rng.bool() ? rng.pick(INTERESTING_U32) : (b.readUInt32BE(f + 3) + rng.int(9) - 4) >>> 0, f + 3); break }
    }
  }
  return b
}

/** Up to the first 400 bytes of an input as hex, for reports. */
export const hex = (b: Buffer): string => b.subarray(0, 400).toString('hex') + (b.length > 400 ? `...(+${b.length - 400})` : '')

export interface Finding {
  target: string
  inputSeed: number
  input: string
  error: string
}

/** Describes an escaped error with its stack, trimmed. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.constructor.name}: ${err.message}\n${(err.stack ?? '').split('\n').slice(1, 8).join('\n')}`
  return `non-Error thrown: ${String(err)}`
}
