// Samples each open connection's socket byte counters once a second into rates (bytes per second),
// the numbers behind RabbitMQ's recv_oct_details and send_oct_details. Reads sockets; changes none.
import type { Connection } from '../connection/connection.js'

export interface ByteRate { readonly recv: number; readonly send: number }

const ZERO: ByteRate = Object.freeze({ recv: 0, send: 0 })

interface Previous { readonly atMs: number; readonly recv: number; readonly send: number; readonly rate: ByteRate }

export class ByteRates {
  private readonly previous = new WeakMap<Connection, Previous>()
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly connections: () => Iterable<Connection>, private readonly intervalMs = 1000) {}

  start(): void {
    this.sample()
    this.timer = setInterval(() => this.sample(), this.intervalMs)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
  }

  /** A connection's latest rates (zero until it has been sampled twice). */
  of(c: Connection): ByteRate {
    return this.previous.get(c)?.rate ?? ZERO
  }

  sample(nowMs = Date.now()): void {
    for (const c of this.connections()) {
      const recv = c.socket.bytesRead, send = c.socket.bytesWritten
      const prev = this.previous.get(c)
      const seconds = prev ? (nowMs - prev.atMs) / 1000 : 0
      const rate = prev && seconds > 0 ? { recv: (recv - prev.recv) / seconds, send: (send - prev.send) / seconds } : ZERO
      this.previous.set(c, { atMs: nowMs, recv, send, rate })
    }
  }
}
