// Samples every queue once a second into counters and rates (messages per second), the numbers
// behind RabbitMQ's `*_details: {rate}` fields, /metrics and the dashboard chart. Reads queues only.
import type { Broker } from '../broker/broker.js'
import type { Queue } from '../broker/queue/queue.js'

/**
 * Counters a queue may keep. The broker does not count publishes or deliveries yet (issue 7 asks
 * the lead to add them to Queue); until it does, only depth rates are known and message_stats is absent.
 */
interface QueueCounters {
  readonly publishedCount?: number
  readonly deliveredCount?: number
  readonly ackedCount?: number
}

export interface Counts { publish: number; deliver: number; ack: number }
export interface Depth { messages: number; ready: number; unacked: number }

export interface QueueSample {
  readonly counts: Counts | undefined
  readonly countRates: Counts
  readonly depthRates: Depth
}

const ZERO_COUNTS: Counts = Object.freeze({ publish: 0, deliver: 0, ack: 0 })
const ZERO_DEPTH: Depth = Object.freeze({ messages: 0, ready: 0, unacked: 0 })

interface Previous { atMs: number; counts: Counts | undefined; depth: Depth; sample: QueueSample }

export class MessageStats {
  private readonly previous = new WeakMap<Queue, Previous>()
  private timer: NodeJS.Timeout | undefined
  /** Totals over every queue that ever was: deltas add up, so a deleted queue does not go negative. */
  readonly totals: Counts = { publish: 0, deliver: 0, ack: 0 }
  totalRates: Counts = { ...ZERO_COUNTS }
  depthRates: Depth = { ...ZERO_DEPTH }
  /** Whether the broker counts publishes and deliveries (see QueueCounters). */
  isCounting = false

  constructor(private readonly broker: Broker, private readonly intervalMs = 1000) {}

  start(): void {
    this.sample()
    this.timer = setInterval(() => this.sample(), this.intervalMs)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
  }

  /** A queue's latest sample (zero rates until it has been sampled twice). */
  of(q: Queue): QueueSample {
    return this.previous.get(q)?.sample ?? { counts: countsOf(q), countRates: ZERO_COUNTS, depthRates: ZERO_DEPTH }
  }

  sample(nowMs = Date.now()): void {
    const rates = { ...ZERO_COUNTS }, depthRates = { ...ZERO_DEPTH }
    for (const vhost of this.broker.vhosts.values()) {
      for (const q of vhost.queues.values()) {
        const counts = countsOf(q)
        const depth = { messages: q.messageCount + q.unackedCount, ready: q.messageCount, unacked: q.unackedCount }
        const prev = this.previous.get(q)
        let sample: QueueSample = { counts, countRates: ZERO_COUNTS, depthRates: ZERO_DEPTH }
        if (prev && nowMs > prev.atMs) {
          const seconds = (nowMs - prev.atMs) / 1000
          const delta = counts && prev.counts ? subtract(counts, prev.counts) : ZERO_COUNTS
          sample = {
            counts,
            countRates: scale(delta, 1 / seconds),
            depthRates: {
              messages: (depth.messages - prev.depth.messages) / seconds,
              ready: (depth.ready - prev.depth.ready) / seconds,
              unacked: (depth.unacked - prev.depth.unacked) / seconds,
            },
          }
          addInto(this.totals, delta)
          addInto(rates, sample.countRates)
          addInto(depthRates, sample.depthRates)
        } else if (counts) {
          addInto(this.totals, counts) // first sight of a queue: what it counted so far
        }
        if (counts) this.isCounting = true
        this.previous.set(q, { atMs: nowMs, counts, depth, sample })
      }
    }
    this.totalRates = rates
    this.depthRates = depthRates
  }
}

function countsOf(q: Queue): Counts | undefined {
  const c = q as unknown as QueueCounters
  if (c.publishedCount === undefined) return undefined
  return { publish: c.publishedCount, deliver: c.deliveredCount ?? 0, ack: c.ackedCount ?? 0 }
}

function subtract<T extends Record<keyof T, number>>(a: T, b: T): T {
  const out = { ...a }
  for (const k of Object.keys(a) as (keyof T)[]) (out[k] as number) = Math.max(0, a[k] - b[k])
  return out
}

function scale<T extends Record<keyof T, number>>(a: T, factor: number): T {
  const out = { ...a }
  for (const k of Object.keys(a) as (keyof T)[]) (out[k] as number) = a[k] * factor
  return out
}

function addInto<T extends Record<keyof T, number>>(into: T, add: T): void {
  for (const k of Object.keys(add) as (keyof T)[]) (into[k] as number) += add[k]
}

/** RabbitMQ's `{name}` and `{name}_details: {rate}` pair. */
export function withRate(name: string, value: number, rate: number): Record<string, unknown> {
  return { [name]: value, [`${name}_details`]: { rate: Math.round(rate * 10) / 10 } }
}
