// Soak: Warren as a child process on a data directory, publishers with confirms and consumers
// that disconnect at random, and broker restarts (SIGTERM, restart on the same data dir). Every
// confirmed message id must be received at least once after the final drain; RSS is sampled at
// start, at its peak, and settleSeconds (15) after the load stops; with --idle-first S also after the
// fresh broker has idled S seconds before the load (V8 gives back its start-up memory within ~10 s).
// Bounded by time (--seconds) and by count.
// Run: npm run build && node dist/bench/soak.js --seconds 60 [--publishers 4] [--consumers 4] [--restarts 3] [--idle-first 15]
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import amqp from 'amqplib'
import { mapHeap } from './heap-map.js'

const here = fileURLToPath(new URL('.', import.meta.url))
/** The repository root, from dist/bench/ (compiled) or bench/ (run by vitest from source). */
const ROOT = here.includes(`${join('dist', 'bench')}`) ? resolve(here, '../..') : resolve(here, '..')

export interface SoakOptions {
  seconds: number
  publishers: number
  consumers: number
  restarts: number
  queues: number
  /** Upper bound on messages published in total (the count bound besides time). */
  maxMessages: number
  /** How long the final drain may take. */
  drainSeconds: number
  /** Idle time after the load before memory is measured. */
  settleSeconds: number
  /** Idle time of the fresh broker, after its baseline, before the load starts (0: none). */
  idleFirstSeconds: number
  seed: number
  log: (line: string) => void
}

export interface SoakSummary {
  seconds: number
  published: number
  confirmed: number
  received: number
  receivedDistinct: number
  lost: number
  lostSample: string[]
  duplicates: number
  unconfirmedReceived: number
  restarts: number
  consumerDisconnects: number
  rssBaselineBytes: number
  /** RSS of the first process after idleFirstSeconds without traffic (0 when not asked). */
  rssIdleFirstBytes: number
  rssPeakBytes: number
  rssAfterBytes: number
  /** Baseline of the last broker process (after the last restart), for comparison. */
  rssLastStartBytes: number
  /** The C heap of the first process at start and of the last one after the load (bench/heap-map.ts). */
  heapAtStart: string
  heapAfter: string
  drainMs: number
}

export const DEFAULT_SOAK: SoakOptions = {
  seconds: 60, publishers: 4, consumers: 4, restarts: 3, queues: 2, maxMessages: 2_000_000, drainSeconds: 60, settleSeconds: 15, idleFirstSeconds: 0,
  seed: 1, log: (line) => process.stdout.write(`${line}\n`),
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

class Rng {
  constructor(private s: number) {}
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000
  }
}

interface Child { process: ChildProcess; port: number; exited: Promise<unknown>; stderr: () => string }

function startWarren(dataDir: string, port: number): Promise<Child> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['bin/warren.js', '--port', String(port), '--host', '127.0.0.1', '--no-management', '--log-level', 'error', '--data-dir', dataDir], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = '', err = ''
    const exited = new Promise((r) => child.once('exit', (code, signal) => r(code ?? signal)))
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`warren did not start within 20 s: ${err}`)) }, 20_000)
    child.stderr!.on('data', (d: Buffer) => { err = (err + d).slice(-20_000) })
    child.stdout!.on('data', (d: Buffer) => {
      out += d
      const m = /warren listening on port (\d+)/.exec(out)
      if (!m) return
      clearTimeout(timer)
      resolvePromise({ process: child, port: Number(m[1]), exited, stderr: () => err })
    })
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`warren exited with ${String(code)} before listening: ${err}`)) })
  })
}

/** The [heap] mapping's live and free bytes (glibc on Linux), or why it could not be read. */
function heapOf(pid: number | undefined): string {
  try {
    const h = mapHeap(pid!)
    const mib = (n: number) => (n / 2 ** 20).toFixed(1)
    return `${mib(h.heapBytes)} MiB (${mib(h.residentBytes)} resident), live ${mib(h.liveBytes)}, free ${mib(h.freeBytes)} (${mib(h.topFreeBytes)} at the top, where glibc can return it)`
  } catch (err) {
    return `not read (${(err as Error).message})`
  }
}

