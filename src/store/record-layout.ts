// The on-disk byte layouts of the store: segment header, record frame, log records (message,
// delivered, removed, purged, live set, events). Pure encode/decode over Buffers; must not touch files or keep state.
// Integers are little-endian; ids are u64 read as Numbers (exact below 2^53).
//
//   segment header (32 bytes, once at offset 0 of every segment file)
//    0  magic        8  "WRNSEG01"
//    8  version      u32  1
//   12  segment      u32  sequence number (also the file name)
//   16  firstId      u64  id the segment's first message gets (keeps the id counter when all else is reclaimed)
//   24  reserved     u32  0
//   28  crc          u32  CRC-32 of bytes 0..28
//
//   frame (every record in segments and in definitions.log)
//    0  crc          u32  CRC-32 of bytes 4 .. end of record (covers type, count and length too)
//    4  magic        u8   0xA7
//    5  type         u8   RecordType
//    6  count        u16  message: number of queue ids; otherwise 0
//    8  length       u32  bytes after these 12
//   12  ... definitions records: JSON payload; log records continue:
//   12  queueId      u32  delivered/removed/purged/events: the queue; message, live set: 0
//   16  messageId    u64  message: its id; delivered/removed: the target; purged: highest id purged;
//                         live set: first id of the range it restates; events: the lowest id it names
//   24  ... live set records only: the complete state of one segment's messages, [firstId, endId):
//       endId        u64
//       entries      (queueId u32, (id - firstId) * 2 + delivered u32) × n; a pair not listed is removed
//   24  ... events records only: many delivered and removed marks of one queue in one record
//       delivered    u32  how many of the entries mark a message delivered (the first ones)
//       entries      (id - messageId) u32 × n; the first `delivered` mark delivery, the rest removal,
//                    replayed in that order (a message delivered and then removed is removed)
//   24  ... message records only:
//       queueIds     u32 × count
//       exchange     u8 length, utf8
//       routingKey   u8 length, utf8
//       properties   u32 length, raw content-header property bytes
//       body         the rest of the record
import { decodeText, encodeText, textByteLength, writeText } from '../byte-text.js'
import { blob, nu64, struct, u16, u32, u8, type Structure } from 'buffer-layout'
import { crc32 } from './crc32.js'

/** What a message record carries. `properties` are raw AMQP property bytes, opaque here. */
export interface StoredMessage { exchange: string; routingKey: string; properties: Buffer; body: Buffer }

export const RecordType = { Message: 1, Delivered: 2, Removed: 3, Purged: 4, LiveSet: 5, Events: 6 } as const
export type RecordType = (typeof RecordType)[keyof typeof RecordType]

export const RECORD_MAGIC = 0xa7
export const SEGMENT_MAGIC = Buffer.from('WRNSEG01', 'latin1')
export const SEGMENT_VERSION = 1

export interface FrameHeader { crc: number; magic: number; type: number; count: number; length: number }
export interface LogRecordHeader extends FrameHeader { queueId: number; messageId: number }
export interface SegmentHeader { magic: Uint8Array; version: number; segment: number; firstId: number; reserved: number; crc: number }

// The definitions. The hand-written code below reads its offsets from these, and the unit tests
// assert that both agree byte for byte.
const frameFields = () => [u32('crc'), u8('magic'), u8('type'), u16('count'), u32('length')]
export const frameHeaderLayout: Structure<FrameHeader> = struct<FrameHeader>(frameFields())
export const logRecordHeaderLayout: Structure<LogRecordHeader> =
  struct<LogRecordHeader>([...frameFields(), u32('queueId'), nu64('messageId')])
export const segmentHeaderLayout: Structure<SegmentHeader> = struct<SegmentHeader>([
  blob(8, 'magic'), u32('version'), u32('segment'), nu64('firstId'), u32('reserved'), u32('crc'),
])

const at = (layout: { offsetOf(field: string): number | undefined }, field: string): number => {
  const offset = layout.offsetOf(field)
  if (offset === undefined) throw new Error(`record layout has no field ${field}`)
  return offset
}
export const FRAME_BYTES = frameHeaderLayout.span
export const LOG_HEADER_BYTES = logRecordHeaderLayout.span
export const SEGMENT_HEADER_BYTES = segmentHeaderLayout.span
const CRC = at(frameHeaderLayout, 'crc'), MAGIC = at(frameHeaderLayout, 'magic'), TYPE = at(frameHeaderLayout, 'type')
const COUNT = at(frameHeaderLayout, 'count'), LENGTH = at(frameHeaderLayout, 'length')
const QUEUE_ID = at(logRecordHeaderLayout, 'queueId'), MESSAGE_ID = at(logRecordHeaderLayout, 'messageId')
const SEG_VERSION = at(segmentHeaderLayout, 'version'), SEG_NUMBER = at(segmentHeaderLayout, 'segment')
const SEG_FIRST_ID = at(segmentHeaderLayout, 'firstId'), SEG_CRC = at(segmentHeaderLayout, 'crc')
/** Largest record we accept when scanning; a longer length field is corruption, not a big message. */
export const MAX_RECORD_BYTES = 0x7fffffff

