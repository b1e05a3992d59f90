// Found by the field-table fuzz generator's hostile names: a table field named `__proto__` is
// assigned with `table[name] = value`, so a nested table replaces the decoded table's prototype
// (the field vanishes from its keys and its fields are inherited). Decoding must keep every field
// as an own property. Failing until readFieldTable defines fields (or uses a null-prototype object).
import { describe, it, expect } from 'vitest'
import { ByteReader } from '../../src/wire/byte-reader.js'
import { readFieldTable } from '../../src/wire/field-table.js'

describe('field table decoding of hostile names', () => {
  it('keeps a field named __proto__ as an own field and leaves the prototype alone', () => {
    // { "__proto__": F{ "polluted": I 1 }, "a": I 1 }
    const wire = Buffer.from('00000024095f5f70726f746f5f5f460000000e08706f6c6c75746564490000000101614900000001', 'hex')
    const table = readFieldTable(new ByteReader(wire))
    expect(Object.keys(table).sort()).toEqual(['__proto__', 'a'])
    expect(Object.getPrototypeOf(table)).toBe(Object.prototype)
    expect((table as Record<string, unknown>).polluted).toBeUndefined()
  })
})
