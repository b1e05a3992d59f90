// One consumer on a channel: the ConsumerSink a queue delivers to, with its own prefetch limit
// (basic.qos global=false) and unacked count. The channel does the writing.
import type { ConsumerSink } from '../broker/queue/consumer.js'
import type { Queue } from '../broker/queue/queue.js'
import type { QueuedMessage } from '../broker/message.js'

/** What a consumer needs from its channel. */
export interface ConsumerHost {
  /** The channel is open, not flow-stopped, and its socket is not full. */
  isWritable(): boolean
  /** basic.qos global=true prefetch still has room. */
  hasChannelCredit(): boolean
  deliver(consumer: ChannelConsumer, queue: Queue, entry: QueuedMessage): void
  consumerCancelledByServer(consumer: ChannelConsumer): void
}

export class ChannelConsumer implements ConsumerSink<Queue> {
  unackedCount = 0

  constructor(
    readonly consumerTag: string,
    readonly queue: Queue,
    readonly isNoAck: boolean,
    /** 0 means unlimited; fixed when the consumer starts (RabbitMQ). */
    readonly prefetchCount: number,
    private readonly host: ConsumerHost,
  ) {}

  canAccept(): boolean {
    if (!this.host.isWritable()) return false
    // RabbitMQ: prefetch limits do not apply to no-ack consumers.
    if (this.isNoAck) return true
    return (this.prefetchCount === 0 || this.unackedCount < this.prefetchCount) && this.host.hasChannelCredit()
  }

  deliver(queue: Queue, entry: QueuedMessage): void {
    this.host.deliver(this, queue, entry)
  }

  cancelledByServer(_queue: Queue): void {
    this.host.consumerCancelledByServer(this)
  }
}
