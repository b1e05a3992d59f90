// Publisher confirms for one channel: sequence numbers, in-order basic.ack (multiple where it can),
// and waiting for the store's group commit before acking a message that must be on disk.
// Never acks a message whose fsync failed: those are nacked.

export interface ConfirmSink {
  ack(deliveryTag: number, multiple: boolean): void
  nack(deliveryTag: number, multiple: boolean): void
  /** Resolves once everything written so far is fsynced. */
  sync(): Promise<void>
  onSyncError(err: unknown): void
}

export class Confirms {
  private lastSeq = 0
  /** Highest seq that may be acked now. */
  private readyUpTo = 0
  private sentUpTo = 0
  /** Highest seq that needs the disk and is not yet covered by a finished sync. */
  private lastDiskSeq = 0
  private syncing = false
  private flushScheduled = false
  private syncScheduled = false
  private failed = false
  /** Publishes a queue refused (x-overflow reject-publish), nacked in their place in the sequence. */
  private readonly refused: number[] = []
  private readonly flushNow = () => this.flush()
  private readonly startSyncNow = () => this.startSync()

  constructor(private readonly sink: ConfirmSink) {}

  get nextSeq(): number {
    return this.lastSeq + 1
  }

  /** Records a publish; `needsDisk` when it was written to the store for a durable queue. */
  published(needsDisk: boolean, isRefused = false): number {
    const seq = ++this.lastSeq
    if (isRefused) this.refused.push(seq)
    if (needsDisk) this.lastDiskSeq = seq
    if (this.lastDiskSeq > this.readyUpTo) {
      if (!this.syncing && !this.syncScheduled) {
        this.syncScheduled = true
        setImmediate(this.startSyncNow)
      }
    } else {
      this.readyUpTo = seq
      this.scheduleFlush()
    }
    return seq
  }

  private startSync(): void {
    this.syncScheduled = false
    this.syncing = true
    const upTo = this.lastSeq
    this.sink.sync().then(
      () => {
        this.syncing = false
        // Later publishes that needed no disk are confirmable too, unless one after them does.
        this.readyUpTo = this.lastDiskSeq > upTo ? upTo : this.lastSeq
        this.scheduleFlush()
        if (this.lastDiskSeq > upTo) this.startSync()
      },
      (err: unknown) => {
        this.syncing = false
        this.failed = true
        this.sink.onSyncError(err)
        this.readyUpTo = upTo
        this.flush()
      },
    )
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return
    this.flushScheduled = true
    setImmediate(this.flushNow)
  }

  /** Sends one ack (or nack after a failed fsync) covering everything newly confirmable. */
  flush(): void {
    this.flushScheduled = false
    if (this.readyUpTo <= this.sentUpTo) return
    while (this.refused.length > 0 && this.refused[0] <= this.readyUpTo) {
      const seq = this.refused.shift()!
      if (seq - 1 > this.sentUpTo) this.sink.ack(seq - 1, seq - 1 - this.sentUpTo > 1)
      this.sink.nack(seq, false)
      this.sentUpTo = seq
    }
    if (this.readyUpTo <= this.sentUpTo) return
    const multiple = this.readyUpTo - this.sentUpTo > 1
    if (this.failed) this.sink.nack(this.readyUpTo, multiple)
    else this.sink.ack(this.readyUpTo, multiple)
    this.sentUpTo = this.readyUpTo
  }
}
