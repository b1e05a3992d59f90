// Unacked against a plain model (a Map in tag order, as the channel used to keep it): random adds,
// single and multiple acks, unknown tags, restores and take-alls give the same answers.
import { describe, it, expect } from 'vitest'
import { Unacked, type Delivery } from '../../../src/connection/unacked.js'
import { SeededRandom } from '../seeded-random.js'

const delivery = (tag: number) => ({ tag, queue: undefined, entry: undefined, consumer: undefined, atMs: 0 }) as unknown as Delivery

class Model {
  byTag = new Map<number, Delivery>()
  take(tag: number, multiple: boolean): Delivery[] | undefined {
    if (!multiple) {
      const d = this.byTag.get(tag)
      if (!d) return undefined
      this.byTag.delete(tag)
      return [d]
    }
    if (tag !== 0 && !this.byTag.has(tag)) return undefined
    const taken: Delivery[] = []
    for (const [t, d] of this.byTag) {
      if (tag !== 0 && t > tag) break
      taken.push(d)
      this.byTag.delete(t)
    }
    return taken.length === 0 && tag !== 0 ? undefined : taken
  }
  restore(ds: Delivery[]): void {
    const all = [...this.byTag.values(), ...ds].sort((a, b) => a.tag - b.tag)
    this.byTag = new Map(all.map((d) => [d.tag, d]))
  }
}

describe('Unacked', () => {
  it('answers as a tag-ordered map would, over random operations', () => {
    const r = new SeededRandom(0x0ac4)
    for (let round = 0; round < 20; round++) {
      const u = new Unacked(), m = new Model()
      let next = 1
      for (let op = 0; op < 3000; op++) {
        const k = r.int(0, 9)
        if (k < 5) {
          const d = delivery(next++)
          u.add(d)
          m.byTag.set(d.tag, d)
        } else if (k < 9) {
          const multiple = r.bool()
          const tag = r.int(0, 6) === 0 ? 0 : r.int(Math.max(1, next - 1200), next)
          expect(u.take(tag, multiple)).toEqual(m.take(tag, multiple))
        } else if (r.bool()) {
          const back = m.take(r.int(Math.max(1, next - 50), next), true) ?? []
          expect(u.take(back.length ? back[back.length - 1].tag : -1, true) ?? []).toEqual(back)
          u.restore(back)
          m.restore(back)
        } else if (r.int(0, 20) === 0) {
          expect(u.takeAll()).toEqual(m.take(0, true))
        }
        expect(u.size).toBe(m.byTag.size)
        expect(u.oldest()).toBe(m.byTag.values().next().value)
      }
    }
  })
})
