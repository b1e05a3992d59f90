// Property-based fuzzing of the wire layer, in process: the frame reader, the method decoder,
// field tables and content assembly, fed valid inputs and mutations of them. The property: every
// decode error is an AmqpError (or a documented drop: UnknownMethodError, UnknownFieldType),
// never a RangeError/TypeError, and what decodes is consistent. Seeded; the seed is printed.
import { describe, it, expect } from 'vitest'
import { AmqpError } from '../../src/errors.js'
import { ByteReader } from '../../src/wire/byte-reader.js'
import { FrameReader } from '../../src/wire/frame-reader.js'
import { ContentAssembler } from '../../src/wire/content-assembler.js'
import { readFieldTable, UnknownFieldType } from '../../src/wire/field-table.js'
import { UnknownMethodError, decodeMethod, decodeProperties, encodeMethodPayload, METHODS } from '../../src/wire/codec.js'
import {
  FUZZ_SEED, Rng, scaled, targetSeed, mutate, hex, describeError, randomMethod, randomFieldTable, encodeFieldTable,
  contentHeaderPayload, randomProperties, frame, type Finding,
} from './fuzz-support.js'

const isExpected = (err: unknown): boolean => err instanceof AmqpError || err instanceof UnknownMethodError || err instanceof UnknownFieldType

const counts: Record<string, number> = {}
const findings: Finding[] = []

function record(target: string, inputSeed: number, input: Buffer, err: unknown): void {
  if (findings.filter((f) => f.target === target).length < 5) findings.push({ target, inputSeed, input: hex(input), error: describeError(err) })
}

function report(target: string): void {
  const mine = findings.filter((f) => f.target === target)
  console.log(`[fuzz] ${target}: seed ${FUZZ_SEED} (target seed ${targetSeed(target)}), ${counts[target]} inputs, ${mine.length} findings`)
  for (const f of mine) console.log(`[fuzz] ${target} finding: input seed ${f.inputSeed}\n  input ${f.input}\n  ${f.error}`)
}

