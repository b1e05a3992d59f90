// Reads every import in src/ (type-only and dynamic included) and fails on an edge STYLE section 2
// forbids or on an import cycle. Layers: cli → server → connection → broker → store; wire serves
// connection and server; config/log/errors are leaves; spec/generated is reached only through
// src/wire/codec.ts and src/errors.ts.
import { describe, it, expect } from 'vitest'
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')

type Group = 'index' | 'leaf' | 'cli' | 'server' | 'connection' | 'broker' | 'store' | 'wire' | 'generated' | 'codegen' | 'other-src' | 'outside'

interface Edge { from: string; to: string; specifier: string }

const LEAVES = new Set(['src/config.ts', 'src/log.ts', 'src/errors.ts', 'src/byte-text.ts'])
const LAYERS = ['cli', 'server', 'connection', 'broker', 'store'] as const // highest first

function groupOf(file: string): Group {
  if (file === 'src/index.ts') return 'index'
  if (LEAVES.has(file)) return 'leaf'
  if (file.startsWith('spec/generated/')) return 'generated'
  if (file.startsWith('spec/codegen/')) return 'codegen'
  // The management API reads the broker and its connections the way the listener does.
  if (file.startsWith('src/management/')) return 'server'
  const m = /^src\/([^/]+)\//.exec(file)
  if (m && ['cli', 'server', 'connection', 'broker', 'store', 'wire'].includes(m[1])) return m[1] as Group
  if (file.startsWith('src/')) return 'other-src'
  return 'outside'
}

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return tsFiles(path)
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : []
  })
}

const rel = (abs: string) => relative(ROOT, abs).split(sep).join('/')

/** `./x.js` → x.ts, as NodeNext resolution maps it; undefined when no file answers. */
function resolveRelative(fromAbs: string, specifier: string): string | undefined {
  const base = resolve(dirname(fromAbs), specifier)
  const candidates = [base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), `${base}.ts`, join(base, 'index.ts'), base]
  return candidates.find((c) => existsSync(c) && statSync(c).isFile())
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }
const DEPENDENCIES = new Set(Object.keys(pkg.dependencies ?? {}))
const BUILTINS = new Set(builtinModules)
const packageName = (s: string) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0])

// The graph: src/**/*.ts and spec/generated/*.ts (generated files import wire primitives back).
const FILES = [...tsFiles(join(ROOT, 'src')), ...tsFiles(join(ROOT, 'spec', 'generated'))].map(rel).sort()
const EDGES: Edge[] = []
const BARE: Edge[] = []
const UNRESOLVED: Edge[] = []
for (const file of FILES) {
  const abs = join(ROOT, file)
  const imports = ts.preProcessFile(readFileSync(abs, 'utf8'), true, true).importedFiles.map((f) => f.fileName)
  for (const specifier of new Set(imports)) {
    if (specifier.startsWith('.')) {
      const target = resolveRelative(abs, specifier)
      if (target) EDGES.push({ from: file, to: rel(target), specifier })
      else UNRESOLVED.push({ from: file, to: '?', specifier })
    } else BARE.push({ from: file, to: specifier, specifier })
  }
}

const show = (edges: Edge[]) => edges.map((e) => `${e.from} -> ${e.to}`)

/** Whether a group may import another, by the layer rules alone (file-level rules come after). */
function layerAllows(from: Group, to: Group): boolean {
  if (from === to) return true
  if (to === 'generated') return true // who may import spec/generated/ is its own rule, file by file
  if (to === 'leaf') return from !== 'generated' // everyone may use the leaves
  if (from === 'index') return to !== 'outside' && to !== 'codegen'
  if (to === 'index') return from === 'cli' // the CLI starts the library through its API
  if (to === 'wire') return from === 'connection' || from === 'server' || from === 'generated'
  if (from === 'wire') return false // wire imports only wire, the leaves and (codec.ts) spec/generated
  const fi = LAYERS.indexOf(from as (typeof LAYERS)[number]), ti = LAYERS.indexOf(to as (typeof LAYERS)[number])
  return fi >= 0 && ti >= 0 && fi < ti // strictly downward
}

