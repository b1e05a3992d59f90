// What a queue needs from whoever consumes it; channels implement it. Also the queue-side record of
// one consumer. Must not know frames or sockets.
import type { QueuedMessage } from '../message.js'

/** Generic over the queue type, so this file and queue.ts do not import each other. */
export interface ConsumerSink<Q> {
  readonly consumerTag: string
  readonly isNoAck: boolean
  /** false while prefetch is exhausted, the channel is flow-stopped, or the socket is full. */
  canAccept(): boolean
  deliver(queue: Q, entry: QueuedMessage): void
  /** The queue went away under the consumer (deleted); the channel tells its client. */
  cancelledByServer(queue: Q): void
}

export interface ConsumerOptions {
  readonly isExclusive: boolean
  readonly priority: number
  /** Identifies the owning channel, for cancelling a channel's consumers together. */
  readonly owner: object
  /** x-stream-offset: where a stream consumer starts reading. */
  readonly streamOffset?: unknown
}