describe(`wire fuzz (FUZZ_SEED=${FUZZ_SEED})`, () => {
  it('method decoder: only AmqpError or a documented drop escapes; valid methods round-trip', () => {
    const target = 'decodeMethod'
    const rng = new Rng(targetSeed(target))
    const ids = [...METHODS.keys()]
    const n = scaled(400_000)
    let valid: Buffer = Buffer.alloc(0)
    for (let i = 0; i < n; i++) {
      const inputSeed = rng.u32()
      const r = new Rng(inputSeed)
      // A fresh valid method every 8 inputs; the others mutate it (decoding is cheaper than encoding).
      if (i % 8 === 0) valid = encodeMethodPayload(randomMethod(r, r.pick(ids)))
      const input = i % 8 === 0 ? valid : r.bool(0.05) ? r.bytes(r.int(64)) : mutate(r, valid, 4)
      try {
        const m = decodeMethod(input)
        // Whatever decodes re-encodes to a payload that decodes to the same method id.
        if (decodeMethod(encodeMethodPayload(m)).id !== m.id) record(target, inputSeed, input, new Error('re-encoded method changed id'))
      } catch (err) {
        if (!isExpected(err) || i % 8 === 0) record(target, inputSeed, input, err)
      }
    }
    counts[target] = n
    report(target)
    expect(findings.filter((f) => f.target === target)).toEqual([])
  })

  it('field tables: only AmqpError or UnknownFieldType escapes readFieldTable', () => {
    const target = 'readFieldTable'
    const rng = new Rng(targetSeed(target))
    const n = scaled(300_000)
    let valid: Buffer = Buffer.alloc(0)
    for (let i = 0; i < n; i++) {
      const inputSeed = rng.u32()
      const r = new Rng(inputSeed)
      if (i % 8 === 0) valid = encodeFieldTable(randomFieldTable(r))
      const input = i % 8 === 0 ? valid : mutate(r, valid, 3)
      const reader = new ByteReader(input)
      try {
        readFieldTable(reader)
        if (reader.pos > input.length) record(target, inputSeed, input, new Error(`reader ran past the end: ${reader.pos} > ${input.length}`))
      } catch (err) {
        if (!isExpected(err) || i % 8 === 0) record(target, inputSeed, input, err)
      }
    }
    counts[target] = n
    report(target)
    expect(findings.filter((f) => f.target === target)).toEqual([])
  })

  it('frame reader: only AmqpError escapes; any chunking yields the same frames', () => {
    const target = 'FrameReader'
    const rng = new Rng(targetSeed(target))
    const n = scaled(150_000)
    for (let i = 0; i < n; i++) {
      const inputSeed = rng.u32()
      const r = new Rng(inputSeed)
      const parts: Buffer[] = [], boundaries: number[] = []
      let at = 0
      for (let k = 1 + r.int(5); k > 0; k--) {
        const f = frame(r.pick([1, 2, 3, 8]), r.int(4), r.bytes(r.int(r.bool(0.1) ? 5000 : 40)))
        boundaries.push(at)
        at += f.length
        parts.push(f)
      }
      const stream = Buffer.concat(parts)
      const input = r.bool(0.2) ? stream : mutate(r, stream, 3, boundaries)
      const frameMax = r.pick([0, 4096, 131072])
      const whole = runFrames(input, [input.length], frameMax)
      const cuts: number[] = []
      for (let left = input.length; left > 0;) { const c = 1 + r.int(Math.min(left, 64)); cuts.push(c); left -= c }
      const chunked = runFrames(input, cuts, frameMax)
      for (const res of [whole, chunked]) if (res.error !== undefined && !(res.error instanceof AmqpError)) record(target, inputSeed, input, res.error)
      if (whole.error === undefined && chunked.error === undefined && whole.frames.join('|') !== chunked.frames.join('|')) {
        record(target, inputSeed, input, new Error(`chunking changed the frames: ${cuts.join(',')}`))
      }
      if ((whole.error === undefined) !== (chunked.error === undefined)) record(target, inputSeed, input, new Error(`chunking changed whether it fails: ${cuts.join(',')}`))
    }
    counts[target] = n
    report(target)
    expect(findings.filter((f) => f.target === target)).toEqual([])
  })

  it('content assembly: only AmqpError escapes; a finished command has exactly the declared body', () => {
    const target = 'ContentAssembler'
    const rng = new Rng(targetSeed(target))
    const n = scaled(200_000)
    for (let i = 0; i < n; i++) {
      const inputSeed = rng.u32()
      const r = new Rng(inputSeed)
      const maxBody = r.pick([0, 10, 1000, 128 * 1024 * 1024])
      const asm = new ContentAssembler<number>(maxBody)
      const trace: Buffer[] = []
      try {
        for (let step = 0; step < 8; step++) {
          const kind = r.int(10)
          if (kind < 2) { asm.methodFrame(); asm.start(step); trace.push(Buffer.from('M')) }
          else if (kind < 3) { asm.methodFrame(); trace.push(Buffer.from('m')) }
          else if (kind < 6) {
            const size = r.bool(0.8) ? r.int(30) : r.pick([0, 2 ** 32, 2 ** 53 - 1, maxBody + 1])
            let payload = contentHeaderPayload(size, randomProperties(r))
            if (r.bool(0.3)) payload = mutate(r, payload, 2)
            trace.push(Buffer.concat([Buffer.from('H'), payload]))
            const done = asm.header(payload)
            if (done) check(done.body.length === 0, 'empty body expected')
            if (done) decodeQuietly(done.properties)
          } else if (kind < 9) {
            const body = r.bytes(r.int(20))
            trace.push(Buffer.concat([Buffer.from('B'), body]))
            const done = asm.body(body)
            if (done) decodeQuietly(done.properties)
          } else { asm.reset(); trace.push(Buffer.from('R')) }
        }
      } catch (err) {
        if (!(err instanceof AmqpError)) record(target, inputSeed, Buffer.concat(trace), err)
      }
    }
    counts[target] = n
    report(target)
    expect(findings.filter((f) => f.target === target)).toEqual([])
  })

  it('prints the totals', () => {
    const total = Object.values(counts).reduce((a, b) => a + b, 0)
    console.log(`[fuzz] wire total: ${total} inputs, seed ${FUZZ_SEED}: ${JSON.stringify(counts)}`)
    expect(findings).toEqual([])
  })
})

function runFrames(input: Buffer, cuts: number[], frameMax: number): { frames: string[]; error: unknown } {
  const frames: string[] = []
  const reader = new FrameReader((type, channel, payload) => frames.push(`${type}/${channel}/${payload.toString('hex')}`), frameMax)
  let at = 0
  try {
    for (const c of cuts) { reader.push(input.subarray(at, at + c)); at += c }
  } catch (err) {
    return { frames, error: err }
  }
  return { frames, error: undefined }
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new TypeError(`property violated: ${what}`)
}

/** The broker decodes properties when it needs a field: that too may only fail as an AmqpError or a drop. */
function decodeQuietly(raw: Buffer): void {
  try {
    decodeProperties(raw)
  } catch (err) {
    if (!isExpected(err)) throw err
  }
}
