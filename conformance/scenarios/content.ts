// Content framing and frame-level errors: body splitting at frame-max, empty bodies, all
// properties, interleaved channels, and every malformed or out-of-order frame we can hand-make.
import { scenario, type Scenario } from '../scenario.js'
import { frameBytes, headerPayload, methodPayload, type RawClient } from '../raw-client.js'
import { declareQueue, get, publish } from './helpers.js'

/** A body of n bytes, deterministic and not text-compressible by accident. */
const body = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + 7) % 251))

/** Opens a connection (frame-max given or the server's), a private queue, and returns both. */
async function setup(t: Parameters<Scenario['run']>[0], frameMax?: number): Promise<{ c: RawClient; q: string }> {
  const c = await t.open(frameMax ? { frameMax } : {})
  const q = t.q()
  await declareQueue(c, 1, q, { exclusive: true })
  return { c, q }
}

const roundTrip = (name: string, about: string, size: number, frameMax?: number, step?: number): Scenario =>
  scenario('content', name, about, async (t) => {
    const { c, q } = await setup(t, frameMax)
    c.publish(1, { routingKey: q }, body(size), {}, step ? { frameBytes: step } : {})
    await get(c, 1, q, true)
    await c.close()
  })

/**
 * Sends the given raw bytes after the handshake, then waits for a close (or one of `ok`). With
 * `sync`, a basic.qos follows, for frames the broker might silently accept.
 */
const rawError = (name: string, about: string, bytes: (q: string) => Buffer, o: { frameMax?: number; ok?: string[]; sync?: boolean } = {}): Scenario =>
  scenario('content', name, about, async (t) => {
    const { c, q } = await setup(t, o.frameMax)
    c.writeRaw(bytes(q))
    if (o.sync) c.send(1, 'basic.qos', { prefetchCount: 1 })
    await c.outcome(1, o.sync ? ['basic.qos-ok'] : o.ok ?? [])
  })

const pub = (q: string) => methodPayload('basic.publish', { routingKey: q })

