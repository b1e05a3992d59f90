// Summarises a V8 .cpuprofile (node --cpu-prof): self and total time by function with file:line,
// top N. Run: node dist/bench/profile-top.js <file.cpuprofile> [N]
import { existsSync, readFileSync } from 'node:fs'
import { SourceMap } from 'node:module'
import { dirname, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

interface Node {
  id: number
  callFrame: { functionName: string, url: string, lineNumber: number, columnNumber: number }
  hitCount: number
  children?: number[]
}
interface Profile { nodes: Node[], samples: number[], timeDeltas: number[], startTime: number, endTime: number }

const [file, nArg] = process.argv.slice(2)
if (!file) throw new Error('usage: node dist/bench/profile-top.js <file.cpuprofile> [N]')
const top = Number(nArg ?? 25)
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile
const byId = new Map(p.nodes.map((n) => [n.id, n]))
const parent = new Map<number, number>()
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id)

// Self time per node from samples × deltas.
const selfUs = new Map<number, number>()
for (let i = 0; i < p.samples.length; i++) selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0))
const totalUs = p.endTime - p.startTime

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const maps = new Map<string, SourceMap | undefined>()
/** The TypeScript file:line of a compiled frame, through the .js.map tsc wrote beside it. */
const where = (n: Node) => {
  const { url, lineNumber, columnNumber } = n.callFrame
  if (!url) return '(native)'
  if (!url.startsWith('file://')) return `${url}:${lineNumber + 1}`
  const path = fileURLToPath(url)
  if (!maps.has(path)) maps.set(path, existsSync(path + '.map') ? new SourceMap(JSON.parse(readFileSync(path + '.map', 'utf8'))) : undefined)
  const entry = maps.get(path)?.findEntry(lineNumber, columnNumber) as { originalSource?: string, originalLine?: number } | undefined
  if (entry?.originalSource) return `${relative(ROOT, resolve(dirname(path), entry.originalSource))}:${entry.originalLine! + 1}`
  return `${relative(ROOT, path)}:${lineNumber + 1}`
}
const keyOf = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${where(n)}`

const self = new Map<string, number>()
const total = new Map<string, number>()
for (const [id, us] of selfUs) {
  const n = byId.get(id)!
  self.set(keyOf(n), (self.get(keyOf(n)) ?? 0) + us)
  // Inclusive: count once per distinct function on the stack.
  const seen = new Set<string>()
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const k = keyOf(byId.get(cur)!)
    if (seen.has(k)) continue
    seen.add(k)
    total.set(k, (total.get(k) ?? 0) + us)
  }
}
// For time spent in Node internals (buffer copies...), the nearest src/ or spec/ frame that called in.
const viaSrc = new Map<string, number>()
for (const [id, us] of selfUs) {
  const n = byId.get(id)!
  if (/ (src|spec)\//.test(keyOf(n)) || !n.callFrame.url) continue
  let cur = parent.get(id)
  while (cur !== undefined && !/ (src|spec)\//.test(keyOf(byId.get(cur)!))) cur = parent.get(cur)
  if (cur === undefined) continue
  const k = `${n.callFrame.functionName || '(anonymous)'} ← ${keyOf(byId.get(cur)!)}`
  viaSrc.set(k, (viaSrc.get(k) ?? 0) + us)
}
const pct = (us: number) => `${((us / totalUs) * 100).toFixed(1).padStart(5)} %`
console.log(`profile ${file}: ${(totalUs / 1e6).toFixed(2)} s wall`)
console.log('\nself time:')
for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${k}`)
console.log('\ninclusive time (functions in src/ and spec/):')
for (const [k, us] of [...total].filter(([k]) => / (src|spec)\//.test(k)).sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${k}`)
console.log('\nNode internals by the src/ frame that called them:')
for (const [k, us] of [...viaSrc].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${k}`)
