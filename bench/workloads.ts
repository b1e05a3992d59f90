// The workloads `npm run bench` runs against Warren, RabbitMQ and (where relevant) the limit relay.
// Each is bounded in message count and in wall time, and reports named metrics. Sizes are chosen so
// that a full 3-round run takes about 7 minutes on 2 cores; they are printed with the results.
import { rssMB, startRabbit, startWarren, type Broker, type BrokerKind } from './brokers.js'
import { RawClient } from './loadgen/amqp-client.js'
import { startAll, Worker } from './loadgen/spawn.js'
import type { ChurnResult, ConsumeResult, DeclareResult, Job, PublishResult } from './loadgen/jobs.js'

export interface Metric {
  key: string
  label: string
  unit: string
  better: 'higher' | 'lower'
  /** Compare with the limit relay's value of the same metric. */
  vsLimit?: boolean
}

export interface RunContext {
  kind: BrokerKind
  /** The broker to use; undefined for workloads that start their own (startup time). */
  broker?: Broker
  tag: string
}

export interface Workload {
  name: string
  sizes: string
  /** Warren gets a --data-dir (else --in-memory). */
  persistent: boolean
  /** RabbitMQ gets a fresh node for this workload (RSS measurements), not the shared one. */
  freshRabbit: boolean
  /** Also run against the limit relay. */
  limit: boolean
  /** The workload starts and stops brokers itself. */
  ownsBroker?: boolean
  metrics: Metric[]
  run(ctx: RunContext): Promise<Record<string, number>>
}

const CAP_MS = 3000 // wall-time cap of each throughput loop
const RESULT_GRACE_MS = 25_000

const delivered = (key = 'delivered'): Metric => ({ key, label: 'delivered msg/s', unit: 'msg/s', better: 'higher' })

/** Opens an admin connection on channel 1, runs `fn`, closes. */
async function admin<T>(port: number, fn: (c: RawClient) => Promise<T>): Promise<T> {
  const c = await RawClient.open(port)
  try {
    await c.openChannel(1)
    return await fn(c)
  } finally {
    await c.close()
  }
}

interface FlowSpec {
  queues: string[]
  durable: boolean
  exchange?: { name: string, type: string, bindings: [string, string][] }
  publishers: { exchange: string, routingKeys: string[] }[]
  /** Queues per consumer process. */
  consumers: string[][]
  bodyBytes: number
  persistent: boolean
  confirmWindow: number
  batch: number
  countPerPublisher: number
  /** Deliveries each queue receives when every publish arrives. */
  expectedPerQueue: number
  prefetch: number
}

interface FlowResult { delivered: number, confirmed: number, published: number }

/** Publishers and consumers in their own processes; rates over the wall-clock window. */
async function flow(port: number, spec: FlowSpec): Promise<FlowResult> {
  await admin(port, async (c) => {
    if (spec.exchange) await c.declareExchange(1, spec.exchange.name, spec.exchange.type)
    for (const q of spec.queues) await c.declareQueue(1, q, { durable: spec.durable })
    if (spec.exchange) for (const [q, key] of spec.exchange.bindings) await c.bindQueue(1, q, spec.exchange.name, key)
  })
  const workers: Worker[] = []
  try {
    const consumerJobs: Job[] = spec.consumers.map((queues) => ({
      role: 'consume', port, queues, prefetch: spec.prefetch, countPerQueue: spec.expectedPerQueue, timeCapMs: CAP_MS, latency: false,
    }))
    const publisherJobs: Job[] = spec.publishers.map((p) => ({
      role: 'publish', port, exchange: p.exchange, routingKeys: p.routingKeys, bodyBytes: spec.bodyBytes, persistent: spec.persistent,
      count: spec.countPerPublisher, timeCapMs: CAP_MS, batch: spec.batch, confirmWindow: spec.confirmWindow,
    }))
    const consumers = await startAll(consumerJobs)
    workers.push(...consumers)
    const publishers = await startAll(publisherJobs)
    workers.push(...publishers)
    for (const w of workers) w.go()
    const pubs = await Promise.all(publishers.map((w) => w.result<PublishResult>(CAP_MS + RESULT_GRACE_MS)))
    const cons = await Promise.all(consumers.map((w) => w.result<ConsumeResult>(CAP_MS + RESULT_GRACE_MS)))
    for (const c of cons) if (c.error && !/closed/.test(c.error)) throw new Error(`consumer: ${c.error}`)
    const start = Math.min(...pubs.map((p) => p.started))
    const received = cons.reduce((s, c) => s + c.received, 0)
    const lastDelivery = Math.max(...cons.map((c) => c.last))
    const confirmed = pubs.reduce((s, p) => s + p.confirmed, 0)
    const sent = pubs.reduce((s, p) => s + p.sent, 0)
    const pubEnd = Math.max(...pubs.map((p) => p.ended))
    const pubWrote = Math.max(...pubs.map((p) => p.publishedAt))
    return {
      delivered: received > 0 ? (received * 1000) / (lastDelivery - start) : 0,
      confirmed: spec.confirmWindow > 0 ? (confirmed * 1000) / (pubEnd - start) : 0,
      published: (sent * 1000) / (pubWrote - start),
    }
  } finally {
    for (const w of workers) w.kill()
    await admin(port, async (c) => {
      for (const q of spec.queues) await c.deleteQueue(1, q)
      if (spec.exchange) await c.deleteExchange(1, spec.exchange.name)
    }).catch(() => {}) // the limit relay has no exchanges; a fresh Warren is thrown away anyway
  }
}

