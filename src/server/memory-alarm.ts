// The memory alarm: above the high watermark of message bytes held in memory, publishing
// connections are blocked (connection.blocked, socket reads paused) until it falls below again.
// Warren watches the bytes its queues hold rather than the whole process (RabbitMQ watches the VM):
// it is what grows with a backlog, and it falls as soon as consumers drain it.
import type { Logger } from 'pino'
import type { Broker } from '../broker/broker.js'

export interface Blockable {
  setAlarm(active: boolean): void
}

const CHECK_INTERVAL_MS = 100

export class MemoryAlarm {
  private timer: NodeJS.Timeout | undefined
  isActive = false

  constructor(
    private readonly broker: Broker,
    private readonly target: Blockable,
    private readonly highWatermarkBytes: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.check(), CHECK_INTERVAL_MS)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
  }

  check(): void {
    const held = this.broker.heldMessageBytes()
    const active = held > this.highWatermarkBytes
    if (active === this.isActive) return
    this.isActive = active
    if (active) this.log.warn({ heldBytes: held, highWatermarkBytes: this.highWatermarkBytes }, 'memory alarm set: blocking publishers')
    else this.log.info({ heldBytes: held }, 'memory alarm cleared')
    this.target.setAlarm(active)
  }
}
