// Rebuilds the store's index at open: scans every segment in order, verifies each record's
// checksum, replays messages and delivered/removed/purged/events/live set records into the index, and cuts a torn
// tail (a partial record, or a checksum mismatch) by truncating the file at the last good record.
// Must not write records or decide about reclaiming.
//
//   a segment's scan:  header ok? ─no→ torn creation: delete the file (set it aside if it has more)
//                      record ok? ─no→ truncate here (fsync), stop this file
//                      message id = segment's next id? ─no→ corrupt: truncate here
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readdirSync, renameSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import {
  CORRUPT, FRAME_BYTES, LOG_HEADER_BYTES, RecordType, SEGMENT_HEADER_BYTES, checkRecord, claimedRecordBytes, decodeSegmentHeader,
  eventsDeliveredCount, eventsMarkCount, eventsMarkId, liveSetEndId, liveSetEntry,
  minMessageRecordBytes, recordMessageId, recordQueueCount, recordQueueId, recordQueueIdAt, recordType,
} from './record-layout.js'
import { SEGMENT_FILE, Segment, readFully } from './segment.js'
import type { StoreIndex } from './store-index.js'
import type { StoreLog } from './store-log.js'

/**
 * The read window, no larger than the group commit's staging buffer: glibc serves a block this size
 * with mmap, and freeing it raises its mmap and trim thresholds to the block's size and twice that.
 * An 8 MiB window, freed once recovery was done, left the broker keeping up to 16 MiB of free heap
 * at the top for good (bench/SOAK.md); records larger than the window still get their own buffer.
 */
const WINDOW_BYTES = 1 << 20

export interface SegmentRecovery {
  /** The id the next message gets. */
  nextId: number
  /** Highest segment sequence number present (0 when none). */
  lastSeq: number
  /** Bytes of segment files scanned and kept. */
  bytes: number
  /** Bytes cut from torn or corrupt tails (and torn segment headers). */
  tornBytes: number
}

/** Scans the segment files of `dir` into `index` (whose queues are already added). */
export function recoverSegments(dir: string, index: StoreIndex, log: StoreLog): SegmentRecovery {
  const files = readdirSync(dir)
    .map((name) => ({ name, m: SEGMENT_FILE.exec(name) }))
    .filter((f) => f.m !== null)
    .map((f) => ({ path: join(dir, f.name), seq: Number(f.m?.[1]) }))
    .sort((a, b) => a.seq - b.seq)
  const result: SegmentRecovery = { nextId: 1, lastSeq: 0, bytes: 0, tornBytes: 0 }
  const scan = new Scanner(index, log)
  for (const file of files) {
    const segment = scan.segment(file.path, file.seq)
    result.tornBytes += scan.tornBytes
    if (!segment) continue
    index.addSegment(segment)
    result.bytes += segment.size
    result.lastSeq = file.seq
    result.nextId = Math.max(result.nextId, segment.nextId)
  }
  const last = index.segments[index.segments.length - 1]
  for (const s of index.segments) if (s !== last) s.trim()
  return result
}

class Scanner {
  tornBytes = 0
  private window = Buffer.allocUnsafe(WINDOW_BYTES)
  private winStart = 0
  private winEnd = 0
  private readonly queueIds: number[] = []

  constructor(private readonly index: StoreIndex, private readonly log: StoreLog) {}

  /** The recovered segment, or undefined when the file held nothing (and was deleted). */
  segment(path: string, seq: number): Segment | undefined {
    this.tornBytes = 0
    const fd = openSync(path, 'r+')
    const size = fstatSync(fd).size
    const head = Buffer.alloc(Math.min(size, SEGMENT_HEADER_BYTES))
    if (head.length > 0) readFully(fd, head, 0, head.length, 0)
    const header = decodeSegmentHeader(head)
    if (!header || header.segment !== seq) {
      closeSync(fd)
      this.tornBytes = size
      if (size <= SEGMENT_HEADER_BYTES) {
        // A crash while the file was being created: it cannot hold any record yet.
        unlinkSync(path)
        this.log.warn({ file: path, bytes: size }, 'deleted a segment file with a torn header')
      } else {
        // Records behind a bad header are not trusted, but not destroyed either.
        renameSync(path, `${path}.corrupt`)
        this.log.error({ file: path, bytes: size }, 'set aside a segment file with a corrupt header')
      }
      return undefined
    }
    const segment = Segment.existing(path, fd, seq, header.firstId, SEGMENT_HEADER_BYTES)
    this.winStart = this.winEnd = 0
    let pos = SEGMENT_HEADER_BYTES
    while (pos < size) {
      const total = this.check(fd, pos, size)
      if (total <= 0 || !this.apply(segment, pos, total)) {
        this.cut(segment, pos, size, total === CORRUPT || total > 0 ? 'corrupt' : 'truncated')
        break
      }
      pos += total
    }
    segment.size = segment.written = segment.synced = pos
    return segment
  }