// Hand-written readers and writers. buffer-layout's generic encode/decode walks field objects and
// allocates a result object per call; bench/store-record-layout.ts measures both, and these
// run several times faster per record, so the hot path uses these and the layouts stay the spec.

const TWO_32 = 0x1_0000_0000
function writeU64(buf: Buffer, value: number, offset: number): void {
  buf.writeUInt32LE(value % TWO_32, offset)
  buf.writeUInt32LE(Math.floor(value / TWO_32), offset + 4)
}
function readU64(buf: Buffer, offset: number): number {
  return buf.readUInt32LE(offset) + buf.readUInt32LE(offset + 4) * TWO_32
}

/**
 * The bytes of the exchange and routing key of the message being written, kept while they repeat:
 * a publisher sends the same two names message after message, so encoding them (and measuring
 * them) once saves two Buffer.byteLength and two Buffer#write calls per record.
 */
export class RecordNames {
  exchange: Buffer = Buffer.alloc(0)
  routingKey: Buffer = Buffer.alloc(0)
  private exchangeText = ''
  private routingKeyText = ''

  /** Makes `exchange` and `routingKey` the bytes of m's names; throws RangeError for a name over 255 bytes. */
  encode(m: StoredMessage): void {
    if (m.exchange !== this.exchangeText) {
      this.exchange = shortStringBytes(m.exchange)
      this.exchangeText = m.exchange
    }
    if (m.routingKey !== this.routingKeyText) {
      this.routingKey = shortStringBytes(m.routingKey)
      this.routingKeyText = m.routingKey
    }
  }
}

function shortStringBytes(s: string): Buffer {
  const bytes = encodeText(s)
  if (bytes.length > 255) throw new RangeError(`'${s.slice(0, 40)}…' is longer than 255 bytes`)
  return bytes
}

/** Bytes a message record takes on disk; `names`, when given, holds m's names encoded. */
export function messageRecordBytes(queueCount: number, m: StoredMessage, names?: RecordNames): number {
  const nameBytes = names ? names.exchange.length + names.routingKey.length : textByteLength(m.exchange) + textByteLength(m.routingKey)
  return LOG_HEADER_BYTES + 4 * queueCount + 2 + nameBytes + 4 + m.properties.length + m.body.length
}

/** Writes a whole message record (crc included) at `offset`; `bytes` is messageRecordBytes() with the same `names`. */
export function writeMessageRecord(
  buf: Buffer, offset: number, bytes: number, id: number, queueIds: readonly number[], m: StoredMessage, names?: RecordNames,
): void {
  writeLogHeader(buf, offset, RecordType.Message, queueIds.length, bytes, 0, id)
  let p = offset + LOG_HEADER_BYTES
  for (let i = 0; i < queueIds.length; i++, p += 4) buf.writeUInt32LE(queueIds[i], p)
  if (names) {
    p = copyShortString(buf, p, names.exchange)
    p = copyShortString(buf, p, names.routingKey)
  } else {
    p = writeShortString(buf, p, m.exchange)
    p = writeShortString(buf, p, m.routingKey)
  }
  buf.writeUInt32LE(m.properties.length, p)
  p += 4
  p += m.properties.copy(buf, p)
  m.body.copy(buf, p)
  sealRecord(buf, offset, bytes)
}

/** A length byte and the name's bytes, copied by a loop (names are short; Buffer#copy costs more here). */
function copyShortString(buf: Buffer, p: number, bytes: Buffer): number {
  const n = bytes.length
  buf[p++] = n
  for (let i = 0; i < n; i++) buf[p + i] = bytes[i]
  return p + n
}

function writeShortString(buf: Buffer, p: number, s: string): number {
  const n = writeText(buf, s, p + 1)
  if (n > 255) throw new RangeError(`'${s.slice(0, 40)}…' is longer than 255 bytes`)
  buf[p] = n
  return p + 1 + n
}

