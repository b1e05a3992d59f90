// Headers exchange matching as RabbitMQ does it (rabbit_exchange_type_headers:headers_match/2):
// x-match all (the default) | any | all-with-x | any-with-x; `x-` arguments are ignored except by
// the *-with-x modes; a void binding value matches on presence; values compare by value, whatever
// field type carried them (the types are ignored, and Erlang's == makes 1 equal 1.0).
import { describe, it, expect } from 'vitest'
import { headersMatch } from '../../../src/broker/exchange/headers.js'
import type { Binding } from '../../../src/broker/exchange/exchange.js'
import { Typed } from '../../../src/wire/field-table.js'

const binding = (args: Record<string, unknown>): Binding => ({ arguments: args }) as unknown as Binding
const match = (args: Record<string, unknown>, headers: Record<string, unknown>) => headersMatch(binding(args), headers)

describe('headersMatch x-match all', () => {
  const args = { 'x-match': 'all', format: 'pdf', type: 'report' }

  it('matches when every argument is present and equal, extra headers allowed', () => {
    expect(match(args, { format: 'pdf', type: 'report' })).toBe(true)
    expect(match(args, { format: 'pdf', type: 'report', other: 1 })).toBe(true)
  })

  it('does not match when one argument is missing or different', () => {
    expect(match(args, { format: 'pdf' })).toBe(false)
    expect(match(args, { format: 'pdf', type: 'log' })).toBe(false)
    expect(match(args, {})).toBe(false)
  })

  it('is the default when x-match is absent', () => {
    expect(match({ format: 'pdf', type: 'report' }, { format: 'pdf' })).toBe(false)
    expect(match({ format: 'pdf', type: 'report' }, { format: 'pdf', type: 'report' })).toBe(true)
  })

  it('ignores x- arguments and x- headers', () => {
    expect(match({ 'x-match': 'all', 'x-tenant': 'a', format: 'pdf' }, { format: 'pdf' })).toBe(true)
    expect(match({ 'x-match': 'all', 'x-tenant': 'a', format: 'pdf' }, { format: 'pdf', 'x-tenant': 'b' })).toBe(true)
  })

  it('matches everything when no argument counts (vacuously)', () => {
    expect(match({ 'x-match': 'all' }, {})).toBe(true)
    expect(match({}, { a: 1 })).toBe(true)
    expect(match({ 'x-match': 'all', 'x-only': 1 }, {})).toBe(true)
  })

  it('is case-sensitive in names and string values', () => {
    expect(match({ Format: 'pdf' }, { format: 'pdf' })).toBe(false)
    expect(match({ format: 'PDF' }, { format: 'pdf' })).toBe(false)
  })
})

describe('headersMatch x-match any', () => {
  const args = { 'x-match': 'any', format: 'pdf', type: 'report' }

  it('matches when at least one argument is present and equal', () => {
    expect(match(args, { format: 'pdf' })).toBe(true)
    expect(match(args, { format: 'zip', type: 'report' })).toBe(true)
  })

  it('does not match when none is', () => {
    expect(match(args, { format: 'zip', type: 'log' })).toBe(false)
    expect(match(args, {})).toBe(false)
  })

  it('ignores x- arguments', () => {
    expect(match({ 'x-match': 'any', 'x-tenant': 'a', format: 'pdf' }, { 'x-tenant': 'a' })).toBe(false)
  })

  it('matches nothing when no argument counts', () => {
    expect(match({ 'x-match': 'any' }, { a: 1 })).toBe(false)
    expect(match({ 'x-match': 'any', 'x-only': 1 }, { 'x-only': 1 })).toBe(false)
  })
})

describe('headersMatch x-match all-with-x and any-with-x', () => {
  it('all-with-x requires x- arguments too', () => {
    const args = { 'x-match': 'all-with-x', 'x-tenant': 'a', format: 'pdf' }
    expect(match(args, { format: 'pdf', 'x-tenant': 'a' })).toBe(true)
    expect(match(args, { format: 'pdf' })).toBe(false)
    expect(match(args, { format: 'pdf', 'x-tenant': 'b' })).toBe(false)
    expect(match(args, { 'x-tenant': 'a' })).toBe(false)
  })

  it('any-with-x is satisfied by an x- argument alone', () => {
    const args = { 'x-match': 'any-with-x', 'x-tenant': 'a', format: 'pdf' }
    expect(match(args, { 'x-tenant': 'a' })).toBe(true)
    expect(match(args, { format: 'pdf' })).toBe(true)
    expect(match(args, { 'x-tenant': 'b', format: 'zip' })).toBe(false)
    expect(match(args, {})).toBe(false)
  })

  it('never compares x-match itself (a message need not carry it)', () => {
    expect(match({ 'x-match': 'all-with-x', a: 1 }, { a: 1 })).toBe(true)
    expect(match({ 'x-match': 'any-with-x' }, { 'x-match': 'any-with-x' })).toBe(false)
    expect(match({ 'x-match': 'all-with-x' }, {})).toBe(true)
  })
})

