// `npm run conformance:record [-- --filter text] [--group g1,g2] [--url amqp://…] [--check]`: starts a private
// RabbitMQ (installing it if missing), runs every scenario against it, and writes the normalised
// transcripts to conformance/fixtures/. Each fixture that already exists is compared first, so a
// re-record shows whether RabbitMQ still reproduces it; --check compares without writing.
import { parseFlags, targetFromUrl } from './cli-args.js'
import { diffTranscripts, fixturesDir, readFixture, writeFixture } from './fixture.js'
import { startRabbit, type RabbitNode } from './rabbitmq.js'
import { runScenario, type Target } from './scenario.js'
import { SCENARIOS } from './scenarios/index.js'

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2))
  const filter = typeof flags.get('filter') === 'string' ? (flags.get('filter') as string) : ''
  const groups = typeof flags.get('group') === 'string' ? (flags.get('group') as string).split(',') : []
  const check = flags.get('check') === true
  const url = flags.get('url')
  const log = (s: string) => console.log(s)
  let node: RabbitNode | undefined
  let target: Target
  if (typeof url === 'string') {
    target = targetFromUrl(url)
  } else {
    node = await startRabbit(log)
    log(`RabbitMQ ${node.version} is up on port ${node.port}`)
    target = { host: '127.0.0.1', port: node.port, username: 'guest', password: 'guest', vhost: '/' }
  }
  const stopNode = () => node?.stop()
  process.once('SIGINT', () => { stopNode(); process.exit(130) })
  const dir = fixturesDir()
  const counts = { recorded: 0, unchanged: 0, changed: 0, added: 0, aborted: 0 }
  try {
    for (const s of SCENARIOS) {
      if (filter && !s.name.includes(filter)) continue
      if (groups.length > 0 && !groups.includes(s.group)) continue
      const fixture = await runScenario(s, target)
      counts.recorded++
      const aborted = Object.values(fixture.transcript).flat().find((e) => 'aborted' in e)
      if (aborted) {
        counts.aborted++
        log(`ABORTED ${s.name}: ${(aborted as { aborted: string }).aborted}`)
      }
      const old = readFixture(dir, s.name)
      if (!old) {
        counts.added++
        log(`new ${s.name}`)
      } else {
        const diff = diffTranscripts(old.transcript, fixture.transcript)
        if (diff.length === 0) counts.unchanged++
        else {
          counts.changed++
          log(`changed ${s.name}\n${diff.join('\n')}`)
        }
      }
      if (!check) writeFixture(dir, fixture)
    }
  } finally {
    stopNode()
  }
  log(`${counts.recorded} recorded: ${counts.unchanged} reproduced, ${counts.changed} changed, ${counts.added} new, ${counts.aborted} aborted${check ? ' (--check: nothing written)' : ''}`)
  return counts.aborted > 0 || (check && counts.changed + counts.added > 0) ? 1 : 0
}

main().then((code) => process.exit(code), (err) => {
  console.error(err)
  process.exit(2)
})
