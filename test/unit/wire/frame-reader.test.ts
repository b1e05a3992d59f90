// The frame reader turns any chunking of a byte stream into the same frames (STYLE 9: split at
// every byte offset), enforces frame-max and the frame-end octet (501 FRAME_ERROR).
import { describe, it, expect } from 'vitest'
import { FrameReader } from '../../../src/wire/frame-reader.js'
import { encodeMethodPayload, encodeProperties, MethodId, FrameType, FRAME_END, type Method } from '../../../src/wire/codec.js'
import { AmqpError } from '../../../src/errors.js'
import { SeededRandom } from '../seeded-random.js'

interface Frame { type: number; channel: number; payload: Buffer }

const FRAME_MAX = 256 * 1024
const TCP_CHUNK = 64 * 1024

function frameBytes(f: Frame, end = FRAME_END): Buffer {
  const b = Buffer.alloc(7 + f.payload.length + 1)
  b[0] = f.type
  b.writeUInt16BE(f.channel, 1)
  b.writeUInt32BE(f.payload.length, 3)
  f.payload.copy(b, 7)
  b[b.length - 1] = end
  return b
}

function headerPayload(bodySize: number, properties: Buffer): Buffer {
  const b = Buffer.alloc(12)
  b.writeUInt16BE(60, 0)
  b.writeUInt16BE(0, 2)
  b.writeUInt32BE(Math.floor(bodySize / 2 ** 32), 4)
  b.writeUInt32BE(bodySize % 2 ** 32, 8)
  return Buffer.concat([b, properties])
}

const method = (channel: number, m: Method): Frame => ({ type: FrameType.Method, channel, payload: encodeMethodPayload(m) })
const heartbeat = (): Frame => ({ type: FrameType.Heartbeat, channel: 0, payload: Buffer.alloc(0) })

/** A captured conversation: methods, content, heartbeats on several channels, from empty to > one TCP chunk. */
function capturedFrames(): Frame[] {
  const r = new SeededRandom(0xf4a3e)
  const publish = (ch: number, key: string): Frame =>
    method(ch, { id: MethodId.BasicPublish, args: { ticket: 0, exchange: 'amq.topic', routingKey: key, mandatory: false, immediate: false } } as Method)
  const content = (ch: number, size: number, bodyFrameBytes: number): Frame[] => {
    const body = r.bytes(size)
    const frames: Frame[] = [{ type: FrameType.Header, channel: ch, payload: headerPayload(size, encodeProperties({ contentType: 'application/octet-stream', deliveryMode: 2, headers: { 'x-n': size } })) }]
    for (let at = 0; at < size; at += bodyFrameBytes) frames.push({ type: FrameType.Body, channel: ch, payload: body.subarray(at, at + bodyFrameBytes) })
    return frames
  }
  return [
    method(0, { id: MethodId.ConnectionTuneOk, args: { channelMax: 2047, frameMax: FRAME_MAX, heartbeat: 60 } } as Method),
    heartbeat(),
    method(1, { id: MethodId.ChannelOpen, args: { outOfBand: '' } } as Method),
    method(2, { id: MethodId.ChannelOpen, args: { outOfBand: '' } } as Method),
    publish(1, 'a.b'),
    ...content(1, 0, 1000), // empty body: header only
    publish(2, 'ü.€'),
    ...content(2, 1, 1000),
    heartbeat(),
    publish(65535, ''),
    ...content(65535, TCP_CHUNK + 4321, TCP_CHUNK + 4321), // one body frame larger than a TCP chunk
    { type: FrameType.Body, channel: 3, payload: Buffer.alloc(0) }, // an empty body frame
    publish(1, 'x'.repeat(255)),
    ...content(1, 3000, 1024), // body split over three frames
    heartbeat(),
    method(1, { id: MethodId.BasicAck, args: { deliveryTag: 2 ** 53 - 1, multiple: true } } as Method),
    // A payload whose bytes include the frame-end octet, to prove the reader trusts sizes, not scans.
    { type: FrameType.Body, channel: 7, payload: Buffer.from([FRAME_END, FRAME_END, 0, FRAME_END]) },
    method(0, { id: MethodId.ConnectionClose, args: { replyCode: 200, replyText: 'bye', classId: 0, methodId: 0 } } as Method),
  ]
}

