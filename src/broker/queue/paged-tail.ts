// The part of a queue beyond its memory budget: persisted messages kept as store ids only (a
// number each, the sign carrying the redelivered flag), read back when the head runs low. Messages
// that are not in the store stay as objects, so FIFO order holds across both.
import type { Message } from '../message.js'

/** A message written to the transient spill store, to be read back (and forgotten there) later. */
interface Spilled { readonly spillId: number; readonly redelivered: boolean }

/** A paged entry: a store id (>= 0), -(id + 1) when redelivered, a spilled message, or one kept in memory. */
type TailEntry = number | Spilled | { message: Message; redelivered: boolean }

export interface PagedEntry { message: Message; redelivered: boolean; spillId: number }

/** How paged-out entries come back: from the durable store, or from the transient spill. */
export interface PageReaders {
  stored(storeId: number): Message
  spilled(spillId: number): Message
}

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

  pushSpilled(spillId: number, redelivered: boolean): void {
    this.items.push({ spillId, redelivered })
  }

  /** The oldest entry, read back if it was paged out (`spillId` says it is still in the spill). */
  shift(read: PageReaders): PagedEntry | undefined {
    if (this.head >= this.items.length) return undefined
    const item = this.items[this.head++]
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return resolve(item, read)
  }

  clear(): void {
    this.items = []
    this.head = 0
  }

  /** Every entry, oldest first, for inspection (spilled ones are read without being taken). */
  *entries(read: PageReaders): IterableIterator<{ message: Message; redelivered: boolean }> {
    for (let i = this.head; i < this.items.length; i++) yield resolve(this.items[i], read)
  }
}

function resolve(item: TailEntry, read: PageReaders): PagedEntry {
  if (typeof item === 'number') {
    const redelivered = item < 0
    return { message: read.stored(redelivered ? -item - 1 : item), redelivered, spillId: -1 }
  }
  if ('spillId' in item) return { message: read.spilled(item.spillId), redelivered: item.redelivered, spillId: item.spillId }
  return { message: item.message, redelivered: item.redelivered, spillId: -1 }
}
