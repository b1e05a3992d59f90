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

/**
 * Deliveries in increasing tag order in an array (settled ones leave a hole until the head passes
 * them), with their tags alongside for binary search: cheaper per delivery than a Map keyed by
 * tag, which the ack path paid for on every message (bench/NOTES.md).
 */
export class Unacked {
  private items: (Delivery | undefined)[] = []
  /** tags[i] is items[i]'s tag, kept when items[i] becomes a hole. */
  private tags: number[] = []
  private head = 0
  private count = 0

  get size(): number {
    return this.count
  }

  /** The longest-waiting delivery (tags only grow, so it is the first). */
  oldest(): Delivery | undefined {
    return this.items[this.head]
  }

  /** Tags come from one increasing sequence per channel; restore() handles older ones. */
  add(d: Delivery): void {
    const n = this.tags.length
    if (n > this.head && d.tag <= this.tags[n - 1]) return this.restore([d])
    this.items.push(d)
    this.tags.push(d.tag)
    this.count++
  }

  /** Takes one delivery, or (multiple) every delivery up to and including the tag; tag 0 with multiple is all. */
  take(tag: number, multiple: boolean): Delivery[] | undefined {
    if (!multiple) {
      const i = this.indexOf(tag)
      if (i < 0) return undefined
      const d = this.items[i]!
      this.items[i] = undefined
      this.count--
      this.advance()
      return [d]
    }
    // RabbitMQ: with multiple set, the tag itself must still be unacked (0 means everything).
    if (tag !== 0 && this.indexOf(tag) < 0) return undefined
    const taken: Delivery[] = []
    const items = this.items, tags = this.tags
    for (let i = this.head; i < items.length; i++) {
      if (tag !== 0 && tags[i] > tag) break
      const d = items[i]
      if (d === undefined) continue
      taken.push(d)
      items[i] = undefined
    }
    this.count -= taken.length
    this.advance()
    if (taken.length === 0 && tag !== 0) return undefined
    return taken
  }

  /** Puts deliveries back (tx.rollback), keeping tags in increasing order. */
  restore(deliveries: readonly Delivery[]): void {
    if (deliveries.length === 0) return
    this.rebuild([...this.live(), ...deliveries].sort((a, b) => a.tag - b.tag))
  }

  takeAll(): Delivery[] {
    const all = this.live()
    this.rebuild([])
    return all
  }

  /** Where the live delivery with this tag is, or -1. */
  private indexOf(tag: number): number {
    const tags = this.tags
    let lo = this.head, hi = tags.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      const t = tags[mid]
      if (t === tag) return this.items[mid] === undefined ? -1 : mid
      if (t < tag) lo = mid + 1
      else hi = mid - 1
    }
    return -1
  }

  /** Moves the head past settled holes; drops the consumed prefix once it is most of the array. */
  private advance(): void {
    const items = this.items
    let h = this.head
    while (h < items.length && items[h] === undefined) h++
    if (h === items.length) return this.rebuild([])
    this.head = h
    if (h > 1024 && h * 2 > items.length) {
      this.items = items.slice(h)
      this.tags = this.tags.slice(h)
      this.head = 0
    }
  }

  private live(): Delivery[] {
    const out: Delivery[] = []
    for (let i = this.head; i < this.items.length; i++) {
      const d = this.items[i]
      if (d !== undefined) out.push(d)
    }
    return out
  }

  private rebuild(sorted: Delivery[]): void {
    this.items = sorted
    this.tags = sorted.map((d) => d.tag)
    this.head = 0
    this.count = sorted.length
  }
}
