// A small seeded PRNG (mulberry32) for unit tests, so a failing random case reproduces from its seed.
// Test-only; never imported by src/.

export class SeededRandom {
  private state: number

  constructor(readonly seed: number) {
    this.state = seed >>> 0
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000
  }

  /** An integer in [min, max], both inclusive; safe up to 2^53 - 1. */
  int(min: number, max: number): number {
    const span = max - min + 1
    if (span <= 0x1_0000_0000) return min + Math.floor(this.next() * span)
    // Two draws for spans wider than 32 bits.
    const hi = Math.floor(this.next() * Math.ceil(span / 0x1_0000_0000))
    const v = hi * 0x1_0000_0000 + Math.floor(this.next() * 0x1_0000_0000)
    return min + (v % span)
  }

  bool(): boolean {
    return this.next() < 0.5
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]
  }

  bytes(n: number): Buffer {
    const b = Buffer.alloc(n)
    for (let i = 0; i < n; i++) b[i] = this.int(0, 255)
    return b
  }

  /** A string of at most maxBytes UTF-8 bytes, mixing 1-, 2-, 3- and 4-byte characters. */
  utf8(maxBytes: number): string {
    const alphabet = ['a', 'Z', '0', '.', '-', ' ', 'é', 'ß', 'Ж', '€', '中', '文', '😀', '🐇']
    const target = this.int(0, maxBytes)
    let s = '', bytes = 0
    for (;;) {
      const ch = this.pick(alphabet)
      const n = Buffer.byteLength(ch)
      if (bytes + n > target) break
      s += ch
      bytes += n
    }
    return s
  }
}