  /** The record at `pos` checked (length, or TORN/CORRUPT), with the window moved to hold it. */
  private check(fd: number, pos: number, size: number): number {
    if (pos + FRAME_BYTES > this.winEnd) this.fill(fd, pos, size, FRAME_BYTES)
    const claimed = claimedRecordBytes(this.window, pos - this.winStart, this.winEnd - this.winStart)
    if (claimed > 0 && pos + claimed <= size && pos + claimed > this.winEnd) this.fill(fd, pos, size, claimed)
    return checkRecord(this.window, pos - this.winStart, this.winEnd - this.winStart, LOG_HEADER_BYTES)
  }

  private fill(fd: number, pos: number, size: number, need: number): void {
    if (need > this.window.length) this.window = Buffer.allocUnsafe(need)
    const n = Math.min(this.window.length, size - pos)
    readFully(fd, this.window, 0, n, pos)
    this.winStart = pos
    this.winEnd = pos + n
  }

  /** Replays one checked record; false when it is inconsistent (treated as corruption). */
  private apply(segment: Segment, pos: number, total: number): boolean {
    const buf = this.window, at = pos - this.winStart, index = this.index
    switch (recordType(buf, at)) {
      case RecordType.Message: {
        const count = recordQueueCount(buf, at)
        const id = recordMessageId(buf, at)
        if (id !== segment.nextId || total < minMessageRecordBytes(count)) return false
        const ids = this.queueIds
        ids.length = 0
        for (let i = 0; i < count; i++) ids.push(recordQueueIdAt(buf, at, i))
        index.addMessage(segment, id, pos, total, ids)
        return true
      }
      case RecordType.Delivered:
        if (total !== LOG_HEADER_BYTES) return false
        index.noteReference(segment, index.delivered(recordQueueId(buf, at), recordMessageId(buf, at)))
        return true
      case RecordType.Removed:
        if (total !== LOG_HEADER_BYTES) return false
        index.noteReference(segment, index.remove(recordQueueId(buf, at), recordMessageId(buf, at)))
        return true
      case RecordType.Purged:
        if (total !== LOG_HEADER_BYTES) return false
        for (const target of index.purge(recordQueueId(buf, at), recordMessageId(buf, at))) index.noteReference(segment, target)
        return true
      case RecordType.Events: {
        const marks = eventsMarkCount(buf, at, total)
        if (marks < 0) return false
        const queueId = recordQueueId(buf, at), delivered = eventsDeliveredCount(buf, at)
        for (let i = 0; i < delivered; i++) index.noteReference(segment, index.delivered(queueId, eventsMarkId(buf, at, i)))
        for (let i = delivered; i < marks; i++) index.noteReference(segment, index.remove(queueId, eventsMarkId(buf, at, i)))
        return true
      }
      case RecordType.LiveSet: {
        const pairs = (total - LOG_HEADER_BYTES - 8) / 8
        if (!Number.isInteger(pairs) || pairs < 0) return false
        const entries: number[] = []
        for (let i = 0; i < 2 * pairs; i++) entries.push(liveSetEntry(buf, at, i))
        index.noteReference(segment, index.restate(recordMessageId(buf, at), liveSetEndId(buf, at), entries))
        return true
      }
      default:
        return false
    }
  }

  private cut(segment: Segment, pos: number, size: number, reason: string): void {
    ftruncateSync(segment.fd, pos)
    fsyncSync(segment.fd)
    this.tornBytes = size - pos
    this.log.warn({ file: segment.path, offset: pos, bytes: size - pos, reason }, 'cut a torn tail from a segment')
  }
}
