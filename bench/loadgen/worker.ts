// A load-generator child process (forked by bench/loadgen/spawn.ts): one role per process,
// publisher, consumer, rate-limited latency publisher, connection churner or queue declarer.
// Protocol over IPC: parent sends the job; we answer 'ready', wait for 'go', answer 'result', exit.
// Every loop stops by itself at its message count or its wall-time cap, whichever comes first.
import { RawClient } from './amqp-client.js'
import { publishBatch, ackFrame } from './frames.js'
import type { Job, WorkerResult } from './jobs.js'

const now = () => performance.timeOrigin + performance.now() // wall clock in ms, comparable across processes

function send(msg: unknown): void {
  process.send!(msg)
}

function waitForGo(): Promise<void> {
  return new Promise((resolve) => process.once('message', () => resolve()))
}

async function publisher(job: Extract<Job, { role: 'publish' }>): Promise<WorkerResult> {
  const c = await RawClient.open(job.port)
  await c.openChannel(1)
  const confirming = job.confirmWindow > 0
  if (confirming) await c.confirmSelect(1)
  const props = job.persistent ? { deliveryMode: 2 } : {}
  const body = Buffer.alloc(job.bodyBytes, 0x61)
  // Enough distinct batches to walk the routing keys; each written as one socket write.
  const batches: Buffer[] = []
  const keyCycle = Math.max(1, job.routingKeys.length)
  const distinct = Math.ceil(keyCycle / job.batch)
  for (let i = 0; i < Math.min(distinct, 64); i++) batches.push(publishBatch(1, job.exchange, job.routingKeys, i * job.batch, props, body, job.batch))
  let confirmed = 0
  let nacked = 0
  let lowWater = 0 // every tag <= lowWater is confirmed
  const seen = new Set<number>()
  let wake: (() => void) | undefined
  c.onConfirm = (_ch, tag, multiple, nack) => {
    if (nack) nacked++
    if (multiple) {
      for (let t = lowWater + 1; t <= tag; t++) if (!seen.delete(t)) confirmed++
      if (tag > lowWater) lowWater = tag
    } else if (tag > lowWater && !seen.has(tag)) {
      seen.add(tag)
      confirmed++
      while (seen.delete(lowWater + 1)) lowWater++
    }
    if (wake) { const w = wake; wake = undefined; w() }
  }
  send({ type: 'ready' })
  await waitForGo()
  const started = now()
  const deadline = started + job.timeCapMs
  let sent = 0
  let b = 0
  while (sent < job.count && now() < deadline) {
    if (c.error) throw c.error
    if (confirming && sent - confirmed + job.batch > job.confirmWindow) {
      await new Promise<void>((resolve) => { wake = resolve; setTimeout(resolve, 50) })
      continue
    }
    const ok = c.socket.write(batches[b])
    b = (b + 1) % batches.length
    sent += job.batch
    if (!ok) await c.drained()
    else if ((sent / job.batch) % 16 === 0) await new Promise(setImmediate) // let replies in
  }
  const publishedAt = now()
  if (confirming) {
    const waitUntil = Math.max(deadline, publishedAt) + 5000
    while (confirmed < sent && now() < waitUntil && !c.error) await new Promise<void>((resolve) => { wake = resolve; setTimeout(resolve, 50) })
  }
  const ended = now()
  await c.close()
  return { sent, confirmed, nacked, started, publishedAt, ended }
}

async function consumer(job: Extract<Job, { role: 'consume' }>): Promise<WorkerResult> {
  const c = await RawClient.open(job.port)
  c.wantBodies = job.latency
  const n = job.queues.length
  const counts = new Array<number>(n + 1).fill(0)
  const lastAcked = new Array<number>(n + 1).fill(0)
  const ackEvery = Math.max(1, Math.floor(job.prefetch / 2))
  const target = job.countPerQueue
  let total = 0
  let first = 0
  let last = 0
  const latencies: number[] = []
  let finish: (() => void) | undefined
  c.onMessage = (ch, tag, body) => {
    const t = now()
    if (first === 0) first = t
    last = t
    total++
    const k = ++counts[ch]
    if (body !== undefined && body.length >= 8) latencies.push(t - body.readDoubleBE(0))
    if (tag - lastAcked[ch] >= ackEvery || k === target) {
      c.socket.write(ackFrame(ch, tag, true))
      lastAcked[ch] = tag
    }
    if (total === target * n && finish) finish()
  }
  for (let i = 0; i < n; i++) {
    const ch = i + 1
    await c.openChannel(ch)
    await c.qos(ch, job.prefetch)
    await c.consume(ch, job.queues[i], `bench-${i}`)
  }
  send({ type: 'ready' })
  await waitForGo()
  const started = now()
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, job.timeCapMs)
    finish = () => { clearTimeout(timer); resolve() }
    if (total === target * n) finish()
  })
  const result = { received: total, started, first, last, latencies: job.latency ? latencies : undefined, error: c.error?.message }
  await c.close()
  return result
}

