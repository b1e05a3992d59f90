// QueueIndex against a plain model under seeded random pushes, removals (any order), deliveries and purges.
import { describe, expect, it } from 'vitest'
import { QueueIndex } from '../../../src/store/queue-index.js'
import { SeededRandom } from '../seeded-random.js'

const live = (q: QueueIndex) => {
  const out: [number, boolean][] = []
  q.forEachLive((id, d) => out.push([id, d]))
  return out
}

describe('QueueIndex', () => {
  it('matches a model under random operations', () => {
    for (const seed of [1, 2, 3]) {
      const rnd = new SeededRandom(seed)
      const q = new QueueIndex()
      const model = new Map<number, boolean>()
      let next = 1
      for (let step = 0; step < 8000; step++) {
        const r = rnd.next()
        const ids = [...model.keys()]
        if (r < 0.45) {
          next += rnd.int(1, 3)
          q.push(next)
          model.set(next, false)
        } else if (r < 0.85) {
          const id = ids.length && rnd.bool() ? ids[rnd.int(0, Math.min(3, ids.length - 1))] : ids.length ? ids[rnd.int(0, ids.length - 1)] : next + 1
          expect(q.remove(id)).toBe(model.delete(id))
        } else if (r < 0.97) {
          const id = ids.length ? ids[rnd.int(0, ids.length - 1)] : 0
          expect(q.markDelivered(id)).toBe(model.has(id) && !model.get(id))
          if (model.has(id)) model.set(id, true)
        } else {
          const upTo = ids.length ? ids[rnd.int(0, ids.length - 1)] : 0
          const removed: number[] = []
          q.removeUpTo(upTo, (id) => removed.push(id))
          expect(removed).toEqual(ids.filter((id) => id <= upTo))
          for (const id of removed) model.delete(id)
        }
        expect(q.live).toBe(model.size)
      }
      expect(live(q)).toEqual([...model.entries()])
    }
  })

  it('refuses ids out of order and shrinks once emptied', () => {
    const q = new QueueIndex()
    for (let id = 1; id <= 100000; id++) q.push(id)
    expect(() => q.push(5)).toThrow(RangeError)
    const full = q.capacityBytes
    for (let id = 1; id <= 99990; id++) q.remove(id)
    expect(q.capacityBytes).toBeLessThan(full / 100)
    expect(live(q).map(([id]) => id)).toEqual(Array.from({ length: 10 }, (_, i) => 99991 + i))
  })
})