function oneToOne(name: string, bodyBytes: number, count: number, batch: number): Workload {
  return {
    name, persistent: false, freshRabbit: false, limit: true,
    sizes: `${count.toLocaleString('en-US')} × ${bodyBytes} B transient, 1 publisher → 1 queue → 1 consumer, prefetch 1000, ack multiple every 500, ${batch} publishes per socket write, cap ${CAP_MS / 1000} s`,
    metrics: [{ ...delivered(), vsLimit: true }],
    async run({ broker, tag }) {
      const q = `bench.${tag}`
      const r = await flow(broker!.port, {
        queues: [q], durable: false, publishers: [{ exchange: '', routingKeys: [q] }], consumers: [[q]],
        bodyBytes, persistent: false, confirmWindow: 0, batch, countPerPublisher: count, expectedPerQueue: count, prefetch: 1000,
      })
      return { delivered: r.delivered, 'published msg/s (not in table)': r.published }
    },
  }
}

function persistent(name: string, publishers: number, count: number): Workload {
  return {
    name, persistent: true, freshRabbit: false, limit: false,
    sizes: `${count.toLocaleString('en-US')} × 1 KiB persistent (delivery-mode 2) to one durable queue, ${publishers} publisher${publishers > 1 ? 's' : ''} with confirms (window 1000 each, batches of 100), 1 consumer (prefetch 1000), cap ${CAP_MS / 1000} s`,
    metrics: [{ key: 'confirmed', label: 'confirmed msg/s', unit: 'msg/s', better: 'higher' }],
    async run({ broker, tag }) {
      const q = `bench.${tag}`
      const r = await flow(broker!.port, {
        queues: [q], durable: true, publishers: Array.from({ length: publishers }, () => ({ exchange: '', routingKeys: [q] })),
        consumers: [[q]], bodyBytes: 1024, persistent: true, confirmWindow: 1000, batch: 100,
        countPerPublisher: Math.floor(count / publishers), expectedPerQueue: Math.floor(count / publishers) * publishers, prefetch: 1000,
      })
      return { confirmed: r.confirmed }
    },
  }
}

/** A tiny seeded PRNG so every run binds the same patterns. */
function prng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 0x1_0000_0000
  }
}

