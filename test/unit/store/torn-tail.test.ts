// A crash mid-write leaves a torn tail: for every byte offset within the last record, cut the
// segment there (or flip that byte), reopen, and check that everything before it is recovered,
// the torn record is not, and the store appends and reopens normally afterwards.
import { describe, expect, it } from 'vitest'
import { readFileSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { copyAsCrashed, message, openStore, queueDef, tempDir } from './store-fixture.js'
import type { MessageStore } from '../../../src/store/message-store.js'

const N = 20

function lastSegment(dir: string): string {
  const segs = readdirSync(dir).filter((f) => f.endsWith('.seg')).sort()
  return join(dir, segs[segs.length - 1])
}

/** A store with N messages in queue 'q' (the last record appended last); returns the dir and the last record's bounds. */
async function writeStore(lastIsRemoval: boolean): Promise<{ dir: string; q: number; ids: number[]; start: number; end: number }> {
  const dir = tempDir()
  const store = await openStore(dir)
  const q = store.putQueue(queueDef('q'))
  const ids: number[] = []
  for (let n = 0; n < N; n++) ids.push(store.append([q], message(n, 40)))
  await store.sync()
  const before = statSync(lastSegment(dir)).size
  if (lastIsRemoval) store.remove(q, ids[3])
  else ids.push(store.append([q], message(N, 40)))
  await store.close()
  return { dir, q, ids, start: before, end: statSync(lastSegment(dir)).size }
}

async function expectUsable(dir: string, q: number, expected: number[], store: MessageStore): Promise<void> {
  expect(store.recovered(q).map((m) => m.id)).toEqual(expected)
  const id = store.append([q], message(500, 40))
  expect(id).toBeGreaterThan(Math.max(0, ...expected))
  await store.close()
  const again = await openStore(dir)
  expect(again.recovered(q).map((m) => m.id)).toEqual([...expected, id])
  expect(again.summary.tornBytes).toBe(0)
  expect(again.recovered(q).at(-1)?.body).toEqual(message(500, 40).body)
  await again.close()
}

describe('torn tail', () => {
  it('cutting the last message record at every byte offset loses only that message', async () => {
    const { dir, q, ids, start, end } = await writeStore(false)
    expect(end - start).toBeGreaterThan(60)
    for (let cut = start; cut < end; cut++) {
      const copy = copyAsCrashed(dir)
      truncateSync(lastSegment(copy), cut)
      const store = await openStore(copy)
      expect(store.summary.tornBytes).toBe(cut - start)
      await expectUsable(copy, q, ids.slice(0, N), store)
    }
  })

  it('cutting a trailing removal record at every byte offset brings the message back', async () => {
    const { dir, q, ids, start, end } = await writeStore(true)
    for (let cut = start; cut < end; cut++) {
      const copy = copyAsCrashed(dir)
      truncateSync(lastSegment(copy), cut)
      const store = await openStore(copy)
      await expectUsable(copy, q, ids, store)
    }
  })

  it('a flipped byte anywhere in the last record is caught by its checksum', async () => {
    const { dir, q, ids, start, end } = await writeStore(false)
    for (let at = start; at < end; at++) {
      const copy = copyAsCrashed(dir)
      const file = lastSegment(copy)
      const bytes = readFileSync(file)
      bytes[at] ^= 0x10
      writeFileSync(file, bytes)
      const store = await openStore(copy)
      expect(store.summary.tornBytes).toBe(end - start)
      await expectUsable(copy, q, ids.slice(0, N), store)
    }
  })

  it('a segment file with a torn header (crash while creating it) is dropped', async () => {
    const { dir, q, ids } = await writeStore(false)
    for (const bytes of [0, 1, 17, 31]) {
      const copy = copyAsCrashed(dir)
      writeFileSync(join(copy, '99999999.seg'), Buffer.alloc(bytes, 0x57))
      const store = await openStore(copy)
      expect(readdirSync(copy)).not.toContain('99999999.seg')
      await expectUsable(copy, q, ids, store)
    }
  })

  it('a torn tail in the definitions log is cut too', async () => {
    const dir = tempDir()
    const store = await openStore(dir)
    store.putQueue(queueDef('kept'))
    await store.sync()
    const file = join(dir, 'definitions.log')
    const before = statSync(file).size
    store.putQueue(queueDef('torn'))
    await store.close()
    const end = statSync(file).size
    for (let cut = before; cut < end; cut++) {
      const copy = copyAsCrashed(dir)
      truncateSync(join(copy, 'definitions.log'), cut)
      const reopened = await openStore(copy)
      expect(reopened.queues().map((q) => q.name)).toEqual(['kept'])
      expect(reopened.summary.tornBytes).toBe(cut - before)
      await reopened.close()
    }
  })
})
