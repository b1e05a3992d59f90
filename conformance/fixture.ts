// Fixtures on disk (conformance/fixtures/<scenario>.json, one transcript entry per line so a diff
// reads as frames) and the comparison of a run against them. No network, no broker.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Fixture } from './scenario.js'
import type { Entry } from './transcript.js'
import { channelOf } from './normalise.js'

/** conformance/fixtures in the source tree, whether we run from conformance/ or dist/conformance/. */
export function fixturesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'conformance', 'fixtures')
    dir = resolve(dir, '..')
  }
  throw new Error('cannot find the project root (package.json) above ' + fileURLToPath(import.meta.url))
}

/** Canonical JSON (object keys sorted), so comparisons do not depend on key order. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`
  }
  return JSON.stringify(v)
}

export function formatFixture(f: Fixture): string {
  const lines = [
    '{',
    `  "scenario": ${JSON.stringify(f.scenario)},`,
    `  "group": ${JSON.stringify(f.group)},`,
    `  "about": ${JSON.stringify(f.about)},`,
    `  "sent": ${JSON.stringify(f.sent)},`,
    '  "transcript": {',
  ]
  const labels = Object.keys(f.transcript)
  labels.forEach((label, i) => {
    const entries = f.transcript[label]
    lines.push(`    ${JSON.stringify(label)}: [`)
    entries.forEach((e, j) => lines.push(`      ${canonical(e)}${j < entries.length - 1 ? ',' : ''}`))
    lines.push(`    ]${i < labels.length - 1 ? ',' : ''}`)
  })
  lines.push('  }', '}', '')
  return lines.join('\n')
}

export function writeFixture(dir: string, f: Fixture): void {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, `${f.scenario}.json`), formatFixture(f))
}

export function readFixture(dir: string, name: string): Fixture | undefined {
  const file = join(dir, `${name}.json`)
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Fixture) : undefined
}

export function listFixtures(dir: string): Fixture[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Fixture)
}

/** A connection's entries split by channel: the order AMQP guarantees (connection-level entries are channel 0). */
function byChannel(entries: Entry[]): Map<number, Entry[]> {
  const out = new Map<number, Entry[]>()
  for (const e of entries) {
    const ch = channelOf(e)
    out.set(ch, [...(out.get(ch) ?? []), e])
  }
  return out
}

/**
 * Compact differences between an expected and an actual transcript; empty when they match.
 * Compared per connection and per channel, in order (frames of different channels may interleave).
 */
export function diffTranscripts(expected: Fixture['transcript'], actual: Fixture['transcript'], maxLines = 6): string[] {
  const out: string[] = []
  const labels = [...new Set([...Object.keys(expected), ...Object.keys(actual)])]
  for (const label of labels) {
    const want = byChannel(expected[label] ?? []), got = byChannel(actual[label] ?? [])
    const channels = [...new Set([...want.keys(), ...got.keys()])].sort((a, b) => a - b)
    for (const ch of channels) {
      const a = want.get(ch) ?? [], b = got.get(ch) ?? []
      for (let i = 0; i < Math.max(a.length, b.length) && out.length < maxLines; i++) {
        const x = a[i] === undefined ? undefined : canonical(a[i]), y = b[i] === undefined ? undefined : canonical(b[i])
        if (x === y) continue
        out.push(`  ${label} ch${ch} #${i} expected ${x ?? '(nothing)'}`)
        out.push(`  ${label} ch${ch} #${i}      got ${y ?? '(nothing)'}`)
        break // after the first difference a channel is usually shifted; one pair says it
      }
    }
  }
  return out
}

export type { Entry }
