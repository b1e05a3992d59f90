// Issue "Durable, disk-backed queues", acceptance 2: every confirmed persistent message survives
// a SIGKILL at a random moment, exactly once. 20 rounds, 4 publishers each, broker as a child process.
import { afterAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import amqp from 'amqplib'
import { startChildBroker } from '../support/child-broker.js'

const ROUNDS = 20
const PUBLISHERS = 4

/** A seeded PRNG (mulberry32) so a failing round can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed |= 0
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Publishes until the connection dies; returns the ids the broker confirmed. */
async function publishUntilKilled(url: string, publisher: number, confirmed: Set<string>): Promise<void> {
  let conn
  try {
    conn = await amqp.connect(url)
  } catch {
    return // the broker died before this publisher connected
  }
  conn.on('error', () => {})
  try {
    const ch = await conn.createConfirmChannel()
    ch.on('error', () => {})
    await ch.assertQueue('crash', { durable: true })
    for (let seq = 0; seq < 1_000_000; seq++) {
      const id = `${publisher}-${seq}`
      ch.sendToQueue('crash', Buffer.from(id), { persistent: true }, (err) => {
        if (!err) confirmed.add(id)
      })
      if (seq % 50 === 49) await ch.waitForConfirms()
    }
  } catch {
    // the broker was killed: what was confirmed before that is what counts
  }
}

describe('crash safety', () => {
  const dirs: string[] = []
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })

  it(`keeps every confirmed message exactly once across ${ROUNDS} SIGKILLs`, async () => {
    const next = random(20261122)
    for (let round = 0; round < ROUNDS; round++) {
      const dataDir = mkdtempSync(join(tmpdir(), 'warren-crash-'))
      dirs.push(dataDir)
      const broker = await startChildBroker(['--data-dir', dataDir])
      const confirmed = new Set<string>()
      const publishing = Array.from({ length: PUBLISHERS }, (_, p) => publishUntilKilled(broker.url, p, confirmed))
      // Let confirms begin, then kill at a random moment while publishing is in full flow.
      const deadline = Date.now() + 10_000
      while (confirmed.size === 0 && Date.now() < deadline) await new Promise((r) => setImmediate(r))
      await new Promise((r) => setTimeout(r, Math.floor(next() * 300)))
      broker.process.kill('SIGKILL')
      await broker.exited
      await Promise.all(publishing)

      const restarted = await startChildBroker(['--data-dir', dataDir])
      const conn = await amqp.connect(restarted.url)
      const ch = await conn.createChannel()
      await ch.assertQueue('crash', { durable: true })
      const counts = new Map<string, number>()
      for (let m = await ch.get('crash', { noAck: true }); m; m = await ch.get('crash', { noAck: true })) {
        const id = m.content.toString()
        counts.set(id, (counts.get(id) ?? 0) + 1)
      }
      await conn.close()
      restarted.process.kill('SIGTERM')
      expect(await restarted.exited).toBe(0)
      const missing = [...confirmed].filter((id) => !counts.has(id))
      const duplicated = [...counts].filter(([, n]) => n > 1).map(([id]) => id)
      expect({ round, missing: missing.slice(0, 5), duplicated: duplicated.slice(0, 5) }).toEqual({ round, missing: [], duplicated: [] })
      expect(confirmed.size).toBeGreaterThan(0)
    }
  }, 240_000)
})
