// Names keep their bytes: any byte string decodes to a string that encodes back to the same bytes,
// valid UTF-8 decodes as Node decodes it, and only bytes that are not UTF-8 become escapes.
import { describe, expect, it } from 'vitest'
import { decodeText, encodeText, isEscaped, textByteLength, writeText } from '../../src/byte-text.js'
import { SeededRandom } from './seeded-random.js'

const roundTrip = (bytes: Buffer) => encodeText(decodeText(bytes, 0, bytes.length))

describe('byte-text', () => {
  it('reads valid UTF-8 as Node does, without escapes', () => {
    for (const s of ['', 'orders.eu', 'café', '日本語', '😀 ok', 'a\uFFFDb']) {
      const bytes = Buffer.from(s, 'utf8')
      expect(decodeText(bytes, 0, bytes.length)).toBe(s)
      expect(isEscaped(s)).toBe(false)
    }
  })

  it('keeps bytes that are not UTF-8 as escapes and writes them back unchanged', () => {
    const bytes = Buffer.from([0x61, 0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0xf4, 0x90, 0x80, 0x80, 0xe2, 0x82])
    const text = decodeText(bytes, 0, bytes.length)
    expect(isEscaped(text)).toBe(true)
    expect(text.startsWith('a\udcff\udcfe\udcc3(')).toBe(true)
    expect(encodeText(text)).toEqual(bytes)
    expect(textByteLength(text)).toBe(bytes.length)
    const out = Buffer.alloc(bytes.length)
    expect(writeText(out, text, 0)).toBe(bytes.length)
    expect(out).toEqual(bytes)
  })

  it('round-trips 20,000 random byte strings (seeded)', () => {
    const rng = new SeededRandom(20_251_207)
    for (let i = 0; i < 20_000; i++) {
      // Half the bytes are continuation bytes, so valid and broken sequences both come up.
      const bytes = Buffer.from(Array.from({ length: rng.int(0, 40) }, () => (rng.bool() ? rng.int(0, 255) : rng.int(0x80, 0xbf))))
      expect(roundTrip(bytes)).toEqual(bytes)
    }
  })

  it('writes a lone surrogate that is no escape as U+FFFD, as Node does', () => {
    expect(encodeText('a\ud800b')).toEqual(Buffer.from('a\uFFFDb', 'utf8'))
  })
})
