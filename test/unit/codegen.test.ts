// The committed codec must be exactly what the generator makes of spec/amqp-0-9-1.json, and that
// definition exactly what derive makes of the published reference (STYLE 2: must not drift).
import { describe, it, expect, afterAll } from 'vitest'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateInto } from '../../spec/codegen/generate.js'
import { deriveFile, deriveSpec, formatSpec } from '../../spec/codegen/derive.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const SPEC_PATH = join(ROOT, 'spec', 'amqp-0-9-1.json')
const GENERATED_DIR = join(ROOT, 'spec', 'generated')
// CI keeps the shared reference beside the repository; never an absolute path.
const REFERENCE_PATH = join(ROOT, '..', 'shared', 'reference', 'amqp-rabbitmq-0.9.1.json')
const GENERATED_FILES = ['constants.ts', 'methods.ts', 'properties.ts']

/** The first differing line, so a failure says where the drift is rather than dumping two files. */
function firstDifference(expected: string, actual: string): string | undefined {
  if (expected === actual) return undefined
  const a = expected.split('\n'), b = actual.split('\n')
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}:\n  committed: ${JSON.stringify(a[i])}\n  generated: ${JSON.stringify(b[i])}`
  }
  return 'files differ'
}

describe('codec generator', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'warren-codegen-'))
  afterAll(() => rmSync(outDir, { recursive: true, force: true }))

  it('regenerates spec/generated/ byte for byte from spec/amqp-0-9-1.json', () => {
    generateInto(SPEC_PATH, outDir)
    expect(readdirSync(outDir).sort()).toEqual(GENERATED_FILES)
    for (const name of GENERATED_FILES) {
      const committed = readFileSync(join(GENERATED_DIR, name), 'utf8')
      const regenerated = readFileSync(join(outDir, name), 'utf8')
      expect(firstDifference(committed, regenerated), `spec/generated/${name} is stale or hand-edited; run \`npm run gen\``).toBeUndefined()
    }
  })

  it('commits no generated file the generator does not make', () => {
    const committed = readdirSync(GENERATED_DIR).filter((f) => f.endsWith('.ts')).sort()
    expect(committed).toEqual(GENERATED_FILES)
  })
})

describe('protocol definition', () => {
  const hasReference = existsSync(REFERENCE_PATH)

  it.skipIf(!hasReference)(
    `derives spec/amqp-0-9-1.json exactly from the reference${hasReference ? '' : ' (SKIPPED: ../shared/reference/amqp-rabbitmq-0.9.1.json is not beside the repository)'}`,
    () => {
      const reference = JSON.parse(readFileSync(REFERENCE_PATH, 'utf8'))
      const committedText = readFileSync(SPEC_PATH, 'utf8')
      const committed = JSON.parse(committedText) as { source: string }
      const derived = formatSpec(deriveSpec(reference, committed.source))
      expect(firstDifference(committedText, derived), 'spec/amqp-0-9-1.json drifted from the reference; run `npm run gen -- --derive`').toBeUndefined()
      // deriveFile (what `npm run gen -- --derive` runs) also names the source the committed file names.
      const dir = mkdtempSync(join(tmpdir(), 'warren-derive-'))
      try {
        deriveFile(REFERENCE_PATH, join(dir, 'amqp-0-9-1.json'))
        expect(firstDifference(committedText, readFileSync(join(dir, 'amqp-0-9-1.json'), 'utf8'))).toBeUndefined()
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  )

  it('is what formatSpec prints for its own parsed contents (canonical form)', () => {
    const text = readFileSync(SPEC_PATH, 'utf8')
    expect(formatSpec(JSON.parse(text))).toBe(text)
  })
})