/** Writes a delivered/removed/purged record (LOG_HEADER_BYTES long, crc included) at `offset`. */
export function writeEventRecord(buf: Buffer, offset: number, type: RecordType, queueId: number, messageId: number): void {
  writeLogHeader(buf, offset, type, 0, LOG_HEADER_BYTES, queueId, messageId)
  sealRecord(buf, offset, LOG_HEADER_BYTES)
}

function writeLogHeader(buf: Buffer, o: number, type: number, count: number, bytes: number, queueId: number, messageId: number): void {
  buf[o + MAGIC] = RECORD_MAGIC
  buf[o + TYPE] = type
  buf.writeUInt16LE(count, o + COUNT)
  buf.writeUInt32LE(bytes - FRAME_BYTES, o + LENGTH)
  buf.writeUInt32LE(queueId, o + QUEUE_ID)
  writeU64(buf, messageId, o + MESSAGE_ID)
}

/** Bytes of a live set record with `pairs` (queue, message) entries. */
export const liveSetRecordBytes = (pairs: number): number => LOG_HEADER_BYTES + 8 + 8 * pairs

/** Writes a live set record; `entries` is flat: queueId, (id - firstId) * 2 + delivered, ... */
export function writeLiveSetRecord(buf: Buffer, offset: number, firstId: number, endId: number, entries: readonly number[]): void {
  const bytes = liveSetRecordBytes(entries.length / 2)
  writeLogHeader(buf, offset, RecordType.LiveSet, 0, bytes, 0, firstId)
  writeU64(buf, endId, offset + LOG_HEADER_BYTES)
  for (let i = 0, p = offset + LOG_HEADER_BYTES + 8; i < entries.length; i++, p += 4) buf.writeUInt32LE(entries[i], p)
  sealRecord(buf, offset, bytes)
}

/** Bytes of an events record with `marks` delivered and removed marks. */
export const eventsRecordBytes = (marks: number): number => LOG_HEADER_BYTES + 4 + 4 * marks
/** The largest span of ids one events record can name: entries are u32 offsets from its lowest id. */
export const EVENTS_ID_SPAN = 0x1_0000_0000

/**
 * Writes an events record for `queueId`: delivered[0, deliveredCount) then removed[0, removedCount),
 * as offsets from `lowestId` (every id must lie in [lowestId, lowestId + EVENTS_ID_SPAN)).
 */
export function writeEventsRecord(
  buf: Buffer, offset: number, queueId: number, lowestId: number,
  delivered: readonly number[], deliveredCount: number, removed: readonly number[], removedCount: number,
): void {
  const bytes = eventsRecordBytes(deliveredCount + removedCount)
  writeLogHeader(buf, offset, RecordType.Events, 0, bytes, queueId, lowestId)
  let p = offset + LOG_HEADER_BYTES
  buf.writeUInt32LE(deliveredCount, p)
  p += 4
  for (let i = 0; i < deliveredCount; i++, p += 4) buf.writeUInt32LE(delivered[i] - lowestId, p)
  for (let i = 0; i < removedCount; i++, p += 4) buf.writeUInt32LE(removed[i] - lowestId, p)
  sealRecord(buf, offset, bytes)
}

/** How many marks of an events record of `bytes` bytes there are, or -1 when the length does not fit the layout. */
export function eventsMarkCount(buf: Buffer, offset: number, bytes: number): number {
  const marks = (bytes - LOG_HEADER_BYTES - 4) / 4
  if (!Number.isInteger(marks) || marks < 0 || eventsDeliveredCount(buf, offset) > marks) return -1
  return marks
}
export const eventsDeliveredCount = (buf: Buffer, offset: number): number => buf.readUInt32LE(offset + LOG_HEADER_BYTES)
/** The message id the i-th mark of an events record names. */
export const eventsMarkId = (buf: Buffer, offset: number, i: number): number =>
  recordMessageId(buf, offset) + buf.readUInt32LE(offset + LOG_HEADER_BYTES + 4 + 4 * i)

export const liveSetEndId = (buf: Buffer, offset: number): number => readU64(buf, offset + LOG_HEADER_BYTES)
/** The i-th u32 of a live set's flat entries. */
export const liveSetEntry = (buf: Buffer, offset: number, i: number): number => buf.readUInt32LE(offset + LOG_HEADER_BYTES + 8 + 4 * i)

/** Fills in the crc of a complete record of `bytes` bytes at `offset`. */
export function sealRecord(buf: Buffer, offset: number, bytes: number): void {
  buf.writeUInt32LE(crc32(buf, offset + MAGIC, offset + bytes), offset + CRC)
}