describe('headersMatch void values', () => {
  it('a void (null) argument matches on the header being present, whatever its value', () => {
    expect(match({ flag: null }, { flag: 'anything' })).toBe(true)
    expect(match({ flag: null }, { flag: 0 })).toBe(true)
    expect(match({ flag: null }, { flag: false })).toBe(true)
    expect(match({ flag: null }, { flag: null })).toBe(true)
    expect(match({ flag: null }, {})).toBe(false)
    expect(match({ flag: null }, { other: 1 })).toBe(false)
  })

  it('counts void arguments under any and all', () => {
    expect(match({ 'x-match': 'any', flag: null, kind: 'a' }, { flag: 1 })).toBe(true)
    expect(match({ 'x-match': 'all', flag: null, kind: 'a' }, { flag: 1 })).toBe(false)
    expect(match({ 'x-match': 'all', flag: null, kind: 'a' }, { flag: 1, kind: 'a' })).toBe(true)
  })

  it('a void header does not equal a non-void argument', () => {
    expect(match({ n: 1 }, { n: null })).toBe(false)
    expect(match({ s: '' }, { s: null })).toBe(false)
  })
})

describe('headersMatch value equality', () => {
  it('compares numbers by value across integer and float field types', () => {
    // Decoded b, s, I, l (safe), f, d all arrive as JS numbers: 1 (I) equals 1.0 (d), as in Erlang.
    expect(match({ n: 1 }, { n: 1.0 })).toBe(true)
    expect(match({ n: 1.5 }, { n: 1.5 })).toBe(true)
    expect(match({ n: 1 }, { n: 2 })).toBe(false)
    expect(match({ n: -1 }, { n: 0xffff_ffff })).toBe(false) // I -1 is not i 4294967295
  })

  it('compares a bigint (l outside the safe range) with a number by value', () => {
    expect(match({ n: 5 }, { n: 5n })).toBe(true)
    expect(match({ n: 5n }, { n: 5 })).toBe(true)
    expect(match({ n: 2n ** 60n }, { n: 2n ** 60n })).toBe(true)
  })

  // SRC BUG (left failing on purpose): src/broker/exchange/headers.ts valuesEqual() compares
  // Number(a) === Number(b), so two distinct 64-bit integers above 2^53 that round to the same
  // double are "equal". RabbitMQ compares the integers exactly.
  it('[SRC BUG: bigints compared as doubles] tells apart 64-bit integers that differ in the last bit', () => {
    expect(match({ n: 2n ** 60n + 1n }, { n: 2n ** 60n })).toBe(false)
    expect(match({ n: 2n ** 62n }, { n: 2n ** 62n + 1n })).toBe(false)
  })

  // SRC BUG (left failing on purpose): RabbitMQ ignores field types when matching (_PT, _DT in
  // headers_match/5), and a timestamp's value is an integer, so header T 5 equals argument I 5.
  // headers.ts valuesEqual() sees a Typed object against a number and answers false.
  it('[SRC BUG: Typed timestamps never equal numbers] matches a timestamp header against an integer argument by value', () => {
    expect(match({ at: 1_700_000_000 }, { at: new Typed('T', 1_700_000_000) })).toBe(true)
    expect(match({ at: new Typed('T', 1_700_000_000) }, { at: 1_700_000_000 })).toBe(true)
  })

  it('matches typed values (timestamps, decimals) of the same tag by value', () => {
    expect(match({ at: new Typed('T', 5) }, { at: new Typed('T', 5) })).toBe(true)
    expect(match({ at: new Typed('T', 5) }, { at: new Typed('T', 6) })).toBe(false)
    expect(match({ d: new Typed('D', { scale: 2, value: 150 }) }, { d: new Typed('D', { scale: 2, value: 150 }) })).toBe(true)
    expect(match({ d: new Typed('D', { scale: 2, value: 150 }) }, { d: new Typed('D', { scale: 1, value: 150 }) })).toBe(false)
  })

  it('does not equate numbers with strings or booleans', () => {
    expect(match({ n: 1 }, { n: '1' })).toBe(false)
    expect(match({ n: '1' }, { n: 1 })).toBe(false)
    expect(match({ n: 1 }, { n: true })).toBe(false)
    expect(match({ n: true }, { n: 1 })).toBe(false)
    expect(match({ n: 0 }, { n: false })).toBe(false)
  })

  it('compares booleans, strings, byte arrays, arrays and tables by value', () => {
    expect(match({ b: true }, { b: true })).toBe(true)
    expect(match({ b: true }, { b: false })).toBe(false)
    expect(match({ s: 'ü€' }, { s: 'ü€' })).toBe(true)
    expect(match({ x: Buffer.from([1, 2]) }, { x: Buffer.from([1, 2]) })).toBe(true)
    expect(match({ x: Buffer.from([1, 2]) }, { x: Buffer.from([1, 3]) })).toBe(false)
    expect(match({ a: [1, 'two', [3]] }, { a: [1, 'two', [3]] })).toBe(true)
    expect(match({ a: [1, 2] }, { a: [2, 1] })).toBe(false)
    expect(match({ a: [1] }, { a: [1, 1] })).toBe(false)
    expect(match({ t: { k: 'v', n: { m: 1 } } }, { t: { n: { m: 1 }, k: 'v' } })).toBe(true)
    expect(match({ t: { k: 'v' } }, { t: { k: 'v', extra: 1 } })).toBe(false)
  })
})
