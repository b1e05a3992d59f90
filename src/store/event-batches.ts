// Delivered and removed marks waiting to be staged, per queue, so that one events record (one
// header, one checksum) carries many of them instead of a record each. Pure memory: the store
// decides when to stage them (record-layout.ts draws the record) and tells the index first.
//
//   per queue: delivered ids | removed ids | lowest and highest id | segments the ids live in
import { EVENTS_ID_SPAN } from './record-layout.js'
import type { Segment } from './segment.js'

/** Marks per record before a batch is staged without waiting for the end of the turn. */
export const MAX_BATCH_MARKS = 8192

export class EventBatch {
  readonly delivered: number[] = []
  readonly removed: number[] = []
  deliveredCount = 0
  removedCount = 0
  lowestId = 0
  private highestId = 0
  /** Segments holding the messages marked: the record's segment speaks of them (reclaimer.ts). */
  readonly targets: Segment[] = []

  constructor(readonly queueId: number) {}

  get marks(): number {
    return this.deliveredCount + this.removedCount
  }

  /** Whether `id` can join this batch: every offset from the lowest id must fit a u32. */
  fits(id: number): boolean {
    if (this.marks === 0) return true
    return Math.max(this.highestId, id) - Math.min(this.lowestId, id) < EVENTS_ID_SPAN
  }

  addDelivered(id: number, target: Segment): void {
    this.delivered[this.deliveredCount++] = id
    this.note(id, target)
  }

  addRemoved(id: number, target: Segment): void {
    this.removed[this.removedCount++] = id
    this.note(id, target)
  }

  /** Empties the batch once it is staged (the arrays keep their capacity for the next one). */
  clear(): void {
    this.deliveredCount = this.removedCount = 0
    this.targets.length = 0
    // Let a burst's long arrays go rather than hold them for a quiet queue.
    if (this.delivered.length > MAX_BATCH_MARKS) this.delivered.length = 0
    if (this.removed.length > MAX_BATCH_MARKS) this.removed.length = 0
  }

  private note(id: number, target: Segment): void {
    if (this.marks === 1) this.lowestId = this.highestId = id
    else if (id < this.lowestId) this.lowestId = id
    else if (id > this.highestId) this.highestId = id
    const t = this.targets
    if (t.length === 0 || (t[t.length - 1] !== target && !t.includes(target))) t.push(target)
  }
}

/** The batches of all queues with marks waiting. */
export class EventBatches {
  private readonly byQueue = new Map<number, EventBatch>()
  /** Batches with at least one mark, in the order they got their first. */
  readonly waiting: EventBatch[] = []
  private last: EventBatch | undefined

  /** The batch of `queueId`, created if needed (registered as waiting once a mark is added). */
  of(queueId: number): EventBatch {
    const last = this.last
    if (last && last.queueId === queueId) return last
    let batch = this.byQueue.get(queueId)
    if (!batch) this.byQueue.set(queueId, (batch = new EventBatch(queueId)))
    this.last = batch
    return batch
  }

  /** Call after adding a mark: the batch is registered as waiting on its first. */
  noteAdded(batch: EventBatch): void {
    if (batch.marks === 1) this.waiting.push(batch)
  }

  /** Forgets the batch of a deleted queue; its marks must have been staged (it is not waiting). */
  forget(queueId: number): void {
    this.byQueue.delete(queueId)
    if (this.last?.queueId === queueId) this.last = undefined
  }

  get isEmpty(): boolean {
    return this.waiting.length === 0
  }
}
