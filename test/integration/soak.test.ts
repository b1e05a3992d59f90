// A short, bounded run of bench/soak.ts (issue 8, acceptance 5): Warren as a child process on a
// data directory, publishers with confirms, consumers with random disconnects, two broker
// restarts. No confirmed message may be lost, and memory after the load must not have grown with it.
// The issue's goal (RSS within 10% of the start) is NOT met yet: the CLI gives V8's grown young
// generation back once idle (src/server/idle-memory.ts), which took a 20 s run from ~100 MiB to
// ~82 MiB against a 68 MiB start; the rest is glibc's heap, which Node cannot trim (bench/SOAK.md).
// This test bounds the growth (64 MiB while ~140,000 messages pass through) so a leak would show.
// Needs the built dist/ (npm test builds first), as the soak runs bin/warren.js.
import { describe, it, expect } from 'vitest'
import { runSoak, formatSummary } from '../../bench/soak.js'

describe('soak (bounded)', () => {
  it('loses no confirmed message across restarts and disconnects, and memory does not grow with the load', async () => {
    const seed = process.env.SOAK_SEED ? Number(process.env.SOAK_SEED) : Date.now() % 100_000
    const summary = await runSoak({ seconds: 20, publishers: 3, consumers: 3, restarts: 2, drainSeconds: 30, seed, log: (l) => console.log(l) })
    console.log(formatSummary(summary))
    expect(summary.restarts).toBe(2)
    expect(summary.confirmed).toBeGreaterThan(0)
    expect(summary.lostSample).toEqual([])
    expect(summary.lost).toBe(0)
    expect(summary.rssAfterBytes).toBeLessThanOrEqual(summary.rssBaselineBytes + 64 * 2 ** 20)
  }, 120_000)
})
