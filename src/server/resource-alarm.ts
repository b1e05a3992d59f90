// RabbitMQ's resource alarms: above the memory high watermark of message bytes held in memory, or
// below the disk free limit on the data directory's filesystem, publishing connections are blocked
// (connection.blocked, socket reads paused) until it clears.
// Memory: Warren watches the bytes its queues hold rather than the whole process (RabbitMQ watches
// the VM): it is what grows with a backlog, and it falls as soon as consumers drain it.
import { statfsSync } from 'node:fs'
import type { Logger } from 'pino'
import type { Broker } from '../broker/broker.js'

export interface Blockable {
  setAlarm(active: boolean, reason: string): void
}

export interface AlarmLimits {
  readonly memoryHighWatermarkBytes: number
  /** Free bytes the data directory's filesystem must keep (0 or no directory: not watched). */
  readonly diskFreeLimitBytes: number
  readonly dataDir: string | undefined
}

const CHECK_INTERVAL_MS = 100
/** statfs is a system call: look at the disk less often than at memory. */
const DISK_CHECK_EVERY = 10

export class ResourceAlarm {
  private timer: NodeJS.Timeout | undefined
  private ticks = 0
  private isDiskLow = false
  isActive = false
  reason = ''

  constructor(
    private readonly broker: Broker,
    private readonly target: Blockable,
    private readonly limits: AlarmLimits,
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
    if (this.ticks++ % DISK_CHECK_EVERY === 0) this.isDiskLow = this.diskIsLow()
    const held = this.broker.heldMessageBytes()
    const isMemoryHigh = held > this.limits.memoryHighWatermarkBytes
    const active = isMemoryHigh || this.isDiskLow
    if (active === this.isActive) return
    this.isActive = active
    // RabbitMQ's reasons, as connection.blocked carries them.
    this.reason = isMemoryHigh ? 'low on memory' : this.isDiskLow ? 'low on disk' : ''
    if (active) this.log.warn({ reason: this.reason, heldBytes: held, ...this.limits }, 'resource alarm set: blocking publishers')
    else this.log.info({ heldBytes: held }, 'resource alarm cleared')
    this.target.setAlarm(active, this.reason)
  }

  private diskIsLow(): boolean {
    const { dataDir, diskFreeLimitBytes } = this.limits
    if (!dataDir || diskFreeLimitBytes <= 0) return false
    try {
      const s = statfsSync(dataDir)
      return s.bavail * s.bsize < diskFreeLimitBytes
    } catch (err) {
      this.log.error({ err }, 'cannot read free disk space')
      return false
    }
  }
}
