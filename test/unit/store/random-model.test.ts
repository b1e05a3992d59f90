// Seeded random workloads against a plain model, with small segments (so rolling and reclaiming
// run constantly), reopens, and copies of the directory taken as a killed process would leave it.
import { describe, expect, it } from 'vitest'
import { readdirSync } from 'node:fs'
import type { MessageStore } from '../../../src/store/message-store.js'
import { SeededRandom } from '../seeded-random.js'
import { copyAsCrashed, message, openStore, queueDef, tempDir } from './store-fixture.js'

type Model = Map<number, Map<number, boolean>> // queue id → message id → delivered

const snapshot = (m: Model): Model => new Map([...m].map(([q, msgs]) => [q, new Map(msgs)]))
const SEGMENT_BYTES = 8192

const body = (n: number) => message(n, 50 + (n % 250))

function expectExactly(store: MessageStore, model: Model, bodyOf: Map<number, number>): void {
  expect(store.queues().map((q) => q.id).sort((a, b) => a - b)).toEqual([...model.keys()].sort((a, b) => a - b))
  for (const [q, msgs] of model) {
    const got = store.recovered(q)
    expect(got.map((m) => [m.id, m.redelivered])).toEqual([...msgs])
    for (const m of got) expect(m.body.equals(body(bodyOf.get(m.id) ?? -1).body)).toBe(true)
  }
}

describe('store against a model', () => {
  for (const seed of [101, 202, 303, 404]) {
    it(`seed ${seed}: reopen and crash copies agree with the model`, async () => {
      const rnd = new SeededRandom(seed)
      const dir = tempDir()
      let store = await openStore(dir, { segmentBytes: SEGMENT_BYTES })
      const model: Model = new Map()
      let names = 0
      for (let i = 0; i < 3; i++) model.set(store.putQueue(queueDef(`q${names++}`)), new Map())
      let synced: Model = snapshot(model) // the model at the last completed sync()
      const removedSinceSync = new Set<string>()
      const everAppended = new Map<number, Set<number>>()
      const bodyOf = new Map<number, number>()
      let counter = 0
      const check = (s: MessageStore) => expectExactly(s, model, bodyOf)
      for (let step = 0; step < 3000; step++) {
        const r = rnd.next()
        const queues = [...model.keys()]
        if (r < 0.4) {
          const targets = queues.filter(() => rnd.next() < 0.5)
          if (targets.length === 0) continue
          const n = counter++
          const id = store.append(targets, body(n))
          bodyOf.set(id, n)
          for (const q of targets) {
            model.get(q)?.set(id, false)
            if (!everAppended.has(q)) everAppended.set(q, new Set())
            everAppended.get(q)?.add(id)
          }
        } else if (r < 0.75) {
          const q = queues[rnd.int(0, queues.length - 1)]
          const ids = [...(model.get(q)?.keys() ?? [])]
          if (ids.length === 0) continue
          const id = rnd.bool() ? ids[0] : ids[rnd.int(0, ids.length - 1)]
          store.remove(q, id)
          model.get(q)?.delete(id)
          removedSinceSync.add(`${q}:${id}`)
        } else if (r < 0.85) {
          const q = queues[rnd.int(0, queues.length - 1)]
          const ids = [...(model.get(q)?.keys() ?? [])]
          if (ids.length === 0) continue
          const id = ids[rnd.int(0, ids.length - 1)]
          store.delivered(q, id)
          model.get(q)?.set(id, true)
          expect(store.read(id).body.equals(body(bodyOf.get(id) ?? -1).body)).toBe(true)
        } else if (r < 0.86) {
          const q = queues[rnd.int(0, queues.length - 1)]
          for (const id of model.get(q)?.keys() ?? []) removedSinceSync.add(`${q}:${id}`)
          store.purge(q)
          model.get(q)?.clear()
        } else if (r < 0.865 && queues.length > 1) {
          const q = queues[rnd.int(0, queues.length - 1)]
          store.deleteQueue(q)
          model.delete(q)
          model.set(store.putQueue(queueDef(`q${names++}`)), new Map())
        } else if (r < 0.93) {
          await store.sync()
          synced = snapshot(model)
          removedSinceSync.clear()
        } else if (r < 0.94) {
          await store.close()
          store = await openStore(dir, { segmentBytes: SEGMENT_BYTES })
          check(store)
          synced = snapshot(model)
          removedSinceSync.clear()
        } else if (r < 0.95) {
          // killed with writes possibly half done: what was synced and not removed since must be
          // there; nothing never appended may appear.
          const copy = await openStore(copyAsCrashed(dir), { segmentBytes: SEGMENT_BYTES })
          for (const [q, msgs] of synced) {
            if (!model.has(q)) continue
            const got = new Set(copy.recovered(q).map((m) => m.id))
            for (const id of msgs.keys()) if (!removedSinceSync.has(`${q}:${id}`)) expect(got.has(id)).toBe(true)
            for (const id of got) expect(everAppended.get(q)?.has(id)).toBe(true)
          }
          copy.append([...model.keys()], message(1))
          await copy.close()
        }
      }
      await store.sync()
      const copy = await openStore(copyAsCrashed(dir), { segmentBytes: SEGMENT_BYTES })
      check(copy)
      // segments were rolled and reclaimed all along
      const segs = readdirSync(dir).filter((f) => f.endsWith('.seg')).map((f) => Number(f.slice(0, 8)))
      expect(Math.max(...segs)).toBeGreaterThan(segs.length)
    })
  }
})