describe('architecture (STYLE section 2)', () => {
  it('finds the source files and their imports', () => {
    expect(FILES).toContain('src/index.ts')
    expect(FILES).toContain('src/wire/codec.ts')
    expect(EDGES.length).toBeGreaterThan(50)
  })

  it('states the layer rules as STYLE does (a check of the checker)', () => {
    const allowed: [Group, Group][] = [['cli', 'server'], ['cli', 'index'], ['server', 'connection'], ['server', 'wire'],
      ['connection', 'broker'], ['connection', 'wire'], ['connection', 'store'], ['broker', 'store'], ['index', 'wire'], ['wire', 'leaf']]
    const forbidden: [Group, Group][] = [['broker', 'wire'], ['broker', 'connection'], ['broker', 'server'], ['store', 'broker'],
      ['store', 'wire'], ['connection', 'server'], ['server', 'cli'], ['wire', 'connection'], ['wire', 'broker'], ['cli', 'wire'],
      ['broker', 'index'], ['generated', 'leaf']]
    for (const [a, b] of allowed) expect(layerAllows(a, b), `${a} -> ${b}`).toBe(true)
    for (const [a, b] of forbidden) expect(layerAllows(a, b), `${a} -> ${b}`).toBe(false)
    expect(groupOf('src/broker/exchange/topic.ts')).toBe('broker')
    expect(groupOf('src/errors.ts')).toBe('leaf')
    expect(groupOf('spec/generated/methods.ts')).toBe('generated')
  })

  it('resolves every relative import in src/ to a file', () => {
    expect(UNRESOLVED.map((e) => `${e.from} imports '${e.specifier}'`)).toEqual([])
  })

  it('keeps config.ts, log.ts and errors.ts leaves (errors.ts may import spec/generated/constants.ts)', () => {
    const bad = EDGES.filter((e) => LEAVES.has(e.from) && !(e.from === 'src/errors.ts' && e.to === 'spec/generated/constants.ts'))
    expect(show(bad)).toEqual([])
  })

  it('lets only src/wire/codec.ts and src/errors.ts import spec/generated/', () => {
    const bad = EDGES.filter((e) => groupOf(e.to) === 'generated' && groupOf(e.from) !== 'generated' &&
      e.from !== 'src/wire/codec.ts' && e.from !== 'src/errors.ts')
    expect(show(bad)).toEqual([])
  })

  it('lets spec/generated/ import only the wire primitives (byte-reader, byte-writer, field-table)', () => {
    const allowed = new Set(['src/wire/byte-reader.ts', 'src/wire/byte-writer.ts', 'src/wire/field-table.ts'])
    const bad = EDGES.filter((e) => groupOf(e.from) === 'generated' && groupOf(e.to) !== 'generated' && !allowed.has(e.to))
    expect(show(bad)).toEqual([])
  })

  it('keeps broker/ from importing wire/, connection/, server/ or cli/', () => {
    const bad = EDGES.filter((e) => groupOf(e.from) === 'broker' && ['wire', 'connection', 'server', 'cli', 'index'].includes(groupOf(e.to)))
    expect(show(bad)).toEqual([])
  })

  it('keeps store/ from importing broker/, connection/, wire/, server/ or cli/', () => {
    const bad = EDGES.filter((e) => groupOf(e.from) === 'store' && ['broker', 'connection', 'wire', 'server', 'cli', 'index'].includes(groupOf(e.to)))
    expect(show(bad)).toEqual([])
  })

  it('keeps wire/ from knowing channels, queues, state or sockets (no connection/, broker/, store/, server/, cli/)', () => {
    const bad = EDGES.filter((e) => groupOf(e.from) === 'wire' && ['connection', 'broker', 'store', 'server', 'cli', 'index'].includes(groupOf(e.to)))
    expect(show(bad)).toEqual([])
  })

  it('never imports upward through cli → server → connection → broker → store, and wire only from connection and server', () => {
    const bad = EDGES.filter((e) => !layerAllows(groupOf(e.from), groupOf(e.to)))
    expect(show(bad)).toEqual([])
  })

  it('keeps every src/ file in a known place', () => {
    expect(FILES.filter((f) => groupOf(f) === 'other-src')).toEqual([])
  })

  it('imports from src/ only src/, spec/generated/, node builtins and runtime dependencies (not devDependencies)', () => {
    const outside = EDGES.filter((e) => ['outside', 'codegen'].includes(groupOf(e.to)))
    const packages = BARE.filter((e) => !e.specifier.startsWith('node:') && !BUILTINS.has(e.specifier) && !DEPENDENCIES.has(packageName(e.specifier)))
    expect([...show(outside), ...packages.map((e) => `${e.from} -> package '${e.specifier}'`)]).toEqual([])
  })

  it('has no import cycles (type-only imports included)', () => {
    // Tarjan's strongly connected components; each component of more than one file is a cycle.
    const next = new Map<string, string[]>(FILES.map((f) => [f, []]))
    for (const e of EDGES) next.get(e.from)?.push(e.to)
    const index = new Map<string, number>(), low = new Map<string, number>(), onStack = new Set<string>()
    const stack: string[] = [], components: string[][] = []
    let counter = 0
    const visit = (v: string) => {
      index.set(v, counter); low.set(v, counter); counter++
      stack.push(v); onStack.add(v)
      for (const w of next.get(v) ?? []) {
        if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)) }
        else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
      }
      if (low.get(v) === index.get(v)) {
        const component: string[] = []
        let w: string
        do { w = stack.pop()!; onStack.delete(w); component.push(w) } while (w !== v)
        if (component.length > 1 || (next.get(v) ?? []).includes(v)) components.push(component.sort())
      }
    }
    for (const f of FILES) if (!index.has(f)) visit(f)
    // One concrete loop per component, so the message says which import to break.
    const cycles = components.map((c) => {
      const inside = new Set(c)
      const path = [c[0]]
      const seen = new Set<string>()
      const walk = (v: string): boolean => {
        for (const w of next.get(v) ?? []) {
          if (!inside.has(w)) continue
          if (w === c[0]) { path.push(w); return true }
          if (seen.has(w)) continue
          seen.add(w); path.push(w)
          if (walk(w)) return true
          path.pop()
        }
        return false
      }
      walk(c[0])
      return `${path.join(' -> ')}${c.length > path.length - 1 ? `  (component of ${c.length}: ${c.join(', ')})` : ''}`
    })
    expect(cycles).toEqual([])
  })
})