/** 1,000 binding keys of mixed shapes and, for each, one routing key it matches. */
export function topicBindings(): { patterns: string[], keys: string[] } {
  const rnd = prng(42)
  const word = () => `w${Math.floor(rnd() * 20)}`
  const shapes = [
    () => [word(), word(), word()],
    () => [word(), '*', word()],
    () => [word(), '#'],
    () => ['*', word(), '#'],
    () => ['#', word(), word()],
  ]
  const patterns: string[] = []
  const keys: string[] = []
  for (let i = 0; i < 1000; i++) {
    const p = shapes[i % shapes.length]()
    patterns.push(p.join('.'))
    const k: string[] = []
    for (const part of p) {
      if (part === '*') k.push(word())
      else if (part === '#') for (let n = Math.floor(rnd() * 3); n > 0; n--) k.push(word())
      else k.push(part)
    }
    keys.push(k.join('.'))
  }
  for (let i = keys.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [keys[i], keys[j]] = [keys[j], keys[i]] }
  return { patterns, keys }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

async function waitForDepth(port: number, queue: string, depth: number, timeoutMs: number): Promise<number> {
  return admin(port, async (c) => {
    const deadline = performance.now() + timeoutMs
    let seen = 0
    while (performance.now() < deadline) {
      seen = (await c.declareQueue(1, queue, { passive: true })).messageCount
      if (seen >= depth) break
      await new Promise((r) => setTimeout(r, 20))
    }
    return seen
  })
}

/** Issue 9's backlog: a million 100-byte messages (RabbitMQ takes about 35 s each way here, hence the caps). */
const BACKLOG = 1_000_000
const BACKLOG_CAP_MS = 90_000
const QUEUES = 10_000

export const WORKLOADS: Workload[] = [
  oneToOne('transient-16b', 16, 2_000_000, 500),
  oneToOne('transient-1k', 1024, 1_000_000, 50),
  persistent('persistent-1k-confirm-1p', 1, 300_000),
  persistent('persistent-1k-confirm-4p', 4, 300_000),
  {
    name: 'transient-4x4', persistent: false, freshRabbit: false, limit: false,
    sizes: `4 publishers → 4 queues → 4 consumers (separate processes), 4 × 500,000 × 16 B, prefetch 1000, cap ${CAP_MS / 1000} s`,
    metrics: [delivered()],
    async run({ broker, tag }) {
      const qs = [0, 1, 2, 3].map((i) => `bench.${tag}.${i}`)
      const r = await flow(broker!.port, {
        queues: qs, durable: false, publishers: qs.map((q) => ({ exchange: '', routingKeys: [q] })), consumers: qs.map((q) => [q]),
        bodyBytes: 16, persistent: false, confirmWindow: 0, batch: 500, countPerPublisher: 500_000, expectedPerQueue: 500_000, prefetch: 1000,
      })
      return { delivered: r.delivered }
    },
  },
  {
    name: 'fanout-10', persistent: false, freshRabbit: false, limit: false,
    sizes: `1 publisher → fanout exchange → 10 queues → 1 consumer process (10 channels), 300,000 × 16 B published (3,000,000 deliveries), cap ${CAP_MS / 1000} s`,
    metrics: [delivered()],
    async run({ broker, tag }) {
      const ex = `bench.${tag}.fanout`
      const qs = Array.from({ length: 10 }, (_, i) => `bench.${tag}.${i}`)
      const r = await flow(broker!.port, {
        queues: qs, durable: false, exchange: { name: ex, type: 'fanout', bindings: qs.map((q) => [q, '']) },
        publishers: [{ exchange: ex, routingKeys: [''] }], consumers: [qs],
        bodyBytes: 16, persistent: false, confirmWindow: 0, batch: 500, countPerPublisher: 300_000, expectedPerQueue: 300_000, prefetch: 1000,
      })
      return { delivered: r.delivered }
    },
  },
  {
    name: 'topic-1000', persistent: false, freshRabbit: false, limit: false,
    sizes: `topic exchange, 1,000 bindings (exact, a.*.c, a.#, *.b.#, #.b.c) to 1 queue, 1,000 distinct routing keys each matching ≥1 binding, 1,000,000 × 16 B, cap ${CAP_MS / 1000} s`,
    metrics: [delivered()],
    async run({ broker, tag }) {
      const ex = `bench.${tag}.topic`
      const q = `bench.${tag}`
      const { patterns, keys } = topicBindings()
      const r = await flow(broker!.port, {
        queues: [q], durable: false, exchange: { name: ex, type: 'topic', bindings: patterns.map((p) => [q, p]) },
        publishers: [{ exchange: ex, routingKeys: keys }], consumers: [[q]],
        bodyBytes: 16, persistent: false, confirmWindow: 0, batch: 500, countPerPublisher: 1_000_000, expectedPerQueue: 1_000_000, prefetch: 1000,
      })
      return { delivered: r.delivered }
    },
  },
  {
    name: 'latency-1000/s', persistent: false, freshRabbit: false, limit: false,
    sizes: '5,000 × 16 B at a fixed 1,000 msg/s (send time in the body), 1 → 1 queue → 1 consumer, first 500 samples dropped, cap 8 s',
    metrics: [
      { key: 'p50', label: 'latency p50 ms', unit: 'ms', better: 'lower' },
      { key: 'p99', label: 'latency p99 ms', unit: 'ms', better: 'lower' },
    ],
    async run({ broker, tag }) {
      const port = broker!.port
      const q = `bench.${tag}`
      await admin(port, (c) => c.declareQueue(1, q))
      const workers: Worker[] = []
      try {
        const consumer = await Worker.start({ role: 'consume', port, queues: [q], prefetch: 1000, countPerQueue: 5000, timeCapMs: 10_000, latency: true })
        workers.push(consumer)
        const pub = await Worker.start({ role: 'rate-publish', port, routingKey: q, bodyBytes: 16, ratePerSecond: 1000, count: 5000, timeCapMs: 8000 })
        workers.push(pub)
        consumer.go()
        pub.go()
        await pub.result<PublishResult>(30_000)
        const r = await consumer.result<ConsumeResult>(30_000)
        const lat = (r.latencies ?? []).slice(500).sort((a, b) => a - b)
        if (lat.length < 1000) throw new Error(`only ${lat.length} latency samples`)
        return { p50: percentile(lat, 50), p99: percentile(lat, 99) }
      } finally {
        for (const w of workers) w.kill()
        await admin(port, (c) => c.deleteQueue(1, q)).catch(() => {})
      }
    },
  },
  {
    name: 'backlog', persistent: false, freshRabbit: true, limit: false,
    sizes: `${BACKLOG.toLocaleString('en-US')} × 100 B transient into 1 queue with no consumer (batches of 100, caps 90 s), broker RSS once all are counted by queue.declare(passive), then 1 consumer drains them (prefetch 1000)`,
    metrics: [
      { key: 'publish', label: 'backlog publish msg/s', unit: 'msg/s', better: 'higher' },
      { key: 'rss', label: 'RSS with backlog MB', unit: 'MB', better: 'lower' },
      { key: 'drain', label: 'backlog drain msg/s', unit: 'msg/s', better: 'higher' },
    ],
    async run({ broker, tag }) {
      const port = broker!.port
      const q = `bench.${tag}`
      await admin(port, (c) => c.declareQueue(1, q))
      const workers: Worker[] = []
      try {
        const pub = await Worker.start({ role: 'publish', port, exchange: '', routingKeys: [q], bodyBytes: 100, persistent: false,
          count: BACKLOG, timeCapMs: BACKLOG_CAP_MS, batch: 100, confirmWindow: 0 })
        workers.push(pub)
        pub.go()
        const p = await pub.result<PublishResult>(BACKLOG_CAP_MS + 30_000)
        const depth = await waitForDepth(port, q, p.sent, 60_000)
        const counted = performance.timeOrigin + performance.now()
        const rss = rssMB(broker!.pid)
        const consumer = await Worker.start({ role: 'consume', port, queues: [q], prefetch: 1000, countPerQueue: depth, timeCapMs: BACKLOG_CAP_MS, latency: false })
        workers.push(consumer)
        consumer.go()
        const c = await consumer.result<ConsumeResult>(BACKLOG_CAP_MS + 30_000)
        return { publish: (depth * 1000) / (counted - p.started), rss, drain: (c.received * 1000) / (c.last - c.started) }
      } finally {
        for (const w of workers) w.kill()
      }
    },
  },
  {
    name: 'queues-10k', persistent: false, freshRabbit: true, limit: false,
    sizes: `${QUEUES.toLocaleString('en-US')} non-durable queues declared over 4 channels of one connection (one outstanding declare per channel), cap 30 s; broker RSS after`,
    metrics: [
      { key: 'rate', label: 'queue.declare/s', unit: '/s', better: 'higher' },
      { key: 'rss', label: `RSS with ${QUEUES / 1000}k queues MB`, unit: 'MB', better: 'lower' },
    ],
    async run({ broker, tag }) {
      const w = await Worker.start({ role: 'declare', port: broker!.port, prefix: `bench.${tag}.`, count: QUEUES, channels: 4, timeCapMs: 30_000 })
      try {
        w.go()
        const d = (await w.next('declared', 60_000)) as unknown as DeclareResult
        const rss = rssMB(broker!.pid)
        w.go()
        await w.result<DeclareResult>(30_000)
        return { rate: (d.declared * 1000) / (d.ended - d.started), rss }
      } finally {
        w.kill()
      }
    },
  },
  {
    name: 'connection-churn', persistent: false, freshRabbit: false, limit: false,
    sizes: `open (handshake to connection.open-ok) and close (connection.close-ok) 5,000 connections, 8 at a time from one process, cap ${CAP_MS / 1000} s`,
    metrics: [{ key: 'rate', label: 'connections/s', unit: '/s', better: 'higher' }],
    async run({ broker }) {
      const w = await Worker.start({ role: 'churn', port: broker!.port, count: 5000, concurrency: 8, timeCapMs: CAP_MS })
      try {
        w.go()
        const r = await w.result<ChurnResult>(CAP_MS + RESULT_GRACE_MS)
        if (r.failures > 0) throw new Error(`${r.failures} connections failed`)
        return { rate: (r.opened * 1000) / (r.ended - r.started) }
      } finally {
        w.kill()
      }
    },
  },
  {
    name: 'startup', persistent: false, freshRabbit: false, limit: false, ownsBroker: true,
    sizes: 'spawn to the first completed AMQP handshake (connection.open-ok): `node bin/warren.js --port 0 --no-management --in-memory` (connects once the port is printed) vs `rabbitmq-server -detached` on a fresh node folder (handshake retried every 25 ms)',
    metrics: [{ key: 'ms', label: 'start to first connection ms', unit: 'ms', better: 'lower' }],
    async run({ kind }) {
      const b = kind === 'warren' ? await startWarren({ persistent: false }) : await startRabbit()
      try {
        return { ms: b.startupMs }
      } finally {
        await b.stop()
      }
    },
  },
]