const FRAMES = capturedFrames()
const STREAM = Buffer.concat(FRAMES.map((f) => frameBytes(f)))

/** A reader that records copies of the frames it yields (payloads may be slices of the chunk). */
function recorder(frameMaxBytes = FRAME_MAX) {
  const frames: Frame[] = []
  const reader = new FrameReader((type, channel, payload) => frames.push({ type, channel, payload: Buffer.from(payload) }), frameMaxBytes)
  return { reader, frames }
}

/** Exact comparison, with a short message naming the first differing frame. */
function expectFrames(actual: Frame[], expected: Frame[], context: string): void {
  expect(actual.length, `${context}: frame count`).toBe(expected.length)
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i]
    const same = a.type === e.type && a.channel === e.channel && a.payload.equals(e.payload)
    if (!same) {
      expect.fail(`${context}: frame ${i} is (type ${a.type}, channel ${a.channel}, ${a.payload.length} bytes), ` +
        `expected (type ${e.type}, channel ${e.channel}, ${e.payload.length} bytes)`)
    }
  }
}

const sameFrames = (a: Frame[], e: Frame[]) =>
  a.length === e.length && a.every((f, i) => f.type === e[i].type && f.channel === e[i].channel && f.payload.equals(e[i].payload))

function thrown(fn: () => void): unknown {
  try {
    fn()
  } catch (e) {
    return e
  }
  return undefined
}

function expectFrameError(fn: () => void): void {
  const e = thrown(fn)
  expect(e, 'expected an AmqpError 501').toBeInstanceOf(AmqpError)
  expect((e as AmqpError).replyCode).toBe(501)
}

describe('FrameReader over a captured stream', () => {
  it('has the shape the test needs: many frames, empty payloads, one larger than a TCP chunk', () => {
    expect(FRAMES.length).toBeGreaterThanOrEqual(20)
    expect(FRAMES.some((f) => f.payload.length === 0)).toBe(true)
    expect(FRAMES.some((f) => f.payload.length > TCP_CHUNK)).toBe(true)
    expect(new Set(FRAMES.map((f) => f.type))).toEqual(new Set([1, 2, 3, 8]))
    expect(new Set(FRAMES.map((f) => f.channel)).size).toBeGreaterThanOrEqual(5)
  })

  it('reads the whole stream pushed as one chunk (packed frames)', () => {
    const { reader, frames } = recorder()
    reader.push(STREAM)
    expectFrames(frames, FRAMES, 'one chunk')
    expect(reader.pendingBytes).toBe(0)
  })

  it('reads the same frames when the stream is split into two chunks at every byte offset', () => {
    for (let cut = 0; cut <= STREAM.length; cut++) {
      const { reader, frames } = recorder()
      reader.push(STREAM.subarray(0, cut))
      reader.push(STREAM.subarray(cut))
      // Only a mismatch goes through expect: tens of thousands of offsets make expect itself the cost.
      if (!sameFrames(frames, FRAMES) || reader.pendingBytes !== 0) {
        expectFrames(frames, FRAMES, `cut at ${cut}`)
        expect(reader.pendingBytes, `cut at ${cut}: pending bytes`).toBe(0)
      }
    }
    // One explicit assertion for the record: the last cut delivered everything too.
    const { reader, frames } = recorder()
    reader.push(STREAM.subarray(0, STREAM.length - 1))
    expect(reader.pendingBytes).toBeGreaterThan(0)
    reader.push(STREAM.subarray(STREAM.length - 1))
    expectFrames(frames, FRAMES, 'cut before the last byte')
  })

  it('reads the same frames from 1-byte chunks, and never keeps a reference into a chunk it was given', () => {
    const { reader, frames } = recorder()
    for (let i = 0; i < STREAM.length; i++) {
      const chunk = Buffer.from(STREAM.subarray(i, i + 1))
      reader.push(chunk)
      chunk.fill(0x55) // the socket may reuse its buffer once push returns
    }
    expectFrames(frames, FRAMES, '1-byte chunks')
    expect(reader.pendingBytes).toBe(0)
  })

  it('reads the same frames from 60 seeded random chunkings (seed 0xc4a4)', () => {
    const r = new SeededRandom(0xc4a4)
    for (let round = 0; round < 60; round++) {
      const { reader, frames } = recorder()
      const maxChunk = r.pick([3, 17, 512, 4096, TCP_CHUNK, STREAM.length])
      for (let at = 0; at < STREAM.length;) {
        const n = r.int(0, maxChunk) // zero-length chunks included
        const chunk = Buffer.from(STREAM.subarray(at, at + n))
        reader.push(chunk)
        chunk.fill(0xaa)
        at += n
      }
      expectFrames(frames, FRAMES, `round ${round} (chunks up to ${maxChunk} bytes)`)
      expect(reader.pendingBytes).toBe(0)
    }
  })

  it('holds back a partial frame and reports its bytes as pending', () => {
    const { reader, frames } = recorder()
    const first = frameBytes(FRAMES[0])
    reader.push(Buffer.concat([first, frameBytes(FRAMES[1]).subarray(0, 5)]))
    expect(frames).toHaveLength(1)
    expect(reader.pendingBytes).toBe(5)
    reader.push(frameBytes(FRAMES[1]).subarray(5))
    expectFrames(frames, FRAMES.slice(0, 2), 'partial then rest')
    expect(reader.pendingBytes).toBe(0)
  })
})

