// Runs the `warren` command as a child process (built dist/, as `npm test` builds first), for
// tests that need a real process: crashes (SIGKILL), signals, resident memory.
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))

export interface ChildBroker {
  readonly process: ChildProcess
  readonly port: number
  readonly url: string
  /** Everything the child wrote to stderr so far (logs). */
  stderr(): string
  /** Resolves with the exit code (or signal name) once the child has exited. */
  readonly exited: Promise<number | string>
  rssBytes(): number
}

export function startChildBroker(args: string[], timeoutMs = 10_000, env: NodeJS.ProcessEnv = {}): Promise<ChildBroker> {
  return new Promise((resolve, reject) => {
    const defaults = env.WARREN_LOG_LEVEL ? [] : ['--log-level', 'warn']
    // Port 0 for the management API too, so parallel test files never collide on 15672.
    const child = spawn(process.execPath, ['bin/warren.js', '--port', '0', '--management-port', '0', '--host', '127.0.0.1', ...defaults, ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = '', err = ''
    const exited = new Promise<number | string>((r) => child.once('exit', (code, signal) => r(code ?? signal ?? -1)))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`broker did not start within ${timeoutMs} ms: ${err}`))
    }, timeoutMs)
    child.stderr!.on('data', (d: Buffer) => (err += d))
    child.stdout!.on('data', (d: Buffer) => {
      out += d
      const m = /listening on port (\d+)/.exec(out)
      if (!m) return
      clearTimeout(timer)
      const port = Number(m[1])
      resolve({
        process: child, port, url: `amqp://guest:guest@127.0.0.1:${port}`, exited,
        stderr: () => err,
        rssBytes: () => {
          const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
          return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024
        },
      })
    })
    exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`broker exited with ${code} before listening: ${err}`))
    })
  })
}
