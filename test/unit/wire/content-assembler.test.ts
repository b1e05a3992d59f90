// A content-bearing method, its header and its body frames become one command; frames out of
// order are 505 UNEXPECTED_FRAME, and a body longer than its header declared is refused.
import { describe, it, expect } from 'vitest'
import { ContentAssembler } from '../../../src/wire/content-assembler.js'
import { encodeProperties, decodeProperties } from '../../../src/wire/codec.js'
import { AmqpError } from '../../../src/errors.js'
import { SeededRandom } from '../seeded-random.js'

const MAX_BODY = 16 * 1024 * 1024
const PROPERTIES = encodeProperties({ contentType: 'text/plain', deliveryMode: 2, headers: { a: 1 } })

function header(bodySize: number, properties = PROPERTIES): Buffer {
  const b = Buffer.alloc(12)
  b.writeUInt16BE(60, 0) // basic
  b.writeUInt16BE(0, 2) // weight
  b.writeUInt32BE(Math.floor(bodySize / 2 ** 32), 4)
  b.writeUInt32BE(bodySize % 2 ** 32, 8)
  return Buffer.concat([b, properties])
}

function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (e) {
    return e
  }
  return undefined
}

function expectAmqpError(fn: () => unknown, replyCode?: number): AmqpError {
  const e = thrown(fn)
  expect(e, 'expected an AmqpError').toBeInstanceOf(AmqpError)
  if (replyCode !== undefined) expect((e as AmqpError).replyCode).toBe(replyCode)
  return e as AmqpError
}

