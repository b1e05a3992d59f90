// IdleMemoryRelease collects only after traffic followed by quiet, and stops when traffic resumes.
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

  it('never releases while bytes keep moving', () => {
    let activity = 0
    const release = new IdleMemoryRelease(() => activity)
    release.start()
    for (let s = 0; s < 30; s++) { activity += 10; vi.advanceTimersByTime(1000) }
    expect(release.releases).toBe(0)
    release.stop()
  })
})
