// IdleMemoryRelease collects only after traffic followed by quiet, keeps collecting until V8 has
// shrunk its young generation (or a bound), and stops when traffic resumes.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { IdleMemoryRelease } from '../../../src/server/idle-memory.js'

describe('IdleMemoryRelease', () => {
  beforeEach(() => { vi.useFakeTimers() })
  afterEach(() => { vi.useRealTimers() })

  it('releases once after traffic stops for 5 s, and not again while nothing moves', () => {
    let activity = 0
    const release = new IdleMemoryRelease(() => activity)
    release.start()
    vi.advanceTimersByTime(10_000) // the first sample counts as traffic; quiet since then
    expect(release.releases).toBe(1)
    vi.advanceTimersByTime(60_000)
    expect(release.releases).toBe(1)
    activity = 100 // a burst, then quiet again
    vi.advanceTimersByTime(4_000)
    expect(release.releases).toBe(1)
    vi.advanceTimersByTime(3_000)
    expect(release.releases).toBe(2)
    release.stop()
  })

  it('collects once a second until the young generation has shrunk', () => {
    let young = 32 << 20
    const release = new IdleMemoryRelease(() => 0, () => young)
    release.start()
    vi.advanceTimersByTime(6_000) // the first sample, then quiet for 5 s: the first collection
    expect(release.collections).toBe(1)
    vi.advanceTimersByTime(8_000) // V8 still holds 32 MiB: one more each second
    expect(release.collections).toBe(9)
    young = 1 << 20
    vi.advanceTimersByTime(1_000)
    expect(release.collections).toBe(10)
    vi.advanceTimersByTime(60_000) // shrunk: done until the next traffic
    expect(release.collections).toBe(10)
    release.stop()
  })

  it('trims the C heap on the tick after each collection, once V8 has freed the dead buffers', () => {
    let young = 32 << 20, trims = 0
    const release = new IdleMemoryRelease(() => 0, () => young, () => { trims++; return true })
    release.start()
    vi.advanceTimersByTime(6_000) // the first collection; its trim waits a tick
    expect([release.collections, trims]).toEqual([1, 0])
    young = 1 << 20
    vi.advanceTimersByTime(1_000) // the trim for it, then a collection that finds V8 shrunk
    expect([release.collections, trims]).toEqual([2, 1])
    vi.advanceTimersByTime(1_000) // that collection's trim, and nothing more to do
    expect([release.collections, trims, release.trims]).toEqual([2, 2, 2])
    vi.advanceTimersByTime(60_000)
    expect(trims).toBe(2)
    release.stop()
  })

  it('gives up after 30 collections when V8 never shrinks', () => {
    const release = new IdleMemoryRelease(() => 0, () => 32 << 20)
    release.start()
    vi.advanceTimersByTime(120_000)
    expect(release.collections).toBe(30)
    expect(release.releases).toBe(1)
    release.stop()
  })

  it('stops collecting as soon as traffic resumes', () => {
    let activity = 0
    const release = new IdleMemoryRelease(() => activity, () => 32 << 20)
    release.start()
    vi.advanceTimersByTime(9_000)
    const before = release.collections
    expect(before).toBeGreaterThan(0)
    activity = 1
    vi.advanceTimersByTime(1_000)
    expect(release.collections).toBe(before)
    release.stop()
  })

  it('never releases while bytes keep moving', () => {
    let activity = 0
    const release = new IdleMemoryRelease(() => activity)
    release.start()
    for (let s = 0; s < 30; s++) { activity += 10; vi.advanceTimersByTime(1000) }
    expect(release.releases).toBe(0)
    release.stop()
  })
})