/** Publishes at a fixed rate; the body carries the send time as a double for the consumer. */
async function ratePublisher(job: Extract<Job, { role: 'rate-publish' }>): Promise<WorkerResult> {
  const c = await RawClient.open(job.port)
  await c.openChannel(1)
  const body = Buffer.alloc(job.bodyBytes, 0x61)
  send({ type: 'ready' })
  await waitForGo()
  const started = now()
  const deadline = started + job.timeCapMs
  let sent = 0
  while (sent < job.count && now() < deadline) {
    if (c.error) throw c.error
    const due = Math.min(job.count, Math.floor(((now() - started) * job.ratePerSecond) / 1000) + 1)
    if (due > sent) {
      // Normally one message per tick; after a late wake-up, the few that are due, each stamped now.
      const chunks: Buffer[] = []
      for (; sent < due; sent++) {
        body.writeDoubleBE(now(), 0)
        chunks.push(publishBatch(1, '', [job.routingKey], 0, {}, body, 1))
      }
      c.socket.write(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks))
    }
    // Sleep rather than spin: a busy loop would take one of the machine's two cores from the broker.
    const wait = started + (sent * 1000) / job.ratePerSecond - now()
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, wait)))
  }
  const ended = now()
  await c.close()
  return { sent, confirmed: 0, nacked: 0, started, publishedAt: ended, ended }
}

/** Opens and closes connections (full handshake + connection.close), `concurrency` at a time. */
async function churn(job: Extract<Job, { role: 'churn' }>): Promise<WorkerResult> {
  send({ type: 'ready' })
  await waitForGo()
  const started = now()
  const deadline = started + job.timeCapMs
  let opened = 0
  let failures = 0
  const loop = async () => {
    while (opened < job.count && now() < deadline) {
      opened++
      try {
        const c = await RawClient.open(job.port)
        await c.close()
      } catch {
        failures++ // counted and reported; a refused connection is a result, not a crash
      }
    }
  }
  await Promise.all(Array.from({ length: job.concurrency }, loop))
  const ended = now()
  return { opened: opened - failures, failures, started, ended }
}

/** Declares `count` non-exclusive queues over `channels` channels, one outstanding declare per channel. */
async function declarer(job: Extract<Job, { role: 'declare' }>): Promise<WorkerResult> {
  const c = await RawClient.open(job.port)
  for (let ch = 1; ch <= job.channels; ch++) await c.openChannel(ch)
  send({ type: 'ready' })
  await waitForGo()
  const started = now()
  const deadline = started + job.timeCapMs
  let next = 0
  const loop = async (ch: number) => {
    while (next < job.count && now() < deadline) {
      const i = next++
      await c.declareQueue(ch, `${job.prefix}${i}`)
    }
  }
  await Promise.all(Array.from({ length: job.channels }, (_, i) => loop(i + 1)))
  const ended = now()
  const declared = Math.min(next, job.count)
  // Keep the connection (and so nothing else) open until told: the parent reads RSS first.
  send({ type: 'declared', declared, started, ended })
  await waitForGo()
  await c.close()
  return { declared, started, ended }
}

async function main(): Promise<void> {
  const job = await new Promise<Job>((resolve) => process.once('message', (m) => resolve(m as Job)))
  let result: WorkerResult
  switch (job.role) {
    case 'publish': result = await publisher(job); break
    case 'consume': result = await consumer(job); break
    case 'rate-publish': result = await ratePublisher(job); break
    case 'churn': result = await churn(job); break
    case 'declare': result = await declarer(job); break
  }
  send({ type: 'result', result })
  process.disconnect()
}

main().catch((err: Error) => {
  send({ type: 'error', message: err.stack ?? String(err) })
  process.exitCode = 1
  process.disconnect()
})
