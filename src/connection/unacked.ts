// A channel's deliveries awaiting ack, by delivery tag in increasing order, with the counts that
// prefetch needs. Settling an entry is the queue's business; this only finds and forgets them.
import type { Queue } from '../broker/queue/queue.js'
import type { QueuedMessage } from '../broker/message.js'
import type { ChannelConsumer } from './channel-consumer.js'

export interface Delivery {
  readonly tag: number
  readonly queue: Queue
  readonly entry: QueuedMessage
  /** undefined for basic.get: such deliveries count against no consumer's prefetch. */
  readonly consumer: ChannelConsumer | undefined
  /** When it was delivered, for the consumer timeout. */
  readonly atMs: number
}

export class Unacked {
  private readonly byTag = new Map<number, Delivery>()

  get size(): number {
    return this.byTag.size
  }

  /** The longest-waiting delivery (tags only grow, so it is the first). */
  oldest(): Delivery | undefined {
    for (const d of this.byTag.values()) return d
    return undefined
  }

  add(d: Delivery): void {
    this.byTag.set(d.tag, d)
  }

  /** Takes one delivery, or (multiple) every delivery up to and including the tag; tag 0 with multiple is all. */
  take(tag: number, multiple: boolean): Delivery[] | undefined {
    if (!multiple) {
      const d = this.byTag.get(tag)
      if (!d) return undefined
      this.byTag.delete(tag)
      return [d]
    }
    // RabbitMQ: with multiple set, the tag itself must still be unacked (0 means everything).
    if (tag !== 0 && !this.byTag.has(tag)) return undefined
    const taken: Delivery[] = []
    for (const [t, d] of this.byTag) {
      if (tag !== 0 && t > tag) break
      taken.push(d)
      this.byTag.delete(t)
    }
    if (taken.length === 0 && tag !== 0) return undefined
    return taken
  }

  /** Puts deliveries back (tx.rollback), keeping tags in increasing order. */
  restore(deliveries: readonly Delivery[]): void {
    if (deliveries.length === 0) return
    const all = [...this.byTag.values(), ...deliveries].sort((a, b) => a.tag - b.tag)
    this.byTag.clear()
    for (const d of all) this.byTag.set(d.tag, d)
  }

  takeAll(): Delivery[] {
    const all = [...this.byTag.values()]
    this.byTag.clear()
    return all
  }
}
