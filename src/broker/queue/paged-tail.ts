// The part of a queue beyond its memory budget: persisted messages kept as store ids only (a
// number each, the sign carrying the redelivered flag), read back when the head runs low. Messages
// that are not in the store stay as objects, so FIFO order holds across both.
import type { Message } from '../message.js'

/** A paged entry: a store id (>= 0), -(id + 1) when redelivered, or a message kept in memory. */
type TailEntry = number | { message: Message; redelivered: boolean }

export class PagedTail {
  private items: TailEntry[] = []
  private head = 0

  get length(): number {
    return this.items.length - this.head
  }

  pushStored(storeId: number, redelivered: boolean): void {
    this.items.push(redelivered ? -(storeId + 1) : storeId)
  }

  pushMessage(message: Message, redelivered: boolean): void {
    this.items.push({ message, redelivered })
  }

  /** The oldest entry, resolved through `read` if it was paged out. */
  shift(read: (storeId: number) => Message): { message: Message; redelivered: boolean } | undefined {
    if (this.head >= this.items.length) return undefined
    const item = this.items[this.head++]
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    if (typeof item !== 'number') return item
    const redelivered = item < 0
    return { message: read(redelivered ? -item - 1 : item), redelivered }
  }

  /** Store ids of the paged entries, for purge and delete. */
  clear(): void {
    this.items = []
    this.head = 0
  }

  *entries(read: (storeId: number) => Message): IterableIterator<{ message: Message; redelivered: boolean }> {
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i]
      if (typeof item !== 'number') yield item
      else yield { message: read(item < 0 ? -item - 1 : item), redelivered: item < 0 }
    }
  }
}
