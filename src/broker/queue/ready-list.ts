// The ready messages of one queue in seq order: FIFO at the head, and requeued messages inserted
// back at their original position. An array with a moving head keeps shift() O(1) amortised.
import type { QueuedMessage } from '../message.js'

const COMPACT_AT = 4096

export class ReadyList {
  private items: QueuedMessage[] = []
  private head = 0

  get length(): number {
    return this.items.length - this.head
  }

  push(entry: QueuedMessage): void {
    this.items.push(entry)
  }

  peek(): QueuedMessage | undefined {
    return this.items[this.head]
  }

  shift(): QueuedMessage | undefined {
    if (this.head >= this.items.length) return undefined
    const entry = this.items[this.head]
    this.items[this.head++] = undefined as unknown as QueuedMessage
    if (this.head === this.items.length) {
      this.items = []
      this.head = 0
    } else if (this.head >= COMPACT_AT && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return entry
  }

  /** Puts a requeued message back where its seq says it belongs (RabbitMQ 3.10 classic queues). */
  insertBySeq(entry: QueuedMessage): void {
    let lo = this.head, hi = this.items.length
    if (hi === lo || this.items[hi - 1].seq < entry.seq) return void this.items.push(entry)
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.items[mid].seq < entry.seq) lo = mid + 1
      else hi = mid
    }
    if (lo === this.head && this.head > 0) this.items[--this.head] = entry
    else this.items.splice(lo, 0, entry)
  }

  /** Puts many requeued messages back at once: one merge, not one splice per message. */
  insertManyBySeq(entries: readonly QueuedMessage[]): void {
    if (entries.length < 8) {
      for (const e of entries) this.insertBySeq(e)
      return
    }
    const incoming = [...entries].sort((a, b) => a.seq - b.seq)
    const merged: QueuedMessage[] = new Array(this.length + incoming.length)
    let i = this.head, j = 0, k = 0
    while (i < this.items.length && j < incoming.length) {
      merged[k++] = this.items[i].seq < incoming[j].seq ? this.items[i++] : incoming[j++]
    }
    while (i < this.items.length) merged[k++] = this.items[i++]
    while (j < incoming.length) merged[k++] = incoming[j++]
    this.items = merged
    this.head = 0
  }

  /** Removes and returns everything, oldest first. */
  drain(): QueuedMessage[] {
    const all = this.items.slice(this.head)
    this.items = []
    this.head = 0
    return all
  }

  /** Removes entries for which `drop` returns true, keeping order. */
  removeWhere(drop: (entry: QueuedMessage) => boolean): QueuedMessage[] {
    const kept: QueuedMessage[] = [], dropped: QueuedMessage[] = []
    for (let i = this.head; i < this.items.length; i++) (drop(this.items[i]) ? dropped : kept).push(this.items[i])
    this.items = kept
    this.head = 0
    return dropped
  }

  *[Symbol.iterator](): IterableIterator<QueuedMessage> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i]
  }
}
