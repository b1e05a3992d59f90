// One durable queue's live messages, in enqueue order, with their delivered flags: the per-queue
// half of the store's index (the ack log's in-memory form). Pure memory; must not touch files.
//
// Ids enter in increasing order, so the array stays sorted and a removal anywhere is a binary
// search; a removed entry keeps its id (with the removed flag) until compaction, so searching
// still works. One float64 per entry:
//   entry = id * 4 + flags     flags: 1 = delivered, 2 = removed     (ids below 2^51)

const DELIVERED = 1
const REMOVED = 2
const MIN_CAPACITY = 16

export class QueueIndex {
  private entries = new Float64Array(MIN_CAPACITY)
  /** Entries before `head` are all removed. */
  private head = 0
  private tail = 0
  /** Entries not removed. */
  live = 0
  /** Where find() last found an entry (a hint only: entries move when compacted). */
  private lastFound = -1

  /** Appends a message; its id must exceed every id pushed before. */
  push(id: number): void {
    if (this.tail > this.head && id * 4 <= this.entries[this.tail - 1]) {
      throw new RangeError(`message ${id} pushed out of order`)
    }
    if (this.tail === this.entries.length) this.makeRoom()
    this.entries[this.tail++] = id * 4
    this.live++
  }

  /** Marks a live message removed; false when it is not live here. */
  remove(id: number): boolean {
    const i = this.find(id)
    if (i < 0) return false
    this.entries[i] += REMOVED
    this.live--
    if (i === this.head) this.advanceHead()
    else if (this.tail - this.head > 2 * this.live + 64) this.compact()
    return true
  }

  /** Marks a live message delivered; false when it is not live or already delivered. */
  markDelivered(id: number): boolean {
    const i = this.find(id)
    if (i < 0 || this.entries[i] % 4 === DELIVERED) return false
    this.entries[i] += DELIVERED
    return true
  }

  /** Removes every live message with an id up to `maxId`, calling `onRemoved` for each. */
  removeUpTo(maxId: number, onRemoved: (id: number) => void): void {
    const e = this.entries
    for (let i = this.head; i < this.tail; i++) {
      const v = e[i]
      if (v >= (maxId + 1) * 4) break
      if (v % 4 >= REMOVED) continue
      e[i] = v + REMOVED
      this.live--
      onRemoved((v - (v % 4)) / 4)
    }
    this.advanceHead()
  }

  /** Calls `fn` for each live message in enqueue order. */
  forEachLive(fn: (id: number, isDelivered: boolean) => void): void {
    const e = this.entries
    for (let i = this.head; i < this.tail; i++) {
      const flags = e[i] % 4
      if (flags < REMOVED) fn((e[i] - flags) / 4, flags === DELIVERED)
    }
  }

  /** Calls `fn` for each live message with an id in [fromId, toId), in order. */
  forEachLiveInRange(fromId: number, toId: number, fn: (id: number, isDelivered: boolean) => void): void {
    const e = this.entries
    let lo = this.head, hi = this.tail
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (e[mid] < fromId * 4) lo = mid + 1
      else hi = mid
    }
    for (let i = lo; i < this.tail && e[i] < toId * 4; i++) {
      const flags = e[i] % 4
      if (flags < REMOVED) fn((e[i] - flags) / 4, flags === DELIVERED)
    }
  }

  /** Bytes held by this index (for measuring the index's cost per message). */
  get capacityBytes(): number {
    return this.entries.byteLength
  }

  /** Index of the live entry for `id`, or -1. */
  private find(id: number): number {
    const e = this.entries
    const key = id * 4
    // Consumers mostly take and ack in enqueue order: the message after the last one found, or the
    // oldest, is the usual answer, checked before searching.
    const next = this.lastFound + 1
    if (next >= this.head && next < this.tail && e[next] - (e[next] % 4) === key) return e[next] % 4 >= REMOVED ? -1 : (this.lastFound = next)
    if (this.head < this.tail && e[this.head] - (e[this.head] % 4) === key) return e[this.head] % 4 >= REMOVED ? -1 : (this.lastFound = this.head)
    let lo = this.head, hi = this.tail - 1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      const v = e[mid], k = v - (v % 4)
      if (k < key) lo = mid + 1
      else if (k > key) hi = mid - 1
      else return v % 4 >= REMOVED ? -1 : (this.lastFound = mid)
    }
    return -1
  }

  private advanceHead(): void {
    const e = this.entries
    while (this.head < this.tail && e[this.head] % 4 >= REMOVED) this.head++
    if (this.head === this.tail) this.head = this.tail = 0
    else if (this.tail - this.head > 2 * this.live + 64) this.compact()
    // Consumed from the front: move the rest down (and shrink) once the consumed part outweighs it
    // and the array is mostly empty; each move is paid for by as many removals.
    else if (this.head >= this.tail - this.head && (this.tail - this.head) * 4 < this.entries.length) this.compact()
  }

  private makeRoom(): void {
    if (this.tail - this.head - this.live >= this.entries.length >>> 1) this.compact()
    else this.resize(this.entries.length * 2)
  }

  /** Drops removed entries, shrinking the array when it is mostly empty. */
  private compact(): void {
    const e = this.entries
    let w = 0
    for (let i = this.head; i < this.tail; i++) if (e[i] % 4 < REMOVED) e[w++] = e[i]
    this.head = 0
    this.tail = w
    if (e.length > MIN_CAPACITY && e.length >= 4 * Math.max(w, MIN_CAPACITY)) this.resize(Math.max(MIN_CAPACITY, 2 * w))
  }

  private resize(capacity: number): void {
    const next = new Float64Array(capacity)
    next.set(this.entries.subarray(this.head, this.tail))
    this.tail -= this.head
    this.head = 0
    this.entries = next
  }
}
