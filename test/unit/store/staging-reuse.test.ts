// The group commit reuses its staging buffers once their chunks are written, and lets them go when
// the writer has been idle: records must arrive intact however far the writes lag behind.
import { describe, expect, it } from 'vitest'
import type { MessageStore } from '../../../src/store/message-store.js'
import { TestIo, message, openStore, queueDef, tempDir } from './store-fixture.js'

const bodyBytes = (n: number) => 700 + ((n * 37) % 900)
const turn = () => new Promise((r) => setImmediate(r))
/** The group commit's staging buffer (internal; read to prove it was let go). */
const stagingOf = (store: MessageStore) => (store as unknown as { commit: { staging: Buffer } }).commit.staging

describe('group commit staging buffers', () => {
  it('are reused while writes lag (slow, short writes) without corrupting a record', async () => {
    const io = new TestIo()
    io.slowShortWritesMs = 1
    const dir = tempDir()
    let store = await openStore(dir, { io })
    const q = store.putQueue(queueDef('q'))
    const count = 6000 // ~7 MiB: several 1 MiB staging buffers, each retired and reused
    const ids: number[] = []
    for (let n = 0; n < count; n++) {
      ids.push(store.append([q], message(n, bodyBytes(n))))
      if (n % 250 === 249) {
        // A record still in a staging buffer or a pending chunk reads back as itself.
        expect(store.read(ids[n - 100]).body.equals(message(n - 100, bodyBytes(n - 100)).body)).toBe(true)
        await turn() // lets some writes complete, so retired buffers come back as spares
      }
    }
    await store.sync()
    await store.close()

    store = await openStore(dir)
    expect(store.summary.tornBytes).toBe(0)
    const recovered = store.recovered(q)
    expect(recovered).toHaveLength(count)
    const wrong = recovered.filter((m, n) => !m.body.equals(message(n, bodyBytes(n)).body))
    expect(wrong).toEqual([])
  })

  it('are let go after 2 s without staging, and the next record gets a fresh one', async () => {
    const dir = tempDir()
    let store = await openStore(dir)
    expect(stagingOf(store).length).toBe(0) // nothing staged yet: nothing held
    const q = store.putQueue(queueDef('q'))
    store.append([q], message(1, 2000))
    await store.sync()
    expect(stagingOf(store).length).toBe(1 << 20)
    await new Promise((r) => setTimeout(r, 2500))
    expect(stagingOf(store).length).toBe(0)
    store.append([q], message(2, 3000))
    await store.sync()
    await store.close()
    store = await openStore(dir)
    expect(store.recovered(q).map((m) => m.body.length)).toEqual([2000, 3000])
  })
})
