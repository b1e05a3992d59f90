// Time from `node` starting to the first accepted TCP connection: Warren's CLI (in memory and on
// disk) against a bare Node listener, 7 rounds each, medians. Run: npm run build && node dist/bench/startup.js
import { spawn } from 'node:child_process'
import { connect } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { median, summary } from './stats.js'

const ROUNDS = 7
const root = fileURLToPath(new URL('../..', import.meta.url))
const BARE = "const s=require('net').createServer(c=>c.destroy()).listen(0,'127.0.0.1',()=>console.log('warren listening on port '+s.address().port))"

/** Spawns a process that prints its port, connects once, and returns ms from spawn to connect. */
function timeToFirstConnection(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('no port within 10 s')) }, 10_000)
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d
      const m = /listening on port (\d+)/.exec(out)
      if (!m) return
      child.stdout.removeAllListeners('data')
      const socket = connect(Number(m[1]), '127.0.0.1', () => {
        const ms = performance.now() - started
        socket.destroy()
        clearTimeout(timer)
        child.once('exit', () => resolve(ms))
        child.kill('SIGTERM')
      })
      socket.on('error', reject)
    })
  })
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'warren-bench-startup-'))
  const cases: [string, string[]][] = [
    ['bare node listener', ['-e', BARE]],
    ['warren --in-memory', ['bin/warren.js', '--port', '0', '--no-management', '--in-memory', '--log-level', 'warn']],
    ['warren on disk', ['bin/warren.js', '--port', '0', '--no-management', '--data-dir', dataDir, '--log-level', 'warn']],
  ]
  const results = new Map<string, number[]>(cases.map(([name]) => [name, []]))
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, args] of cases) results.get(name)!.push(await timeToFirstConnection(args))
  }
  rmSync(dataDir, { recursive: true, force: true })
  const bare = median(results.get('bare node listener')!)
  console.log(`startup: ms from spawning node to the first accepted connection, ${ROUNDS} rounds (node dist/bench/startup.js)`)
  for (const [name, values] of results) {
    console.log(`  ${name.padEnd(22)} ${summary(values)} ms   ratio to bare node ${(median(values) / bare).toFixed(2)}`)
  }
}

await main()
