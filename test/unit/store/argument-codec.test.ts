// Argument tables survive the JSON form of definitions.log without losing a type.
import { describe, expect, it } from 'vitest'
import { canonicalArguments, decodeArgument, encodeArgument } from '../../../src/store/argument-codec.js'

const roundTrip = (v: unknown) => decodeArgument(JSON.parse(JSON.stringify(encodeArgument(v))))

describe('argument codec', () => {
  it('round-trips every value kind', () => {
    const table = {
      s: 'str', n: 1.5, i: -7, t: true, f: false, z: null, big: -(2n ** 64n), buf: Buffer.from([0, 255]), arr: ['a', ['b', 1n], { c: [] }],
      nan: Number.NaN, inf: Number.POSITIVE_INFINITY, negZero: -0, date: new Date(1700000000123), nested: { deeper: { deepest: Buffer.alloc(3, 9) } },
      arrayLikeTag: ['b', 'not base64'],
    }
    const back = roundTrip(table) as Record<string, unknown>
    expect(back).toEqual(table)
    expect(Object.is(back.negZero, -0)).toBe(true)
    expect(Buffer.isBuffer(back.buf)).toBe(true)
  })

  it('keeps a "__proto__" key as data', () => {
    const table = JSON.parse('{"__proto__": {"x": 1}}') as Record<string, unknown>
    const back = roundTrip(table) as Record<string, unknown>
    expect(Object.keys(back)).toEqual(['__proto__'])
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype)
  })

  it('canonical form ignores key order only', () => {
    expect(canonicalArguments({ a: 1, b: { c: 2, d: 3 } })).toBe(canonicalArguments({ b: { d: 3, c: 2 }, a: 1 }))
    expect(canonicalArguments({ a: 1 })).not.toBe(canonicalArguments({ a: 1n }))
    expect(canonicalArguments({ a: [1, 2] })).not.toBe(canonicalArguments({ a: [2, 1] }))
  })
})