describe('FrameReader limits and framing errors', () => {
  const body = (size: number): Frame => ({ type: FrameType.Body, channel: 1, payload: Buffer.alloc(size, 7) })

  it('accepts a frame of exactly frame-max bytes (payload + 8)', () => {
    const { reader, frames } = recorder(4096)
    reader.push(frameBytes(body(4096 - 8)))
    expect(frames).toHaveLength(1)
    expect(frames[0].payload.length).toBe(4088)
  })

  it('rejects a frame one byte over frame-max with 501, as soon as its header arrives', () => {
    const { reader, frames } = recorder(4096)
    const bytes = frameBytes(body(4096 - 7))
    expectFrameError(() => reader.push(bytes.subarray(0, 7)))
    expect(frames).toHaveLength(0)
    expectFrameError(() => recorder(4096).reader.push(bytes))
  })

  it('rejects an oversize frame that follows good frames in the same chunk, after yielding those', () => {
    const { reader, frames } = recorder(4096)
    expectFrameError(() => reader.push(Buffer.concat([frameBytes(heartbeat()), frameBytes(body(10)), frameBytes(body(5000))])))
    expect(frames.map((f) => f.type)).toEqual([FrameType.Heartbeat, FrameType.Body])
  })

  it('rejects a size field near 2^32 with 501 rather than waiting for the bytes', () => {
    const header = Buffer.from([FrameType.Body, 0, 1, 0xff, 0xff, 0xff, 0xf0])
    expectFrameError(() => recorder(FRAME_MAX).reader.push(header))
  })

  it('honours a frame-max lowered after tune', () => {
    const { reader } = recorder(FRAME_MAX)
    reader.push(frameBytes(body(10_000)))
    reader.frameMaxBytes = 8192
    expectFrameError(() => reader.push(frameBytes(body(10_000))))
  })

  it.each([0x00, 0xcd, 0xcf, 0xff])('rejects a frame ending in 0x%s instead of 0xCE with 501', (badEnd) => {
    const { reader, frames } = recorder()
    const bad = frameBytes(FRAMES[2], badEnd)
    expectFrameError(() => reader.push(Buffer.concat([frameBytes(FRAMES[0]), bad])))
    expect(frames).toHaveLength(1)
  })

  it('rejects a bad frame-end octet that arrives alone in a later chunk with 501', () => {
    const { reader, frames } = recorder()
    const bad = frameBytes(heartbeat(), 0x00)
    reader.push(bad.subarray(0, bad.length - 1))
    expect(frames).toHaveLength(0)
    expectFrameError(() => reader.push(bad.subarray(bad.length - 1)))
  })

  it('rejects an empty-payload frame whose end octet is wrong with 501', () => {
    expectFrameError(() => recorder().reader.push(Buffer.from([FrameType.Heartbeat, 0, 0, 0, 0, 0, 0, 0x01])))
  })
})
