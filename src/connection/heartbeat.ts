// Heartbeats for one connection: send one each interval, and report a peer silent for two
// intervals (RabbitMQ closes such a connection without a close frame).

export class Heartbeat {
  private timer: NodeJS.Timeout | undefined
  private lastReceivedMs = Date.now()
  private lastSentMs = Date.now()

  constructor(
    private readonly intervalSeconds: number,
    private readonly send: () => void,
    private readonly onTimeout: () => void,
  ) {}

  start(): void {
    if (this.intervalSeconds === 0 || this.timer) return
    const intervalMs = this.intervalSeconds * 1000
    // Check twice an interval, so a silent peer is caught soon after two intervals.
    this.timer = setInterval(() => this.tick(intervalMs), intervalMs / 2)
    this.timer.unref()
  }

  received(): void {
    this.lastReceivedMs = Date.now()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
  }

  private tick(intervalMs: number): void {
    const now = Date.now()
    if (now - this.lastReceivedMs > 2 * intervalMs) {
      this.stop()
      return this.onTimeout()
    }
    if (now - this.lastSentMs >= intervalMs - 1) {
      this.lastSentMs = now
      this.send()
    }
  }
}
