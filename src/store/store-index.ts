// The store's in-memory index, shared by recovery (replaying records) and the live store (making
// them): segments in order, each queue's live messages, and how many queues hold each message.
// Must not touch files or write records; callers write first, then tell the index.
//
//   per message: 12 bytes in its segment's slots (offset, bytes, queues holding it)
//   per message per queue: 8 bytes in that queue's QueueIndex
import { QueueIndex } from './queue-index.js'
import type { Segment } from './segment.js'

export class StoreIndex {
  /** Live segment files in ascending sequence (and so ascending ids). */
  readonly segments: Segment[] = []
  readonly queues = new Map<number, QueueIndex>()
  /** Called when no queue holds a message any more. */
  onDead: (id: number, segment: Segment) => void = () => {
    // Recovery has nothing to evict; the live store replaces this.
  }

  addSegment(segment: Segment): void {
    this.segments.push(segment)
  }

  removeSegment(segment: Segment): void {
    const i = this.segments.indexOf(segment)
    if (i >= 0) this.segments.splice(i, 1)
  }

  hasSegment(seq: number): boolean {
    return this.segmentBySeq(seq) !== undefined
  }

  /** The segment holding message `id`, or undefined (never recorded, or reclaimed). */
  segmentOf(id: number): Segment | undefined {
    const s = this.segments
    let lo = 0, hi = s.length - 1
    if (hi >= 0 && id >= s[hi].firstId) return s[hi].contains(id) ? s[hi] : undefined
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (s[mid].firstId <= id) lo = mid + 1
      else hi = mid - 1
    }
    return hi >= 0 && s[hi].contains(id) ? s[hi] : undefined
  }

  /** Whether a queue still holds message `id` (it is live). */
  isLive(id: number): boolean {
    const segment = this.segmentOf(id)
    return segment !== undefined && segment.refsOf(id) > 0
  }

  addQueue(queueId: number): void {
    if (!this.queues.has(queueId)) this.queues.set(queueId, new QueueIndex())
  }

  /** Records message `id` (the segment's next) at `offset` as held by queues the index knows. */
  addMessage(segment: Segment, id: number, offset: number, bytes: number, queueIds: readonly number[]): void {
    if (id !== segment.nextId) throw new RangeError(`message ${id} out of sequence in segment ${segment.seq}`)
    let refs = 0
    for (let i = 0; i < queueIds.length; i++) {
      const q = this.queues.get(queueIds[i])
      if (q) {
        q.push(id)
        refs++
      }
    }
    segment.addMessage(offset, bytes, refs)
  }

  /** Removes message `id` from a queue; returns its segment if it was live there. */
  remove(queueId: number, id: number): Segment | undefined {
    const q = this.queues.get(queueId)
    if (!q || !q.remove(id)) return undefined
    return this.release(id)
  }

  /** Marks message `id` delivered in a queue; returns its segment if that changed anything. */
  delivered(queueId: number, id: number): Segment | undefined {
    const q = this.queues.get(queueId)
    if (!q || !q.markDelivered(id)) return undefined
    return this.segmentOf(id)
  }

  /** Removes a queue's messages up to `maxId`; returns the segments they were in. */
  purge(queueId: number, maxId: number): Set<Segment> {
    const touched = new Set<Segment>()
    this.queues.get(queueId)?.removeUpTo(maxId, (id) => {
      const segment = this.release(id)
      if (segment) touched.add(segment)
    })
    return touched
  }

  /** Forgets a queue and lets go of its messages. */
  dropQueue(queueId: number): void {
    this.purge(queueId, Number.MAX_SAFE_INTEGER)
    this.queues.delete(queueId)
  }

  /** The live (queue, message) pairs of a segment, flat as a live set record carries them. */
  liveSet(segment: Segment): number[] {
    const entries: number[] = []
    const first = segment.firstId
    for (const [queueId, q] of this.queues) {
      q.forEachLiveInRange(first, segment.nextId, (id, isDelivered) => entries.push(queueId, (id - first) * 2 + (isDelivered ? 1 : 0)))
    }
    return entries
  }

  /**
   * Replays a live set: of the messages in [firstId, endId), queues keep exactly the listed ones
   * (delivered where flagged). Returns the segment the range is in, if it is still here.
   */
  restate(firstId: number, endId: number, entries: readonly number[]): Segment | undefined {
    const listed = new Map<number, Map<number, boolean>>()
    for (let i = 0; i < entries.length; i += 2) {
      let m = listed.get(entries[i])
      if (!m) listed.set(entries[i], (m = new Map()))
      m.set(firstId + Math.floor(entries[i + 1] / 2), entries[i + 1] % 2 === 1)
    }
    for (const [queueId, q] of this.queues) {
      const keep = listed.get(queueId)
      const ids: number[] = []
      q.forEachLiveInRange(firstId, endId, (id) => ids.push(id))
      for (const id of ids) {
        const isDelivered = keep?.get(id)
        if (isDelivered === undefined) this.remove(queueId, id)
        else if (isDelivered) q.markDelivered(id)
      }
    }
    return this.segmentOf(firstId)
  }

  /** `event` holds a record about a message in `target`: target must be reclaimed first. */
  noteReference(event: Segment, target: Segment | undefined): void {
    if (target && target !== event) (event.references ??= new Set()).add(target.seq)
  }

  /** Whether `segment` can be deleted: nothing live in it and nothing it speaks of left. */
  isReclaimable(segment: Segment): boolean {
    if (segment.liveMessages > 0 || segment.synced < segment.size) return false
    if (segment.references) for (const seq of segment.references) if (this.hasSegment(seq)) return false
    return true
  }

  /** Messages held, counted once per queue. */
  queuedMessages(): number {
    let n = 0
    for (const q of this.queues.values()) n += q.live
    return n
  }

  /** Bytes of typed arrays behind the index (segments' slots and queues' entries). */
  indexBytes(): number {
    let n = 0
    for (const s of this.segments) n += s.indexBytes
    for (const q of this.queues.values()) n += q.capacityBytes
    return n
  }

  segmentBySeq(seq: number): Segment | undefined {
    const s = this.segments
    let lo = 0, hi = s.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (s[mid].seq < seq) lo = mid + 1
      else if (s[mid].seq > seq) hi = mid - 1
      else return s[mid]
    }
    return undefined
  }

  private release(id: number): Segment | undefined {
    const segment = this.segmentOf(id)
    if (segment && segment.dropRef(id) === 0) this.onDead(id, segment)
    return segment
  }
}