describe('ContentAssembler', () => {
  it('assembles method + header + one body frame into one command', () => {
    const a = new ContentAssembler<string>(MAX_BODY)
    expect(a.isIdle).toBe(true)
    a.start('basic.publish')
    expect(a.isIdle).toBe(false)
    expect(a.header(header(5))).toBeUndefined()
    const cmd = a.body(Buffer.from('hello'))
    expect(cmd).toBeDefined()
    expect(cmd!.method).toBe('basic.publish')
    expect(cmd!.body.toString()).toBe('hello')
    expect(cmd!.properties.equals(PROPERTIES)).toBe(true)
    expect(decodeProperties(cmd!.properties)).toEqual({ contentType: 'text/plain', deliveryMode: 2, headers: { a: 1 } })
    expect(a.isIdle).toBe(true)
  })

  it('completes on the header when the declared body size is 0', () => {
    const a = new ContentAssembler<string>(MAX_BODY)
    a.start('m')
    const cmd = a.header(header(0))
    expect(cmd).toBeDefined()
    expect(cmd!.method).toBe('m')
    expect(cmd!.body.length).toBe(0)
    expect(a.isIdle).toBe(true)
    // A body frame now has no command to belong to.
    expectAmqpError(() => a.body(Buffer.from('x')), 505)
  })

  it('completes with empty properties (flags 0x0000)', () => {
    const a = new ContentAssembler<string>(MAX_BODY)
    a.start('m')
    const cmd = a.header(header(0, Buffer.from([0, 0])))
    expect(cmd!.properties.equals(Buffer.from([0, 0]))).toBe(true)
  })

  it('joins a body split into many frames, in order, completing only on the last byte (seed 0xb0d7)', () => {
    const r = new SeededRandom(0xb0d7)
    for (let round = 0; round < 50; round++) {
      const body = r.bytes(r.int(1, 20_000))
      const a = new ContentAssembler<number>(MAX_BODY)
      a.start(round)
      expect(a.header(header(body.length))).toBeUndefined()
      let at = 0, cmd
      const frames: Buffer[] = []
      while (at < body.length) {
        const n = Math.min(body.length - at, r.int(1, 1500))
        const frame = Buffer.from(body.subarray(at, at + n))
        frames.push(frame)
        cmd = a.body(frame)
        at += n
        if (at < body.length) expect(cmd, `round ${round}: completed early at ${at}`).toBeUndefined()
      }
      // The finished body is one copy: it must not alias the frames (slices of socket chunks).
      for (const f of frames) f.fill(0)
      expect(cmd, `round ${round}`).toBeDefined()
      expect(cmd!.method).toBe(round)
      expect(cmd!.body.equals(body), `round ${round}: body differs`).toBe(true)
      expect(a.isIdle).toBe(true)
    }
  })

  it('keeps its own copy of the properties and of a single-frame body', () => {
    const a = new ContentAssembler<string>(MAX_BODY)
    a.start('m')
    const h = header(3)
    a.header(h)
    h.fill(0)
    const frame = Buffer.from('abc')
    const cmd = a.body(frame)!
    frame.fill(0)
    expect(cmd.body.toString()).toBe('abc')
    expect(cmd.properties.equals(PROPERTIES)).toBe(true)
  })

  it('accepts empty body frames without completing early', () => {
    const a = new ContentAssembler<string>(MAX_BODY)
    a.start('m')
    a.header(header(2))
    expect(a.body(Buffer.alloc(0))).toBeUndefined()
    expect(a.body(Buffer.from('a'))).toBeUndefined()
    expect(a.body(Buffer.alloc(0))).toBeUndefined()
    expect(a.body(Buffer.from('b'))!.body.toString()).toBe('ab')
  })

  it('reads the body size as 64 bits (a high word of 1 is not a small body)', () => {
    const a = new ContentAssembler<string>(Number.MAX_SAFE_INTEGER)
    a.start('m')
    expect(a.header(header(2 ** 32 + 3))).toBeUndefined()
    expect(a.body(Buffer.from('abc'))).toBeUndefined()
  })

  it('assembles one command after another on the same channel', () => {
    const a = new ContentAssembler<string>(MAX_BODY)
    for (const text of ['one', '', 'three']) {
      a.start(text)
      const cmd = a.header(header(text.length)) ?? a.body(Buffer.from(text))
      expect(cmd!.method).toBe(text)
      expect(cmd!.body.toString()).toBe(text)
    }
  })

  it('rejects a header before any method with 505 UNEXPECTED_FRAME', () => {
    const a = new ContentAssembler<string>(MAX_BODY)
    expectAmqpError(() => a.header(header(1)), 505)
  })

  it('rejects a body before any method with 505', () => {
    const a = new ContentAssembler<string>(MAX_BODY)
    expectAmqpError(() => a.body(Buffer.from('x')), 505)
  })

  it('rejects a body between the method and its header with 505', () => {
    const a = new ContentAssembler<string>(MAX_BODY)
    a.start('m')
    expectAmqpError(() => a.body(Buffer.from('x')), 505)
  })

  it('rejects a second header while the body is still expected with 505', () => {
    const a = new ContentAssembler<string>(MAX_BODY)
    a.start('m')
    a.header(header(4))
    a.body(Buffer.from('ab'))
    expectAmqpError(() => a.header(header(4)), 505)
  })

  it("refuses a body longer than the header declared with 505, in one frame or summed over frames (RabbitMQ)", () => {
    const one = new ContentAssembler<string>(MAX_BODY)
    one.start('m')
    one.header(header(3))
    expectAmqpError(() => one.body(Buffer.from('abcd')), 505)

    const many = new ContentAssembler<string>(MAX_BODY)
    many.start('m')
    many.header(header(3))
    expect(many.body(Buffer.from('ab'))).toBeUndefined()
    expectAmqpError(() => many.body(Buffer.from('cd')), 505)
  })

  it('refuses a content header too short to hold class, weight, size and flags with 501', () => {
    const a = new ContentAssembler<string>(MAX_BODY)
    a.start('m')
    expectAmqpError(() => a.header(header(0).subarray(0, 13)), 501)
  })

  it('refuses a declared body size above its limit (an AmqpError, before any body arrives)', () => {
    const a = new ContentAssembler<string>(1024)
    a.start('m')
    expectAmqpError(() => a.header(header(1025)))
    const b = new ContentAssembler<string>(1024)
    b.start('m')
    expect(b.header(header(1024))).toBeUndefined()
  })

  it('drops a half-assembled command on reset', () => {
    const a = new ContentAssembler<string>(MAX_BODY)
    a.start('old')
    a.header(header(10))
    a.body(Buffer.from('12345'))
    a.reset()
    expect(a.isIdle).toBe(true)
    expectAmqpError(() => a.body(Buffer.from('67890')), 505)
    a.start('new')
    const cmd = a.header(header(2)) ?? a.body(Buffer.from('ok'))
    expect(cmd!.method).toBe('new')
    expect(cmd!.body.toString()).toBe('ok')
  })
})