export const contentScenarios: Scenario[] = [
  roundTrip('content-empty-body', 'an empty body: header with body-size 0 and no body frame, both ways', 0),
  roundTrip('content-one-byte', 'a 1-byte body', 1),
  roundTrip('content-body-exactly-frame-max-minus-8', 'with frame-max 4096, a 4088-byte body travels in one body frame', 4088, 4096),
  roundTrip('content-body-frame-max-minus-7', 'with frame-max 4096, a 4089-byte body needs two body frames', 4089, 4096),
  roundTrip('content-body-many-frames', 'a 100000-byte body at frame-max 4096: split into 25 frames by the server', 100_000, 4096),
  roundTrip('content-body-default-frame-max', 'a 300000-byte body at the default frame-max 131072', 300_000),
  roundTrip('content-body-tiny-frames', 'the client may split a body into 7-byte frames; the server re-splits at frame-max', 100, undefined, 7),
  scenario('content', 'content-all-properties', 'a header with all fourteen basic properties set round-trips', async (t) => {
    const { c, q } = await setup(t)
    publish(c, 1, q, 'props', {
      contentType: 'application/json', contentEncoding: 'gzip', headers: { h: 'v', n: 1 }, deliveryMode: 2, priority: 7,
      correlationId: 'corr-1', replyTo: 'reply.q', expiration: '60000', messageId: 'msg-1', timestamp: 1_700_000_000,
      type: 'test.type', userId: 'guest', appId: 'conformance', clusterId: 'cluster-x',
    })
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('content', 'content-user-id-mismatch', 'user-id other than the logged-in user: 406', async (t) => {
    const { c, q } = await setup(t)
    publish(c, 1, q, 'spoof', { userId: 'someone-else' })
    await c.outcome(1, [])
  }),
  scenario('content', 'content-unicode-properties', 'UTF-8 in short-string properties', async (t) => {
    const { c, q } = await setup(t)
    publish(c, 1, q, 'ünïcödé body ✓', { contentType: 'text/plain; charset=ütf-8', messageId: 'id-✓' })
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('content', 'content-interleaved-channels', 'content frames of two channels may interleave', async (t) => {
    const { c, q } = await setup(t)
    const q2 = t.q('2')
    await c.openChannel(2)
    await declareQueue(c, 1, q2, { exclusive: true })
    c.writeRaw(Buffer.concat([
      frameBytes(1, 1, pub(q)), frameBytes(1, 2, pub(q2)),
      frameBytes(2, 1, headerPayload(3)), frameBytes(2, 2, headerPayload(3)),
      frameBytes(3, 2, Buffer.from('two')), frameBytes(3, 1, Buffer.from('one')),
    ]))
    await get(c, 1, q, true)
    await get(c, 2, q2, true)
    await c.close()
  }),
  scenario('content', 'content-pipelined-publishes', 'publishes in one write are enqueued in order', async (t) => {
    const { c, q } = await setup(t)
    for (let i = 1; i <= 5; i++) publish(c, 1, q, `p${i}`)
    for (let i = 1; i <= 5; i++) await get(c, 1, q, true)
    await c.close()
  }),
  rawError('content-header-without-method', 'a content header with no basic.publish before it', () => frameBytes(2, 1, headerPayload(3))),
  rawError('content-body-without-header', 'basic.publish followed directly by a body frame', (q) => Buffer.concat([frameBytes(1, 1, pub(q)), frameBytes(3, 1, Buffer.from('abc'))])),
  rawError('content-body-without-method', 'a body frame on a channel with no content pending', () => frameBytes(3, 1, Buffer.from('abc'))),
  rawError('content-method-instead-of-header', 'basic.publish followed by another method instead of the header', (q) =>
    Buffer.concat([frameBytes(1, 1, pub(q)), frameBytes(1, 1, methodPayload('basic.qos', { prefetchCount: 1 }))])),
  rawError('content-method-during-body', 'a method frame while body frames are still expected', (q) =>
    Buffer.concat([frameBytes(1, 1, pub(q)), frameBytes(2, 1, headerPayload(10)), frameBytes(3, 1, Buffer.from('12345')), frameBytes(1, 1, methodPayload('basic.qos', { prefetchCount: 1 }))])),
  rawError('content-body-longer-than-declared', 'body frames carrying more bytes than the header declared', (q) =>
    Buffer.concat([frameBytes(1, 1, pub(q)), frameBytes(2, 1, headerPayload(3)), frameBytes(3, 1, Buffer.from('too long'))]), { sync: true }),
  rawError('content-body-after-empty-header', 'a body frame after a header declaring body-size 0', (q) =>
    Buffer.concat([frameBytes(1, 1, pub(q)), frameBytes(2, 1, headerPayload(0)), frameBytes(3, 1, Buffer.from('x'))])),
  rawError('content-header-wrong-class', 'a content header naming class 50 after basic.publish', (q) =>
    Buffer.concat([frameBytes(1, 1, pub(q)), frameBytes(2, 1, headerPayload(3, {}, { classId: 50 })), frameBytes(3, 1, Buffer.from('abc'))])),
  rawError('content-header-nonzero-weight', 'a content header with weight 1', (q) =>
    Buffer.concat([frameBytes(1, 1, pub(q)), frameBytes(2, 1, headerPayload(3, {}, { weight: 1 })), frameBytes(3, 1, Buffer.from('abc'))])),
  rawError('content-header-twice', 'two content headers for one publish', (q) =>
    Buffer.concat([frameBytes(1, 1, pub(q)), frameBytes(2, 1, headerPayload(3)), frameBytes(2, 1, headerPayload(3))])),
  rawError('content-header-on-channel-zero', 'a content header on channel 0', () => frameBytes(2, 0, headerPayload(3))),
  rawError('content-body-on-channel-zero', 'a body frame on channel 0', () => frameBytes(3, 0, Buffer.from('abc'))),
  rawError('content-header-truncated', 'a content header payload of 4 bytes', (q) => Buffer.concat([frameBytes(1, 1, pub(q)), frameBytes(2, 1, Buffer.from([0, 60, 0, 0]))])),
  rawError('content-header-bad-property-table', 'a header whose headers table length runs past the payload', (q) => {
    const h = Buffer.alloc(18)
    h.writeUInt16BE(60, 0)
    h.writeUInt32BE(0, 4)
    h.writeUInt32BE(0, 8)
    h.writeUInt16BE(0x2000, 12)
    h.writeUInt32BE(1000, 14)
    return Buffer.concat([frameBytes(1, 1, pub(q)), frameBytes(2, 1, h)])
  }),
  rawError('content-header-huge-body-size', 'a header declaring a body far above the maximum message size', (q) =>
    Buffer.concat([frameBytes(1, 1, pub(q)), frameBytes(2, 1, headerPayload(2 ** 40))]), { sync: true }),
  rawError('content-publish-unopened-channel', 'basic.publish with content on a channel never opened', (q) =>
    Buffer.concat([frameBytes(1, 5, pub(q)), frameBytes(2, 5, headerPayload(1)), frameBytes(3, 5, Buffer.from('x'))])),
  rawError('frame-bad-end-octet', 'a method frame whose end octet is not 0xCE: 501 FRAME_ERROR', () =>
    frameBytes(1, 1, methodPayload('basic.qos', { prefetchCount: 1 }), { end: 0x00 })),
  rawError('frame-oversize', 'a body frame larger than the negotiated frame-max 4096', (q) =>
    Buffer.concat([frameBytes(1, 1, pub(q)), frameBytes(2, 1, headerPayload(5000)), frameBytes(3, 1, body(5000))]), { frameMax: 4096 }),
  rawError('frame-oversize-method', 'a method frame larger than frame-max (huge arguments table)', () =>
    frameBytes(1, 1, methodPayload('queue.declare', { queue: 'cf.oversize', arguments: { big: 'x'.repeat(5000) } })), { frameMax: 4096 }),
  rawError('frame-exactly-frame-max', 'a body frame of exactly frame-max bytes in total is accepted', (q) =>
    Buffer.concat([frameBytes(1, 1, pub(q)), frameBytes(2, 1, headerPayload(4088)), frameBytes(3, 1, body(4088)), frameBytes(1, 1, methodPayload('basic.get', { queue: q, noAck: true }))]), { frameMax: 4096, ok: ['basic.get-ok'] }),
  rawError('frame-unknown-type', 'a frame of type 5', () => frameBytes(5, 1, Buffer.from('abc'))),
  rawError('frame-type-zero', 'a frame of type 0', () => frameBytes(0, 0, Buffer.alloc(0))),
  rawError('frame-heartbeat-on-channel', 'a heartbeat frame on channel 1', () => frameBytes(8, 1, Buffer.alloc(0)), { sync: true }),
  rawError('frame-heartbeat-with-payload', 'a heartbeat frame with a payload', () => frameBytes(8, 0, Buffer.from('hi')), { sync: true }),
  rawError('frame-method-too-short', 'a method frame with a 2-byte payload', () => frameBytes(1, 1, Buffer.from([0, 50]))),
  rawError('frame-method-empty', 'a method frame with an empty payload', () => frameBytes(1, 1, Buffer.alloc(0))),
  rawError('frame-unknown-class', 'a method of class 99', () => frameBytes(1, 1, Buffer.from([0, 99, 0, 10]))),
  rawError('frame-unknown-method', 'method 99 of the queue class', () => frameBytes(1, 1, Buffer.from([0, 50, 0, 99]))),
  rawError('frame-unknown-method-channel-zero', 'method 99 of the connection class on channel 0', () => frameBytes(1, 0, Buffer.from([0, 10, 0, 99]))),
  rawError('frame-truncated-arguments', 'queue.declare whose arguments stop half-way', () => frameBytes(1, 1, methodPayload('queue.declare', { queue: 'cf.truncated' }).subarray(0, 10))),
  rawError('frame-shortstr-overruns', 'a short string length running past the payload', () => frameBytes(1, 1, Buffer.from([0, 50, 0, 10, 0, 0, 200, 65, 66]))),
  scenario('content', 'frame-trailing-bytes', 'a method frame with extra bytes after its arguments', async (t) => {
    const { c } = await setup(t)
    c.sendFrame(1, 1, Buffer.concat([methodPayload('basic.qos', { prefetchCount: 3 }), Buffer.from([1, 2, 3])]))
    await c.outcome(1, 'basic.qos-ok')
  }),
  rawError('frame-bad-table-type', 'queue.declare arguments with an unknown field type tag', () => {
    const p = methodPayload('queue.declare', { queue: 'cf.badtable', arguments: { a: 1 } })
    p[p.length - 5] = 'Z'.charCodeAt(0) // the tag byte before the 4-byte int
    return frameBytes(1, 1, p)
  }),
  rawError('frame-access-request', 'access.request (class 30) still answered by RabbitMQ', () => frameBytes(1, 1, methodPayload('access.request', { realm: '/data' })), { ok: ['access.request-ok'] }),
]
