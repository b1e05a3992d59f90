// One append-only segment file and the index of the messages recorded in it: where each record
// sits, how many queues still hold it, how far the file is written and fsynced. Must not decide
// when to write, sync or delete (group-commit and message-store do), nor know queues.
//
//   NNNNNNNN.seg:  segment header (32 bytes, record-layout.ts) | record | record | ...
//   Messages in a segment have consecutive ids from `firstId`; message i's slot in `slots`:
//     slots[3i] = record offset   slots[3i+1] = record bytes   slots[3i+2] = queues still holding it
import { closeSync, openSync, readSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { SEGMENT_HEADER_BYTES, encodeSegmentHeader } from './record-layout.js'

const SLOT = 3
const MIN_SLOTS = 64

export const segmentFileName = (seq: number): string => `${String(seq).padStart(8, '0')}.seg`
export const SEGMENT_FILE = /^(\d{8,})\.seg$/

export class Segment {
  /** Messages recorded (live or not); ids firstId .. firstId + count - 1. */
  count = 0
  /** Messages some queue still holds. */
  liveMessages = 0
  /** Logical end of the file: bytes appended, whether or not they were written yet. */
  size: number
  /** Bytes handed to the OS. */
  written: number
  /** Bytes known durable (fdatasync done). */
  synced: number
  /**
   * Earlier segments whose messages this segment's delivered/removed/purged records are about.
   * This segment may go only after those have gone, or their messages would come back.
   */
  references: Set<number> | undefined
  private slots = new Uint32Array(MIN_SLOTS * SLOT)

  private constructor(
    readonly path: string,
    public fd: number,
    readonly seq: number,
    readonly firstId: number,
    size: number,
  ) {
    this.size = this.written = this.synced = size
  }

  /** Creates the file with its header written (not yet fsynced: the next group commit does that). */
  static create(dir: string, seq: number, firstId: number): Segment {
    const path = join(dir, segmentFileName(seq))
    const fd = openSync(path, 'wx+')
    writeSync(fd, encodeSegmentHeader(seq, firstId), 0, SEGMENT_HEADER_BYTES, 0)
    const segment = new Segment(path, fd, seq, firstId, SEGMENT_HEADER_BYTES)
    segment.synced = 0
    return segment
  }

  /** An existing file found at recovery, already verified up to `size`. */
  static existing(path: string, fd: number, seq: number, firstId: number, size: number): Segment {
    return new Segment(path, fd, seq, firstId, size)
  }

  get nextId(): number {
    return this.firstId + this.count
  }

  contains(id: number): boolean {
    return id >= this.firstId && id < this.firstId + this.count
  }

  /** Records the next message (id firstId + count) at `offset`, held by `refs` queues. */
  addMessage(offset: number, bytes: number, refs: number): void {
    let s = this.count * SLOT
    if (s + SLOT > this.slots.length) this.grow()
    const slots = this.slots
    slots[s++] = offset
    slots[s++] = bytes
    slots[s] = refs
    this.count++
    if (refs > 0) this.liveMessages++
  }

  offsetOf(id: number): number {
    return this.slots[(id - this.firstId) * SLOT]
  }

  bytesOf(id: number): number {
    return this.slots[(id - this.firstId) * SLOT + 1]
  }

  refsOf(id: number): number {
    return this.slots[(id - this.firstId) * SLOT + 2]
  }

  addRef(id: number): void {
    const s = (id - this.firstId) * SLOT + 2
    if (this.slots[s]++ === 0) this.liveMessages++
  }

  /** One queue let go of the message; returns how many still hold it. */
  dropRef(id: number): number {
    const s = (id - this.firstId) * SLOT + 2
    const left = --this.slots[s]
    if (left === 0) this.liveMessages--
    return left
  }

  /** Releases the slack left by doubling, once no more messages will be added. */
  trim(): void {
    if (this.slots.length > this.count * SLOT) this.slots = this.slots.slice(0, Math.max(this.count, 1) * SLOT)
  }

  /** Bytes the in-memory index of this segment holds. */
  get indexBytes(): number {
    return this.slots.byteLength
  }

  /** Reads a record that is already written to the file into a new buffer. */
  readRecord(id: number): Buffer {
    const bytes = this.bytesOf(id), buf = Buffer.allocUnsafe(bytes)
    readFully(this.fd, buf, 0, bytes, this.offsetOf(id))
    return buf
  }

  close(): void {
    if (this.fd < 0) return
    closeSync(this.fd)
    this.fd = -1
  }

  private grow(): void {
    const next = new Uint32Array(this.slots.length * 2)
    next.set(this.slots)
    this.slots = next
  }
}

/** readSync until `length` bytes are in, or throws at end of file. */
export function readFully(fd: number, buf: Buffer, at: number, length: number, position: number): void {
  let done = 0
  while (done < length) {
    const n = readSync(fd, buf, at + done, length - done, position + done)
    if (n === 0) throw new Error(`unexpected end of segment file at ${position + done}`)
    done += n
  }
}

/**
 * Reads many records of a segment in file order with one read per window, handing out a private
 * copy of each (so a sparse survivor does not pin a whole window). Used when a queue's messages
 * are read back at boot.
 */
export class SegmentReader {
  private window = Buffer.alloc(0)
  private segment: Segment | undefined
  private start = 0
  private end = 0

  constructor(private readonly windowBytes = 1 << 20) {}

  read(segment: Segment, offset: number, bytes: number): Buffer {
    if (segment !== this.segment || offset < this.start || offset + bytes > this.end) {
      const want = Math.max(this.windowBytes, bytes)
      if (this.window.length < want) this.window = Buffer.allocUnsafe(want)
      const length = Math.max(bytes, Math.min(want, segment.written - offset))
      readFully(segment.fd, this.window, 0, length, offset)
      this.segment = segment
      this.start = offset
      this.end = offset + length
    }
    const copy = Buffer.allocUnsafe(bytes)
    this.window.copy(copy, 0, offset - this.start, offset - this.start + bytes)
    return copy
  }
}
