// Seeded random AMQP values for the wire round-trip tests: one generator per field type, and field
// tables holding every value type the encoder can infer. Test-only.
import { Typed, type FieldTable, type FieldValue } from '../../../src/wire/field-table.js'
import type { SeededRandom } from '../seeded-random.js'

const TWO_31 = 0x8000_0000
const MAX_SAFE = Number.MAX_SAFE_INTEGER

/** A value for a method field or content property of the given AMQP domain type. */
export function randomFieldOfType(r: SeededRandom, type: string): unknown {
  switch (type) {
    case 'bit': return r.bool()
    case 'octet': return r.int(0, 255)
    case 'short': return r.int(0, 0xffff)
    case 'long': return r.int(0, 0xffff_ffff)
    case 'longlong': return r.pick([0, 1, MAX_SAFE, r.int(0, MAX_SAFE), r.int(0, 0xffff_ffff)])
    case 'timestamp': return r.pick([0, MAX_SAFE, r.int(0, MAX_SAFE), r.int(1_600_000_000, 1_900_000_000)])
    case 'shortstr': return r.pick(['', maxShortstr(r), r.utf8(255), r.utf8(16)])
    case 'longstr': return r.bytes(r.pick([0, 1, r.int(0, 64), r.int(0, 5000)]))
    case 'table': return randomTable(r, 2)
    default: throw new Error(`no generator for AMQP type '${type}'`)
  }
}

/** A short string of exactly 255 UTF-8 bytes, ending in a multi-byte character. */
function maxShortstr(r: SeededRandom): string {
  const tail = r.pick(['é', '€', '😀'])
  return 'k'.repeat(255 - Buffer.byteLength(tail)) + tail
}

/** A non-integer double (so inference picks tag d), never -0 or NaN. */
function randomDouble(r: SeededRandom): number {
  const v = (r.next() - 0.5) * 10 ** r.int(-3, 12)
  return Number.isInteger(v) ? v + 0.5 : v
}

/** One value of every kind the encoder infers, each decoding back to an equal value. */
export function randomFieldValue(r: SeededRandom, depth: number): FieldValue {
  const kinds = depth > 0 ? 13 : 11
  switch (r.int(0, kinds - 1)) {
    case 0: return r.bool()
    case 1: return r.pick([0, -1, 0x7fff_ffff, -TWO_31, r.int(-TWO_31, TWO_31 - 1)]) // I
    case 2: return r.bool() ? r.int(TWO_31, MAX_SAFE) : -r.int(TWO_31 + 1, MAX_SAFE) // l, as a safe number
    case 3: return randomDouble(r) // d
    case 4: { // l, as a bigint: only outside the safe range does it decode to a bigint
      const big = BigInt(MAX_SAFE) + 1n + BigInt(r.int(0, MAX_SAFE)) * BigInt(r.int(1, 1000))
      return r.bool() ? big : -big
    }
    case 5: return r.utf8(r.pick([0, 8, 300])) // S
    case 6: return r.bytes(r.int(0, 40)) // x
    case 7: return null // V
    case 8: return new Typed('T', r.int(0, MAX_SAFE))
    case 9: return new Typed('D', { scale: r.int(0, 255), value: r.int(0, 0xffff_ffff) })
    case 10: return r.pick(['', 'x-match', 'all'])
    case 11: return Array.from({ length: r.int(0, 5) }, () => randomFieldValue(r, depth - 1)) // A
    default: return randomTable(r, depth - 1) // F
  }
}

export function randomTable(r: SeededRandom, depth: number): FieldTable {
  const table: FieldTable = {}
  const n = r.int(0, 6)
  for (let i = 0; i < n; i++) {
    const name = r.pick([`k${i}`, `x-${r.utf8(20)}`, r.utf8(60), 'n'.repeat(255)])
    table[name] = randomFieldValue(r, depth)
  }
  return table
}
