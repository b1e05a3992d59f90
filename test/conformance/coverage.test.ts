// The conformance suite covers what it must: every method of the classes Warren implements is
// sent or received in some recorded scenario, and every reply code src/ can send appears in some
// RabbitMQ fixture. Both are derived from the fixtures (what was really sent and received).
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { ReplyCode } from '../../spec/generated/constants.js'
import { listFixtures } from '../../conformance/fixture.js'
import { SCENARIOS } from '../../conformance/scenarios/index.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const fixtures = listFixtures(join(root, 'conformance', 'fixtures'))
const CLASSES = ['connection', 'channel', 'exchange', 'queue', 'basic', 'confirm', 'tx']

/** Reply codes no client frame can make RabbitMQ send, each with the reason (see conformance/REPORT.md). */
const UNREPRODUCIBLE: Record<number, string> = {
  200: 'REPLY_SUCCESS closes normally; brokers answer a close with close-ok and send 200 only when an operator closes',
  320: 'CONNECTION_FORCED is sent only when an operator closes a connection or the broker shuts down (rabbitmqctl close_connection, vhost deletion); no client frame provokes it',
}

/** The helper constructors of src/errors.ts and the code each one carries. */
const HELPERS: Record<string, number> = {
  accessRefused: 403, notFound: 404, resourceLocked: 405, preconditionFailed: 406, frameError: 501, syntaxError: 502,
  commandInvalid: 503, channelError: 504, unexpectedFrame: 505, notAllowed: 530, notImplemented: 540, internalError: 541,
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sourceFiles(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [])
}

/**
 * Every reply code that src/ names through ReplyCode.X or a helper constructor call, with the first
 * file naming it. src/errors.ts itself is skipped: it defines the helpers, it sends nothing.
 */
function replyCodesInSrc(): Map<number, string> {
  const found = new Map<number, string>()
  for (const file of sourceFiles(join(root, 'src'))) {
    const where = file.slice(root.length).replace(/\\/g, '/')
    if (where === 'src/errors.ts') continue
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/ReplyCode\.([A-Za-z]+)/g)) {
      const code = Object.hasOwn(ReplyCode, m[1]) ? (ReplyCode as Record<string, number>)[m[1]] : undefined
      if (code !== undefined && !found.has(code)) found.set(code, where)
    }
    for (const m of text.matchAll(/\b([a-zA-Z]+)\(/g)) {
      const code = Object.hasOwn(HELPERS, m[1]) ? HELPERS[m[1]] : undefined
      if (code !== undefined && !found.has(code)) found.set(code, where)
    }
  }
  return found
}

/** Reply codes in connection.close, channel.close and basic.return frames RabbitMQ sent. */
function replyCodesInFixtures(): Set<number> {
  const codes = new Set<number>()
  for (const f of fixtures) {
    for (const entries of Object.values(f.transcript)) {
      for (const e of entries) {
        if ('method' in e && typeof e.args.replyCode === 'number') codes.add(e.args.replyCode)
      }
    }
  }
  return codes
}

describe('conformance coverage', () => {
  it('has a fixture for every scenario, a scenario for every fixture, and at least 200 of them', () => {
    const names = SCENARIOS.map((s) => s.name).sort()
    expect(fixtures.map((f) => f.scenario).sort()).toEqual(names)
    expect(names.length).toBeGreaterThanOrEqual(200)
  })

  it('records no aborted scenario (each ran to its end against RabbitMQ)', () => {
    const aborted = fixtures.filter((f) => Object.values(f.transcript).flat().some((e) => 'aborted' in e)).map((f) => f.scenario)
    expect(aborted).toEqual([])
  })

  it('sends or receives every method of the connection, channel, exchange, queue, basic, confirm and tx classes', () => {
    const spec = JSON.parse(readFileSync(join(root, 'spec', 'amqp-0-9-1.json'), 'utf8')) as { classes: { name: string; methods: { name: string }[] }[] }
    const seen = new Set<string>()
    for (const f of fixtures) {
      for (const m of f.sent) seen.add(m)
      for (const entries of Object.values(f.transcript)) for (const e of entries) if ('method' in e) seen.add(e.method)
    }
    const missing = spec.classes
      .filter((c) => CLASSES.includes(c.name))
      .flatMap((c) => c.methods.map((m) => `${c.name}.${m.name}`))
      .filter((name) => !seen.has(name))
    expect(missing).toEqual([])
  })

  it('has a RabbitMQ fixture for every reply code src/ can send', () => {
    const inFixtures = replyCodesInFixtures()
    const missing = [...replyCodesInSrc()]
      .filter(([code]) => !inFixtures.has(code) && UNREPRODUCIBLE[code] === undefined)
      .map(([code, where]) => `${code} (first named in ${where})`)
    expect(missing).toEqual([])
  })
})
