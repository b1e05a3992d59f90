// The hot-path shortcuts give exactly what the generic codec gives: the basic.publish decoder (with
// its repeated-string reuse), the ASCII shortstr writer, basic.deliver written field by field, and
// property bytes shared between commands only when they are equal, and frames read as spans of their chunk.
import { describe, it, expect } from 'vitest'
import type { Socket } from 'node:net'
import { EventEmitter } from 'node:events'
import { MethodId, decodeMethod, encodeMethodPayload, type Method } from '../../../src/wire/codec.js'
import { PublishDecoder } from '../../../src/wire/publish-decoder.js'
import { ByteWriter } from '../../../src/wire/byte-writer.js'
import { FrameWriter } from '../../../src/wire/frame-writer.js'
import { ContentAssembler } from '../../../src/wire/content-assembler.js'
import { FrameReader } from '../../../src/wire/frame-reader.js'
import { SeededRandom } from '../seeded-random.js'

const SEED = 0x0b11_5eed

function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (e) {
    return e
  }
  throw new Error('expected a throw, but the call returned')
}

function randomKey(r: SeededRandom): string {
  return r.pick(['', 'bench.q', 'a.b.c', 'é-ünïcode-✓', 'x'.repeat(255), 'k'.repeat(64), 'k'.repeat(65)])
}

describe('PublishDecoder', () => {
  it('decodes publishes (repeated and changing keys) exactly as decodeMethod does', () => {
    const r = new SeededRandom(SEED)
    const d = new PublishDecoder()
    let exchange = '', routingKey = ''
    for (let i = 0; i < 2000; i++) {
      if (r.int(0, 3) === 0) exchange = randomKey(r)
      if (r.int(0, 2) === 0) routingKey = randomKey(r)
      const m: Method = { id: MethodId.BasicPublish, args: { ticket: r.int(0, 0xffff), exchange, routingKey, mandatory: r.bool(), immediate: r.bool() } }
      const payload = encodeMethodPayload(m)
      expect(d.decode(payload)).toEqual(decodeMethod(payload))
    }
  })

  it('throws what decodeMethod throws for truncated or overlong publishes, and decodes other methods', () => {
    const d = new PublishDecoder()
    const payload = encodeMethodPayload({ id: MethodId.BasicPublish, args: { ticket: 0, exchange: 'ex', routingKey: 'key', mandatory: false, immediate: false } })
    for (let cut = 0; cut < payload.length; cut++) {
      const bad = payload.subarray(0, cut)
      expect(thrown(() => d.decode(bad))).toEqual(thrown(() => decodeMethod(bad)))
    }
    const long = Buffer.concat([payload, Buffer.from([0])])
    expect(thrown(() => d.decode(long))).toEqual(thrown(() => decodeMethod(long)))
    const ack = encodeMethodPayload({ id: MethodId.BasicAck, args: { deliveryTag: 7, multiple: true } })
    expect(d.decode(ack)).toEqual(decodeMethod(ack))
  })
})

describe('ByteWriter.shortstr', () => {
  it('writes ASCII and non-ASCII strings as length + UTF-8 bytes', () => {
    for (const s of ['', 'a', 'bench.q', 'k'.repeat(64), 'k'.repeat(65), 'ab✓', 'x'.repeat(63) + 'é']) {
      const w = new ByteWriter(1)
      w.shortstr(s)
      const bytes = Buffer.from(s, 'utf8')
      expect(w.takeCopy()).toEqual(Buffer.concat([Buffer.from([bytes.length]), bytes]))
    }
    expect(() => new ByteWriter().shortstr('é'.repeat(128))).toThrow(RangeError)
  })
})

describe('FrameWriter.deliver', () => {
  it('writes the same bytes as content() with a basic.deliver method', () => {
    const written = (fill: (w: FrameWriter) => void): Buffer => {
      const chunks: Buffer[] = []
      const socket = Object.assign(new EventEmitter(), {
        destroyed: false, writableLength: 0, cork() {}, uncork() {},
        write(b: Buffer) { chunks.push(Buffer.from(b)); return true },
      }) as unknown as Socket
      const w = new FrameWriter(socket, 4096, 1 << 20, () => {})
      fill(w)
      w.flush()
      return Buffer.concat(chunks)
    }
    const props = Buffer.from([0x10, 0x00, 2])
    for (const body of [Buffer.alloc(0), Buffer.from('hello'), Buffer.alloc(10_000, 7)]) {
      const args = { consumerTag: 'ctag-✓', deliveryTag: 2 ** 40 + 3, redelivered: true, exchange: 'amq.topic', routingKey: 'a.b' }
      expect(written((w) => w.deliver(3, args.consumerTag, args.deliveryTag, args.redelivered, args.exchange, args.routingKey, props, body)))
        .toEqual(written((w) => w.content(3, { id: MethodId.BasicDeliver, args }, props, body)))
    }
  })
})

describe('ContentAssembler property bytes', () => {
  const header = (props: number[], bodySize = 0) => {
    const b = Buffer.alloc(12 + props.length)
    b.writeUInt16BE(60, 0)
    b.writeUInt32BE(bodySize, 8)
    Buffer.from(props).copy(b, 12)
    return b
  }

  it('shares equal property bytes between commands and copies different ones', () => {
    const a = new ContentAssembler<string>(1 << 20)
    a.start('m1')
    const first = a.header(header([0x10, 0x00, 2]))!
    a.start('m2')
    const second = a.header(header([0x10, 0x00, 2]))!
    a.start('m3')
    const third = a.header(header([0x10, 0x00, 1]))!
    expect(second.properties).toBe(first.properties)
    expect(third.properties).not.toBe(first.properties)
    expect([...first.properties]).toEqual([0x10, 0x00, 2])
    expect([...third.properties]).toEqual([0x10, 0x00, 1])
  })

  it('does not keep a view of the frame it was given', () => {
    const a = new ContentAssembler<string>(1 << 20)
    const frame = header([0x10, 0x00, 2])
    a.start('m')
    const c = a.header(frame)!
    frame.fill(0)
    expect([...c.properties]).toEqual([0x10, 0x00, 2])
  })
})

describe('FrameReader spans', () => {
  it('hands over the same frames as payload views, however the stream is split', () => {
    const frame = (type: number, channel: number, payload: Buffer) => {
      const b = Buffer.alloc(8 + payload.length)
      b[0] = type
      b.writeUInt16BE(channel, 1)
      b.writeUInt32BE(payload.length, 3)
      payload.copy(b, 7)
      b[7 + payload.length] = 0xce
      return b
    }
    const stream = Buffer.concat([frame(1, 1, Buffer.from('method')), frame(2, 1, Buffer.alloc(14, 1)), frame(3, 1, Buffer.alloc(300, 2)), frame(8, 0, Buffer.alloc(0))])
    for (let cut = 0; cut <= stream.length; cut++) {
      const viaViews: string[] = [], viaSpans: string[] = []
      const views = new FrameReader((t, c, p) => viaViews.push(`${t}/${c}/${p.toString('hex')}`), 4096)
      const spans = new FrameReader(undefined, 4096, (t, c, b, s, e) => viaSpans.push(`${t}/${c}/${b.toString('hex', s, e)}`))
      for (const r of [views, spans]) {
        r.push(stream.subarray(0, cut))
        r.push(stream.subarray(cut))
      }
      expect(viaSpans).toEqual(viaViews)
      expect(viaSpans.length).toBe(4)
    }
  })
})
