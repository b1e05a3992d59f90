// Ready messages of a priority queue (x-max-priority): one ReadyList per priority level, the
// highest non-empty level first, FIFO (and requeue-by-position) within a level.
import type { QueuedMessage } from '../message.js'
import { ReadyList } from './ready-list.js'

export class PriorityReadyList {
  private readonly levels: ReadyList[]
  private count = 0

  constructor(
    private readonly maxPriority: number,
    private readonly priorityOf: (entry: QueuedMessage) => number,
  ) {
    this.levels = Array.from({ length: maxPriority + 1 }, () => new ReadyList())
  }

  get length(): number {
    return this.count
  }

  /** RabbitMQ: priorities above the maximum count as the maximum; absent counts as 0. */
  private level(entry: QueuedMessage): ReadyList {
    return this.levels[Math.min(this.maxPriority, Math.max(0, this.priorityOf(entry)))]
  }

  push(entry: QueuedMessage): void {
    this.level(entry).push(entry)
    this.count++
  }

  peek(): QueuedMessage | undefined {
    for (let p = this.maxPriority; p >= 0; p--) if (this.levels[p].length > 0) return this.levels[p].peek()
    return undefined
  }

  shift(): QueuedMessage | undefined {
    for (let p = this.maxPriority; p >= 0; p--) {
      if (this.levels[p].length > 0) {
        this.count--
        return this.levels[p].shift()
      }
    }
    return undefined
  }

  insertBySeq(entry: QueuedMessage): void {
    this.level(entry).insertBySeq(entry)
    this.count++
  }

  insertManyBySeq(entries: readonly QueuedMessage[]): void {
    for (const e of entries) this.insertBySeq(e)
  }

  drain(): QueuedMessage[] {
    this.count = 0
    return this.levels.flatMap((l) => l.drain()).sort((a, b) => a.seq - b.seq)
  }

  removeWhere(drop: (entry: QueuedMessage) => boolean): QueuedMessage[] {
    const dropped = this.levels.flatMap((l) => l.removeWhere(drop))
    this.count -= dropped.length
    return dropped.sort((a, b) => a.seq - b.seq)
  }

  *[Symbol.iterator](): IterableIterator<QueuedMessage> {
    for (let p = this.maxPriority; p >= 0; p--) yield* this.levels[p]
  }
}
