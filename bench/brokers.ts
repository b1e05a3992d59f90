// Starting and stopping what the benchmarks run against, each in its own process: Warren's CLI,
// a private RabbitMQ node (own port, node name, data folder) and the limit relay. Stops only the
// processes it started, by PID (RabbitMQ through `rabbitmqctl -n <its node> stop`).
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { RawClient } from './loadgen/amqp-client.js'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const RABBIT_BIN = existsSync('/usr/lib/rabbitmq/bin/rabbitmq-server') ? '/usr/lib/rabbitmq/bin' : ''

export type BrokerKind = 'warren' | 'rabbitmq' | 'limit'

export interface Broker {
  readonly kind: BrokerKind
  readonly port: number
  /** The process whose RSS is the broker's (beam.smp for RabbitMQ). */
  readonly pid: number
  /** ms from spawning to the first completed AMQP handshake (connection.open-ok). */
  readonly startupMs: number
  stop(): Promise<void>
}

const live = new Set<Broker>()
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Resident set size in MB from /proc/<pid>/status. */
export function rssMB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (!m) throw new Error(`no VmRSS for pid ${pid}`)
  return Number(m[1]) / 1024
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer()
    s.once('error', () => resolve(false))
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)))
  })
}

/** A free port p in 20000..45000 whose p+20000 (RabbitMQ's distribution port) is free too. */
export async function freePortPair(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const p = 20000 + Math.floor(Math.random() * 25000)
    if (await portIsFree(p) && await portIsFree(p + 20000)) return p
  }
  throw new Error('no free port pair found')
}

/** Retries the AMQP handshake until it succeeds (bounded). */
async function waitForAmqp(port: number, timeoutMs: number, pollMs: number, isDead: () => boolean): Promise<void> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    try {
      const c = await RawClient.open(port)
      await c.close()
      return
    } catch (err) {
      if (isDead()) throw new Error('broker process exited before accepting AMQP')
      if (performance.now() > deadline) throw new Error(`no AMQP on port ${port} within ${timeoutMs} ms: ${(err as Error).message}`)
      await sleep(pollMs)
    }
  }
}

function stopChild(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.once('exit', () => { clearTimeout(timer); resolve() })
    child.kill('SIGTERM')
  })
}

/** Spawns a node process that prints `listening on port N`, then completes one AMQP handshake. */
async function startNodeServer(kind: BrokerKind, args: string[], cleanup: () => void): Promise<Broker> {
  const started = performance.now()
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  let exited = false
  child.once('exit', () => { exited = true })
  const port = await new Promise<number>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${kind}: no port within 15 s`)) }, 15_000)
    child.stdout!.on('data', (d: Buffer) => {
      out += d
      const m = /listening on port (\d+)/.exec(out)
      if (m) { clearTimeout(timer); resolve(Number(m[1])) }
    })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${kind} exited with ${code} before listening: ${out}`)) })
  })
  child.stdout!.resume()
  await waitForAmqp(port, 10_000, 10, () => exited)
  const startupMs = performance.now() - started
  const broker: Broker = {
    kind, port, pid: child.pid!, startupMs,
    async stop() {
      live.delete(broker)
      await stopChild(child)
      cleanup()
    },
  }
  live.add(broker)
  return broker
}

export interface WarrenOptions { persistent: boolean, cpuProfDir?: string }

/**
 * Warren's CLI: `--in-memory` for transient workloads, a fresh `--data-dir` for persistent ones;
 * without the management API, as RabbitMQ runs here without plugins (and so that two brokers at
 * once do not both want port 15672).
 */
export function startWarren(opts: WarrenOptions): Promise<Broker> {
  const dataDir = opts.persistent ? mkdtempSync(join(tmpdir(), 'warren-bench-data-')) : undefined
  const prof = opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir] : []
  const store = dataDir ? ['--data-dir', dataDir] : ['--in-memory']
  return startNodeServer('warren', [...prof, 'bin/warren.js', '--port', '0', '--host', '127.0.0.1', '--no-management', ...store, '--log-level', 'warn'],
    () => { if (dataDir) rmSync(dataDir, { recursive: true, force: true }) })
}

export function startLimit(): Promise<Broker> {
  return startNodeServer('limit', [fileURLToPath(new URL('./limit.js', import.meta.url)), '--port', '0'], () => {})
}

/** Installs RabbitMQ with apt-get only when it is missing. */
export function ensureRabbitInstalled(): void {
  if (RABBIT_BIN || spawnSync('sh', ['-c', 'command -v rabbitmq-server']).status === 0) return
  console.log('rabbitmq-server is missing: apt-get install -y rabbitmq-server')
  execFileSync('apt-get', ['install', '-y', 'rabbitmq-server'], { stdio: 'inherit' })
}

let rabbitCount = 0

