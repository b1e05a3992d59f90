// Replays the conformance scenarios (recorded against RabbitMQ 3.10) against an in-process Warren,
// one test per scenario. Split over two files by `part` so the two halves run in parallel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBroker, type WarrenBroker } from '../../src/index.js'
import { targetFromUrl } from '../../conformance/cli-args.js'
import { diffTranscripts, fixturesDir, readFixture } from '../../conformance/fixture.js'
import { runScenario } from '../../conformance/scenario.js'
import { SCENARIOS } from '../../conformance/scenarios/index.js'
import { warrenOptions } from '../../conformance/users.js'

/**
 * Where Warren deliberately differs from a RabbitMQ 3.10 recording, with the reason (also listed in
 * conformance/REPORT.md). These tests assert that the difference is still there, so a change of
 * behaviour either way is noticed; `npm run conformance` reports them as failures.
 */
const KNOWN_DIFFERENCES: Record<string, string> = {
  'sac-cancel-with-unacked':
    'RabbitMQ 3.10 leaves the backlog of a single-active-consumer queue undelivered when the active consumer ' +
    'cancels holding an unacked message, and hands the next active consumer only later publishes; Warren hands ' +
    'it the backlog in order, as the feature is documented to do.',
}

export function replayScenarios(part: number, parts: number): void {
  describe(`conformance with RabbitMQ 3.10 fixtures (part ${part + 1} of ${parts})`, () => {
    let broker: WarrenBroker
    beforeAll(async () => {
      broker = await startBroker({ port: 0, host: '127.0.0.1', inMemory: true, logLevel: 'silent', ...warrenOptions() })
    })
    afterAll(async () => {
      await broker.close()
    })
    const dir = fixturesDir()
    SCENARIOS.filter((_, i) => i % parts === part).forEach((s) => {
      it(s.name, async () => {
        const expected = readFixture(dir, s.name)
        expect(expected, `fixture for ${s.name}`).toBeDefined()
        const actual = await runScenario(s, targetFromUrl(broker.url))
        const diff = diffTranscripts(expected!.transcript, actual.transcript)
        if (s.name in KNOWN_DIFFERENCES) expect(diff, KNOWN_DIFFERENCES[s.name]).not.toEqual([])
        else expect(diff).toEqual([])
      }, 20_000)
    })
  })
}
