// `npm run conformance [-- --url amqp://guest:guest@127.0.0.1:5672/] [--filter text] [--group g1,g2]`: replays every
// scenario against a broker (Warren in-process when no --url) and diffs each transcript against
// its RabbitMQ fixture. One line per scenario, then `N passed, M failed`; exit 1 on any failure.
import { startBroker } from '../src/index.js'
import { parseFlags, targetFromUrl } from './cli-args.js'
import { diffTranscripts, fixturesDir, readFixture } from './fixture.js'
import { runScenario } from './scenario.js'
import { SCENARIOS } from './scenarios/index.js'
import { warrenOptions } from './users.js'

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2))
  const filter = typeof flags.get('filter') === 'string' ? (flags.get('filter') as string) : ''
  const groups = typeof flags.get('group') === 'string' ? (flags.get('group') as string).split(',') : []
  const url = flags.get('url')
  const broker = typeof url === 'string' ? undefined : await startBroker({ port: 0, host: '127.0.0.1', inMemory: true, logLevel: 'silent', ...warrenOptions() })
  const target = targetFromUrl(typeof url === 'string' ? url : broker!.url)
  const dir = fixturesDir()
  let passed = 0, failed = 0
  try {
    for (const s of SCENARIOS) {
      if (filter && !s.name.includes(filter)) continue
      if (groups.length > 0 && !groups.includes(s.group)) continue
      const expected = readFixture(dir, s.name)
      const actual = await runScenario(s, target)
      if (!expected) {
        failed++
        console.log(`FAIL ${s.name}\n  no fixture: run npm run conformance:record`)
        continue
      }
      const diff = diffTranscripts(expected.transcript, actual.transcript)
      if (diff.length === 0) {
        passed++
        console.log(`ok ${s.name}`)
      } else {
        failed++
        console.log(`FAIL ${s.name}\n${diff.join('\n')}`)
      }
    }
  } finally {
    await broker?.close()
  }
  console.log(`${passed} passed, ${failed} failed`)
  return failed === 0 ? 0 : 1
}

main().then((code) => process.exit(code), (err) => {
  console.error(err)
  process.exit(2)
})