/** A framed record (definitions.log) with a type and an opaque payload, crc included. */
export function encodeFrame(type: number, payload: Buffer): Buffer {
  const buf = Buffer.allocUnsafe(FRAME_BYTES + payload.length)
  buf[MAGIC] = RECORD_MAGIC
  buf[TYPE] = type
  buf.writeUInt16LE(0, COUNT)
  buf.writeUInt32LE(payload.length, LENGTH)
  payload.copy(buf, FRAME_BYTES)
  sealRecord(buf, 0, buf.length)
  return buf
}

export const TORN = 0
export const CORRUPT = -1
/**
 * Checks the record at `offset`, given that `buf` holds the file's bytes up to `end`. Returns its
 * total length, TORN when it runs past `end`, or CORRUPT when magic, length or crc are wrong.
 * `minBytes` is the smallest total a record may have.
 */
export function checkRecord(buf: Buffer, offset: number, end: number, minBytes: number): number {
  if (end - offset < FRAME_BYTES) return TORN
  if (buf[offset + MAGIC] !== RECORD_MAGIC) return CORRUPT
  const total = FRAME_BYTES + buf.readUInt32LE(offset + LENGTH)
  if (total < minBytes || total > MAX_RECORD_BYTES) return CORRUPT
  if (end - offset < total) return TORN
  return crc32(buf, offset + MAGIC, offset + total) === buf.readUInt32LE(offset + CRC) ? total : CORRUPT
}

/** Bytes the record at `offset` claims (its frame length), or -1 when fewer than a frame header are present. */
export function claimedRecordBytes(buf: Buffer, offset: number, end: number): number {
  return end - offset < FRAME_BYTES ? -1 : FRAME_BYTES + buf.readUInt32LE(offset + LENGTH)
}

export const recordType = (buf: Buffer, offset: number): number => buf[offset + TYPE]
export const recordQueueCount = (buf: Buffer, offset: number): number => buf.readUInt16LE(offset + COUNT)
export const recordQueueId = (buf: Buffer, offset: number): number => buf.readUInt32LE(offset + QUEUE_ID)
export const recordMessageId = (buf: Buffer, offset: number): number => readU64(buf, offset + MESSAGE_ID)
/** The i-th queue id of a message record. */
export const recordQueueIdAt = (buf: Buffer, offset: number, i: number): number => buf.readUInt32LE(offset + LOG_HEADER_BYTES + 4 * i)

/**
 * The message in a checked message record of `bytes` bytes. Properties and body are views into
 * `buf` (copy the record first if buf is reused). Throws when the fields overrun the record.
 */
export function readMessageRecord(buf: Buffer, offset: number, bytes: number): StoredMessage {
  const end = offset + bytes
  let p = offset + LOG_HEADER_BYTES + 4 * recordQueueCount(buf, offset)
  const exLen = buf[p++]
  const exchange = decodeText(buf, p, p + exLen)
  p += exLen
  const rkLen = buf[p++]
  const routingKey = decodeText(buf, p, p + rkLen)
  p += rkLen
  const propsLen = buf.readUInt32LE(p)
  p += 4
  if (p + propsLen > end || p > end) throw new RangeError('message record fields overrun the record')
  return { exchange, routingKey, properties: buf.subarray(p, p + propsLen), body: buf.subarray(p + propsLen, end) }
}

/** Smallest valid message record for a queue count (empty names, properties and body). */
export const minMessageRecordBytes = (queueCount: number): number => LOG_HEADER_BYTES + 4 * queueCount + 6

export function encodeSegmentHeader(segment: number, firstId: number): Buffer {
  const buf = Buffer.alloc(SEGMENT_HEADER_BYTES)
  SEGMENT_MAGIC.copy(buf, 0)
  buf.writeUInt32LE(SEGMENT_VERSION, SEG_VERSION)
  buf.writeUInt32LE(segment, SEG_NUMBER)
  writeU64(buf, firstId, SEG_FIRST_ID)
  buf.writeUInt32LE(crc32(buf, 0, SEG_CRC), SEG_CRC)
  return buf
}

/** The segment number and first id from a header, or undefined when it is torn or not ours. */
export function decodeSegmentHeader(buf: Buffer): { segment: number; firstId: number } | undefined {
  if (buf.length < SEGMENT_HEADER_BYTES || !buf.subarray(0, SEGMENT_MAGIC.length).equals(SEGMENT_MAGIC)) return undefined
  if (crc32(buf, 0, SEG_CRC) !== buf.readUInt32LE(SEG_CRC)) return undefined
  if (buf.readUInt32LE(SEG_VERSION) !== SEGMENT_VERSION) return undefined
  return { segment: buf.readUInt32LE(SEG_NUMBER), firstId: readU64(buf, SEG_FIRST_ID) }
}