/**
 * A private RabbitMQ node on a spare loopback port, with its own node name, data and log folders
 * and Erlang cookie (HOME), started with -detached; ready once an AMQP handshake succeeds.
 */
/** `reuse` restarts a node stopped with keepData on its own data folder (recovery benchmarks). */
export interface RabbitOptions { keepData?: boolean, reuse?: { base: string, port: number, node: string } }

export async function startRabbit(opts: RabbitOptions = {}): Promise<Broker & { base: string, node: string }> {
  ensureRabbitInstalled()
  const base = opts.reuse?.base ?? mkdtempSync(join(tmpdir(), 'warren-bench-rabbit-'))
  const port = opts.reuse?.port ?? await freePortPair()
  const node = opts.reuse?.node ?? `bench${process.pid}n${++rabbitCount}@localhost`
  const dropData = () => { if (!opts.keepData) rmSync(base, { recursive: true, force: true }) }
  writeFileSync(join(base, 'enabled_plugins'), '[].\n')
  if (opts.reuse) rmSync(join(base, 'pid'), { force: true }) // the stopped node's, not ours
  const env = {
    ...process.env, HOME: base,
    RABBITMQ_NODE_PORT: String(port), RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1', RABBITMQ_DIST_PORT: String(port + 20000),
    ERL_EPMD_ADDRESS: '127.0.0.1', RABBITMQ_NODENAME: node,
    RABBITMQ_MNESIA_BASE: join(base, 'mnesia'), RABBITMQ_LOG_BASE: join(base, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(base, 'enabled_plugins'), RABBITMQ_PID_FILE: join(base, 'pid'),
  }
  const server = RABBIT_BIN ? join(RABBIT_BIN, 'rabbitmq-server') : 'rabbitmq-server'
  const ctl = RABBIT_BIN ? join(RABBIT_BIN, 'rabbitmqctl') : 'rabbitmqctl'
  let pid = 0
  const pidFile = join(base, 'pid')
  const readPid = () => {
    if (!pid && existsSync(pidFile)) { const text = readFileSync(pidFile, 'utf8'); if (/^\d+\s*$/.test(text)) pid = Number(text.trim()) }
    return pid
  }
  // Dead only if the pid, read afresh (a half-written file must not look like a dead node), is gone.
  const isDead = () => {
    if (!readPid() || isAlive(pid)) return false
    pid = 0
    return readPid() !== 0 && !isAlive(pid)
  }
  const logTail = () => {
    try {
      const dir = join(base, 'log')
      return readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8').split('\n').slice(-15).join('\n')).join('\n')
    } catch {
      return '(no log)'
    }
  }
  const stopSync = () => {
    spawnSync(ctl, ['-n', node, 'stop'], { env, stdio: 'ignore', timeout: 30_000 })
    if (readPid() && isAlive(pid)) process.kill(pid, 'SIGKILL')
    dropData()
  }
  const started = performance.now()
  const launcher = spawnSync(server, ['-detached'], { env, stdio: 'ignore', timeout: 30_000 })
  if (launcher.status !== 0) { stopSync(); throw new Error(`rabbitmq-server -detached exited with ${launcher.status}`) }
  try {
    await waitForAmqp(port, 60_000, 25, isDead)
  } catch (err) {
    const tail = logTail()
    stopSync()
    throw new Error(`${(err as Error).message}; RabbitMQ log tail:\n${tail}`)
  }
  const startupMs = performance.now() - started
  for (let i = 0; i < 100 && !readPid(); i++) await sleep(50)
  if (!pid) { stopSync(); throw new Error('RabbitMQ wrote no pid file') }
  const broker: Broker & { base: string, node: string } = {
    kind: 'rabbitmq', port, pid, startupMs, base, node,
    async stop() {
      live.delete(broker)
      await new Promise<void>((resolve) => {
        const p = spawn(ctl, ['-n', node, 'stop'], { env, stdio: 'ignore' })
        const timer = setTimeout(() => p.kill('SIGKILL'), 30_000)
        p.once('exit', () => { clearTimeout(timer); resolve() })
        p.once('error', () => { clearTimeout(timer); resolve() })
      })
      for (let i = 0; i < 200 && isAlive(pid); i++) await sleep(50)
      if (isAlive(pid)) process.kill(pid, 'SIGKILL')
      dropData()
    },
  }
  live.add(broker)
  ;(broker as { stopSync?: () => void }).stopSync = stopSync
  return broker
}

/** Stops everything still running; used on errors and signals. */
export async function stopAll(): Promise<void> {
  for (const b of [...live]) await b.stop().catch(() => {})
}

/** Last resort on SIGINT/SIGTERM: synchronous, so it finishes before the process exits. */
export function stopAllSync(): void {
  for (const b of [...live]) {
    live.delete(b)
    const s = (b as { stopSync?: () => void }).stopSync
    if (s) s()
    else if (isAlive(b.pid)) process.kill(b.pid, 'SIGKILL')
  }
}
