// The hand-written record readers and writers agree byte for byte with the buffer-layout
// declarations that define the format, and the CRC-32 matches the standard one.
import { describe, expect, it } from 'vitest'
import * as zlib from 'node:zlib'
import { crc32, crc32Table } from '../../../src/store/crc32.js'
import {
  CORRUPT, LOG_HEADER_BYTES, RecordType, SEGMENT_HEADER_BYTES, TORN, checkRecord, decodeSegmentHeader, encodeSegmentHeader,
  logRecordHeaderLayout, messageRecordBytes, readMessageRecord, recordMessageId, recordQueueCount, recordQueueId, recordQueueIdAt,
  recordType, segmentHeaderLayout, writeEventRecord, writeMessageRecord,
  RecordNames, eventsDeliveredCount, eventsMarkCount, eventsMarkId, eventsRecordBytes, writeEventsRecord,
} from '../../../src/store/record-layout.js'
import { SeededRandom } from '../seeded-random.js'

describe('crc32', () => {
  it('matches the standard check value and zlib on random inputs and splits', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926)
    expect(crc32(Buffer.alloc(0))).toBe(0)
    const rnd = new SeededRandom(7)
    const zcrc = (zlib as unknown as { crc32?: (b: Uint8Array) => number }).crc32
    for (let i = 0; i < 200; i++) {
      // Lengths on both sides of the switch to zlib's native crc32.
      const buf = Buffer.from(Array.from({ length: rnd.int(0, 2000) }, () => rnd.int(0, 255)))
      const whole = crc32(buf)
      if (zcrc) expect(whole).toBe(zcrc(buf))
      expect(crc32Table(buf)).toBe(whole)
      const cut = rnd.int(0, buf.length)
      expect(crc32(buf, cut, buf.length, crc32(buf, 0, cut))).toBe(whole)
      expect(crc32Table(buf, cut, buf.length, crc32Table(buf, 0, cut))).toBe(whole)
    }
  })
})

