// Durable backlog and recovery: N persistent 1 KiB messages published with confirms (window 1000)
// into one durable queue; the broker's peak RSS while they pile up, and its RSS per queued message
// over its idle baseline; a graceful restart on the same data (time to the first accepted
// connection, the queue's depth after it); then the drain rate. Warren and RabbitMQ side by side.
// Run: npm run build && node dist/bench/durable-backlog.js [--messages N] [--rabbit-messages M] [--no-rabbit]
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT, rssMB, startRabbit, stopAll, type Broker } from './brokers.js'
import { Worker } from './loadgen/spawn.js'
import type { ConsumeResult, PublishResult } from './loadgen/jobs.js'
import { RawClient } from './loadgen/amqp-client.js'

const args = process.argv.slice(2)
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? Number(args[i + 1]) : fallback
}
const MESSAGES = flag('messages', 1_000_000)
const RABBIT_MESSAGES = flag('rabbit-messages', 200_000)
const BODY = 1024
const QUEUE = 'bench.durable-backlog'

interface Outcome { messages: number, publishPerSec: number, peakRssMB: number, bytesPerMessage: number, restartMs: number, depthAfter: number, drainPerSec: number }

/** Warren's CLI on a data directory; resolves with its port and pid once it prints the port. */
function startWarrenOn(dataDir: string): Promise<{ port: number, pid: number, ms: number, stop(): Promise<void> }> {
  const started = performance.now()
  const child = spawn(process.execPath, ['bin/warren.js', '--port', '0', '--host', '127.0.0.1', '--no-management', '--data-dir', dataDir, '--log-level', 'warn'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('warren did not start in 120 s')) }, 120_000)
    child.stdout!.on('data', async (d: Buffer) => {
      out += d
      const m = /listening on port (\d+)/.exec(out)
      if (!m) return
      child.stdout!.removeAllListeners('data')
      clearTimeout(timer)
      const port = Number(m[1])
      const c = await RawClient.open(port) // the first accepted connection, handshake done
      const ms = performance.now() - started
      await c.close()
      resolve({
        port, pid: child.pid!, ms,
        stop: () => new Promise<void>((r) => { child.once('exit', () => r()); child.kill('SIGTERM') }),
      })
    })
  })
}

async function depthOf(port: number): Promise<number> {
  const c = await RawClient.open(port)
  try {
    await c.openChannel(1)
    return (await c.declareQueue(1, QUEUE, { durable: true })).messageCount
  } finally {
    await c.close()
  }
}

/** Publishes `count` persistent messages with confirms while sampling the broker's RSS. */
async function fill(port: number, pid: number, count: number): Promise<{ perSec: number, peakMB: number }> {
  await depthOf(port) // declares the durable queue
  let peakMB = rssMB(pid)
  const sampler = setInterval(() => { peakMB = Math.max(peakMB, rssMB(pid)) }, 200)
  const pub = await Worker.start({ role: 'publish', port, exchange: '', routingKeys: [QUEUE], bodyBytes: BODY, persistent: true,
    count, timeCapMs: 600_000, batch: 100, confirmWindow: 1000 })
  try {
    pub.go()
    const r = await pub.result<PublishResult>(660_000)
    if (r.confirmed < count) throw new Error(`only ${r.confirmed} of ${count} confirmed`)
    return { perSec: (r.confirmed * 1000) / (r.ended - r.started), peakMB: Math.max(peakMB, rssMB(pid)) }
  } finally {
    clearInterval(sampler)
    pub.kill()
  }
}

async function drain(port: number, count: number): Promise<number> {
  const c = await Worker.start({ role: 'consume', port, queues: [QUEUE], prefetch: 1000, countPerQueue: count, timeCapMs: 600_000, latency: false })
  try {
    c.go()
    const r = await c.result<ConsumeResult>(660_000)
    if (r.received < count) throw new Error(`drained only ${r.received} of ${count}`)
    return (r.received * 1000) / (r.last - r.started)
  } finally {
    c.kill()
  }
}

async function warren(count: number): Promise<Outcome> {
  const dataDir = mkdtempSync(join(tmpdir(), 'warren-bench-durable-'))
  try {
    const first = await startWarrenOn(dataDir)
    const baselineMB = rssMB(first.pid)
    const filled = await fill(first.port, first.pid, count)
    const bytesPerMessage = ((filled.peakMB - baselineMB) * 1024 * 1024) / count
    await first.stop()
    const second = await startWarrenOn(dataDir)
    const depthAfter = await depthOf(second.port)
    const drainPerSec = await drain(second.port, depthAfter)
    await second.stop()
    return { messages: count, publishPerSec: filled.perSec, peakRssMB: filled.peakMB, bytesPerMessage, restartMs: second.ms, depthAfter, drainPerSec }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}

async function rabbit(count: number): Promise<Outcome> {
  const first = await startRabbit({ keepData: true })
  let second: Broker | undefined
  try {
    const baselineMB = rssMB(first.pid)
    const filled = await fill(first.port, first.pid, count)
    const bytesPerMessage = ((filled.peakMB - baselineMB) * 1024 * 1024) / count
    await first.stop()
    second = await startRabbit({ reuse: { base: first.base, port: first.port, node: first.node } })
    const depthAfter = await depthOf(second.port)
    const drainPerSec = await drain(second.port, depthAfter)
    return { messages: count, publishPerSec: filled.perSec, peakRssMB: filled.peakMB, bytesPerMessage, restartMs: second.startupMs, depthAfter, drainPerSec }
  } finally {
    await second?.stop()
    rmSync(first.base, { recursive: true, force: true })
  }
}

function row(name: string, o: Outcome): string {
  const n = (v: number, d = 0) => v.toLocaleString('en-US', { maximumFractionDigits: d })
  return `| ${name} | ${n(o.messages)} | ${n(o.publishPerSec)} | ${n(o.peakRssMB)} | ${n(o.bytesPerMessage)} | ${n(o.restartMs)} | ${n(o.depthAfter)} | ${n(o.drainPerSec)} |`
}

async function main(): Promise<void> {
  console.log(`durable backlog: ${BODY} B persistent messages, confirms (window 1000), one durable queue (node dist/bench/durable-backlog.js ${args.join(' ')})`)
  console.log('| broker | messages | confirmed publish msg/s | peak RSS MB | RSS bytes per queued message | restart to first connection ms | depth after restart | drain msg/s |')
  console.log('|---|---|---|---|---|---|---|---|')
  console.log(row('Warren', await warren(MESSAGES)))
  if (!args.includes('--no-rabbit')) {
    console.log(row('Warren (same size as RabbitMQ)', await warren(RABBIT_MESSAGES)))
    console.log(row('RabbitMQ 3.10', await rabbit(RABBIT_MESSAGES)))
  }
}

main().then(() => process.exit(0), async (err) => {
  console.error(err)
  await stopAll()
  process.exit(1)
})