function rssOf(pid: number | undefined): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024
  } catch {
    return 0 // the process is between a stop and a restart
  }
}

/** Resolves when the amqplib connection closes (for any reason). */
function closed(conn: amqp.ChannelModel): Promise<void> {
  return new Promise((r) => conn.once('close', () => r()))
}

/** Closes with a bound: amqplib's close() can wait forever on a socket that is already gone. */
async function closeQuietly(conn: amqp.ChannelModel | undefined): Promise<void> {
  if (!conn) return
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([conn.close(), new Promise<void>((r) => { timer = setTimeout(r, 2000) })])
  } catch {
    // already closed by the broker (restart) or by us
  } finally {
    clearTimeout(timer)
  }
}

export async function runSoak(partial: Partial<SoakOptions> = {}): Promise<SoakSummary> {
  const o: SoakOptions = { ...DEFAULT_SOAK, ...partial }
  const rng = new Rng(o.seed)
  const dataDir = mkdtempSync(join(tmpdir(), 'warren-soak-'))
  let child = await startWarren(dataDir, 0)
  const port = child.port
  const url = () => `amqp://guest:guest@127.0.0.1:${port}?heartbeat=10`
  const queueNames = Array.from({ length: o.queues }, (_, i) => `soak-${i}`)
  await sleep(500)
  const rssBaselineBytes = rssOf(child.process.pid)
  const heapAtStart = heapOf(child.process.pid)
  if (o.idleFirstSeconds > 0) await sleep(o.idleFirstSeconds * 1000)
  const rssIdleFirstBytes = o.idleFirstSeconds > 0 ? rssOf(child.process.pid) : 0
  let rssLastStartBytes = rssBaselineBytes
  let rssPeakBytes = rssBaselineBytes
  const sampler = setInterval(() => { rssPeakBytes = Math.max(rssPeakBytes, rssOf(child.process.pid)) }, 250)

  const confirmed = new Set<string>()
  const received = new Map<string, number>()
  let published = 0, receivedTotal = 0, consumerDisconnects = 0, restarts = 0
  let stopPublishing = false, stopConsuming = false, restarting = false
  const live = new Set<amqp.ChannelModel>()

  async function publisher(id: number): Promise<void> {
    let seq = 0
    const queue = queueNames[id % queueNames.length]
    while (!stopPublishing) {
      let conn: amqp.ChannelModel | undefined
      try {
        conn = await amqp.connect(url(), { timeout: 5000 })
        live.add(conn)
        conn.on('error', () => { /* a restart closes us with 320; the loop reconnects */ })
        let isGone = false
        const gone = closed(conn).then(() => { isGone = true })
        const ch = await conn.createConfirmChannel()
        ch.on('error', () => { /* as above */ })
        for (const q of queueNames) await ch.assertQueue(q, { durable: true })
        // isGone matters: racing an already-closed connection would spin on microtasks forever.
        while (!stopPublishing && !isGone && published < o.maxMessages) {
          const batch: Promise<void>[] = []
          for (let i = 0; i < 50; i++) {
            const messageId = `${id}-${seq++}`
            const body = Buffer.alloc(100 + Math.floor(rng.next() * 2000), messageId)
            published++
            batch.push(new Promise<void>((r) => ch.publish('', queue, body, { persistent: true, messageId }, (err) => {
              if (!err) confirmed.add(messageId)
              r()
            })))
          }
          // amqplib fails every outstanding confirm when the channel closes, so this cannot hang on a restart.
          await Promise.race([Promise.all(batch), gone])
        }
        if (published >= o.maxMessages) stopPublishing = true
      } catch {
        // connection refused while the broker restarts, or closed under us: retry
      } finally {
        if (conn) { live.delete(conn); await closeQuietly(conn) }
      }
      if (!stopPublishing) await sleep(100)
    }
  }

  async function consumer(id: number): Promise<void> {
    while (!stopConsuming) {
      let conn: amqp.ChannelModel | undefined
      try {
        conn = await amqp.connect(url(), { timeout: 5000 })
        live.add(conn)
        conn.on('error', () => { /* restart or our own disconnect */ })
        const gone = closed(conn)
        const ch = await conn.createChannel()
        ch.on('error', () => { /* as above */ })
        await ch.prefetch(100)
        for (const q of queueNames) {
          await ch.assertQueue(q, { durable: true })
          await ch.consume(q, (m) => {
            if (!m) return
            const messageId = String(m.properties.messageId)
            received.set(messageId, (received.get(messageId) ?? 0) + 1)
            receivedTotal++
            try {
              ch.ack(m)
            } catch {
              // channel closed under us: the message is redelivered (at-least-once)
            }
          })
        }
        // Random disconnects while the load runs; during the final drain, stay connected.
        const stayMs = 1000 + rng.next() * 5000
        await Promise.race([gone, sleep(stayMs).then(() => { if (!stopPublishing) throw new Error('disconnect') }), waitUntil(() => stopConsuming)])
        if (stopPublishing) await Promise.race([gone, waitUntil(() => stopConsuming)])
      } catch {
        consumerDisconnects++
        // Half of the disconnects are abrupt: the socket is destroyed without a connection.close.
        if (conn && rng.next() < 0.5) {
          (conn as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy()
          live.delete(conn)
          conn = undefined
        }
      } finally {
        if (conn) { live.delete(conn); await closeQuietly(conn) }
      }
      if (!stopConsuming) await sleep(50)
    }
  }

  async function waitUntil(check: () => boolean): Promise<void> {
    while (!check()) await sleep(50)
  }

  const started = Date.now()
  o.log(`soak: ${o.seconds} s, ${o.publishers} publishers, ${o.consumers} consumers, ${o.restarts} restarts, port ${port}, data dir ${dataDir}, seed ${o.seed}`)
  const publishers = Array.from({ length: o.publishers }, (_, i) => publisher(i))
  const consumers = Array.from({ length: o.consumers }, (_, i) => consumer(i))
  // Restarts spread over the first 70% of the load, so the last broker process carries load too.
  const restartLoop = (async () => {
    for (let k = 1; k <= o.restarts; k++) {
      const at = started + (o.seconds * 1000 * 0.7 * k) / (o.restarts + 1)
      while (Date.now() < at && !stopPublishing) await sleep(100)
      if (stopPublishing) return
      restarting = true
      child.process.kill('SIGTERM')
      const code = await child.exited
      if (code !== 0) o.log(`soak: broker exited with ${String(code)} on SIGTERM: ${child.stderr().slice(-2000)}`)
      child = await startWarren(dataDir, port)
      rssLastStartBytes = rssOf(child.process.pid)
      restarts++
      restarting = false
      o.log(`soak: restart ${k} at ${((Date.now() - started) / 1000).toFixed(1)} s (confirmed so far ${confirmed.size})`)
    }
  })()

  const progress = setInterval(() => o.log(`soak: ${((Date.now() - started) / 1000).toFixed(0)} s, published ${published}, confirmed ${confirmed.size}, received ${receivedTotal}, rss ${(rssOf(child.process.pid) / 2 ** 20).toFixed(1)} MiB`), 10_000)
  while (Date.now() - started < o.seconds * 1000 && !stopPublishing) await sleep(100)
  stopPublishing = true
  await restartLoop
  while (restarting) await sleep(50)
  // Publishers finish their last batch first: a confirm that arrives after the drain began would
  // otherwise count as lost once the consumers have left.
  await Promise.race([Promise.all(publishers), sleep(o.drainSeconds * 1000)])

  // Final drain: consumers stay connected until every confirmed id has arrived (bounded).
  const drainStarted = Date.now()
  while (Date.now() - drainStarted < o.drainSeconds * 1000) {
    let missing = 0
    for (const id of confirmed) if (!received.has(id)) { missing++; break }
    if (missing === 0) break
    await sleep(200)
  }
  const drainMs = Date.now() - drainStarted
  stopConsuming = true
  await Promise.all(consumers)
  for (const c of live) await closeQuietly(c)
  clearInterval(progress)

  // Memory once the load has stopped (all clients gone, queues drained) and the broker has had
  // settleSeconds to notice it is idle (the CLI gives memory back after 5 s without traffic).
  for (let t = 1; t <= o.settleSeconds; t++) {
    await sleep(1000)
    if (t % 5 === 0) o.log(`soak: idle ${t} s, rss ${(rssOf(child.process.pid) / 2 ** 20).toFixed(1)} MiB`)
  }
  clearInterval(sampler)
  const rssAfterBytes = rssOf(child.process.pid)
  const heapAfter = heapOf(child.process.pid)

  const lostIds = [...confirmed].filter((id) => !received.has(id))
  let duplicates = 0, unconfirmedReceived = 0
  for (const [id, n] of received) {
    duplicates += n - 1
    if (!confirmed.has(id)) unconfirmedReceived++
  }
  child.process.kill('SIGTERM')
  await child.exited
  rmSync(dataDir, { recursive: true, force: true })
  return {
    seconds: (Date.now() - started) / 1000, published, confirmed: confirmed.size, received: receivedTotal, receivedDistinct: received.size,
    lost: lostIds.length, lostSample: lostIds.slice(0, 10), duplicates, unconfirmedReceived, restarts, consumerDisconnects,
    rssBaselineBytes, rssIdleFirstBytes, rssPeakBytes, rssAfterBytes, rssLastStartBytes, drainMs, heapAtStart, heapAfter,
  }
}

export function formatSummary(s: SoakSummary): string {
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`
  return [
    `soak summary (${s.seconds.toFixed(0)} s wall, ${s.restarts} broker restarts, ${s.consumerDisconnects} consumer disconnects)`,
    `  published ${s.published}, confirmed ${s.confirmed}, received ${s.received} (${s.receivedDistinct} distinct)`,
    `  lost ${s.lost}${s.lost ? ` e.g. ${s.lostSample.join(', ')}` : ''}, duplicates ${s.duplicates}, received but unconfirmed ${s.unconfirmedReceived}, drain ${s.drainMs} ms`,
    `  RSS baseline ${mib(s.rssBaselineBytes)}${s.rssIdleFirstBytes ? ` (${mib(s.rssIdleFirstBytes)} after idling before the load)` : ''}, peak ${mib(s.rssPeakBytes)}, after ${mib(s.rssAfterBytes)} (last process started at ${mib(s.rssLastStartBytes)})`,
    `  C heap at start: ${s.heapAtStart}`,
    `  C heap after:    ${s.heapAfter}`,
  ].join('\n')
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const summary = await runSoak({
    seconds: arg('seconds', DEFAULT_SOAK.seconds), publishers: arg('publishers', DEFAULT_SOAK.publishers),
    consumers: arg('consumers', DEFAULT_SOAK.consumers), restarts: arg('restarts', DEFAULT_SOAK.restarts),
    maxMessages: arg('max-messages', DEFAULT_SOAK.maxMessages), seed: arg('seed', Date.now() % 100000),
    idleFirstSeconds: arg('idle-first', DEFAULT_SOAK.idleFirstSeconds),
  })
  console.log(`command: node dist/bench/soak.js ${process.argv.slice(2).join(' ')}`)
  console.log(formatSummary(summary))
  // Exit explicitly: a client socket the broker dropped during a restart can keep the loop alive.
  process.exit(summary.lost === 0 ? 0 : 1)
}