describe('record layout', () => {
  it('event records written by hand decode with the buffer-layout definition, and back', () => {
    const rnd = new SeededRandom(11)
    for (let i = 0; i < 100; i++) {
      const queueId = rnd.int(0, 0xffffffff), messageId = rnd.int(0, 2 ** 53 - 1)
      const type = [RecordType.Delivered, RecordType.Removed, RecordType.Purged][i % 3]
      const buf = Buffer.alloc(LOG_HEADER_BYTES + 8)
      writeEventRecord(buf, 8, type, queueId, messageId)
      const decoded = logRecordHeaderLayout.decode(buf, 8)
      expect(decoded).toEqual({ crc: crc32(buf, 12, 8 + LOG_HEADER_BYTES), magic: 0xa7, type, count: 0, length: LOG_HEADER_BYTES - 12, queueId, messageId })
      const again = Buffer.alloc(LOG_HEADER_BYTES)
      logRecordHeaderLayout.encode(decoded, again, 0)
      expect(again).toEqual(buf.subarray(8))
      expect([recordType(again, 0), recordQueueId(again, 0), recordMessageId(again, 0)]).toEqual([type, queueId, messageId])
      expect(checkRecord(again, 0, again.length, LOG_HEADER_BYTES)).toBe(LOG_HEADER_BYTES)
    }
  })

  it('events records carry their header as declared and name their delivered, then removed, ids', () => {
    const lowest = 2 ** 40 + 7
    const delivered = [lowest + 5, lowest, lowest + 2 ** 32 - 1], removed = [lowest + 5, lowest + 1]
    const bytes = eventsRecordBytes(5)
    const buf = Buffer.alloc(bytes + 4)
    writeEventsRecord(buf, 4, 77, lowest, [...delivered, 123], 3, removed, 2)
    expect(logRecordHeaderLayout.decode(buf, 4)).toMatchObject({ magic: 0xa7, type: RecordType.Events, count: 0, length: bytes - 12, queueId: 77, messageId: lowest })
    expect(checkRecord(buf, 4, bytes + 4, LOG_HEADER_BYTES)).toBe(bytes)
    expect(eventsMarkCount(buf, 4, bytes)).toBe(5)
    expect(eventsDeliveredCount(buf, 4)).toBe(3)
    expect([0, 1, 2, 3, 4].map((i) => eventsMarkId(buf, 4, i))).toEqual([...delivered, ...removed])
    // a length that is no whole number of marks, or fewer marks than it says were delivered, is corrupt
    expect(eventsMarkCount(buf, 4, bytes - 2)).toBe(-1)
    buf.writeUInt32LE(6, 4 + LOG_HEADER_BYTES)
    expect(eventsMarkCount(buf, 4, bytes)).toBe(-1)
  })

  it('message records carry their header as declared and read back', () => {
    const m = { exchange: 'ex', routingKey: 'rk.é', properties: Buffer.from([1, 2, 3]), body: Buffer.from('hello') }
    const queues = [3, 70000, 5]
    const bytes = messageRecordBytes(queues.length, m)
    const buf = Buffer.alloc(bytes)
    writeMessageRecord(buf, 0, bytes, 2 ** 40 + 3, queues, m)
    expect(logRecordHeaderLayout.decode(buf, 0)).toMatchObject({ magic: 0xa7, type: RecordType.Message, count: 3, length: bytes - 12, queueId: 0, messageId: 2 ** 40 + 3 })
    expect(recordQueueCount(buf, 0)).toBe(3)
    expect(queues.map((_, i) => recordQueueIdAt(buf, 0, i))).toEqual(queues)
    expect(readMessageRecord(buf, 0, bytes)).toEqual(m)
    expect(checkRecord(buf, 0, bytes, LOG_HEADER_BYTES)).toBe(bytes)
    expect(checkRecord(buf, 0, bytes - 1, LOG_HEADER_BYTES)).toBe(TORN)
    buf[bytes - 1] ^= 1
    expect(checkRecord(buf, 0, bytes, LOG_HEADER_BYTES)).toBe(CORRUPT)
  })

  it('message records written with names encoded once are the same bytes as without, as names change and repeat', () => {
    const names = new RecordNames()
    const ms = [
      { exchange: '', routingKey: 'q', properties: Buffer.alloc(0), body: Buffer.from('a') },
      { exchange: '', routingKey: 'q', properties: Buffer.from([1]), body: Buffer.from('bb') },
      { exchange: 'amq.topic', routingKey: 'k.é.\udcff', properties: Buffer.alloc(0), body: Buffer.alloc(0) },
      { exchange: 'amq.topic', routingKey: 'q', properties: Buffer.alloc(0), body: Buffer.from('c') },
    ]
    for (const m of ms) {
      names.encode(m)
      const bytes = messageRecordBytes(1, m)
      expect(messageRecordBytes(1, m, names)).toBe(bytes)
      const plain = Buffer.alloc(bytes), cached = Buffer.alloc(bytes)
      writeMessageRecord(plain, 0, bytes, 9, [4], m)
      writeMessageRecord(cached, 0, bytes, 9, [4], m, names)
      expect(cached).toEqual(plain)
      expect(readMessageRecord(cached, 0, bytes)).toEqual(m)
    }
    expect(() => names.encode({ ...ms[0], routingKey: 'x'.repeat(256) })).toThrow(RangeError)
  })

  it('segment headers agree with their declaration and reject damage', () => {
    const buf = encodeSegmentHeader(42, 123456789012)
    expect(buf.length).toBe(SEGMENT_HEADER_BYTES)
    const d = segmentHeaderLayout.decode(buf, 0)
    expect(Buffer.from(d.magic).toString('latin1')).toBe('WRNSEG01')
    expect(d).toMatchObject({ version: 1, segment: 42, firstId: 123456789012, reserved: 0, crc: crc32(buf, 0, 28) })
    expect(decodeSegmentHeader(buf)).toEqual({ segment: 42, firstId: 123456789012 })
    for (let at = 0; at < buf.length; at++) {
      const bad = Buffer.from(buf)
      bad[at] ^= 4
      expect(decodeSegmentHeader(bad)).toBeUndefined()
    }
    expect(decodeSegmentHeader(buf.subarray(0, 31))).toBeUndefined()
  })
})
