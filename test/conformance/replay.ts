// Replays the conformance scenarios (recorded against RabbitMQ 3.10) against an in-process Warren,
// one test per scenario. Split over two files by `part` so the two halves run in parallel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBroker, type WarrenBroker } from '../../src/index.js'
import { targetFromUrl } from '../../conformance/cli-args.js'
import { diffTranscripts, fixturesDir, readFixture } from '../../conformance/fixture.js'
import { runScenario } from '../../conformance/scenario.js'
import { SCENARIOS } from '../../conformance/scenarios/index.js'

export function replayScenarios(part: number, parts: number): void {
  describe(`conformance with RabbitMQ 3.10 fixtures (part ${part + 1} of ${parts})`, () => {
    let broker: WarrenBroker
    beforeAll(async () => {
      broker = await startBroker({ port: 0, host: '127.0.0.1', inMemory: true, logLevel: 'silent' })
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
        expect(diffTranscripts(expected!.transcript, actual.transcript)).toEqual([])
      }, 20_000)
    })
  })
}
