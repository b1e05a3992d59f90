// Connection class: protocol header variants, authentication (PLAIN, AMQPLAIN), tune edge cases,
// vhosts, heartbeats, and every connection method in both directions.
import { CLIENT_PROPERTIES, PROTOCOL_HEADER, type RawClient } from '../raw-client.js'
import { scenario, type Scenario, type ScenarioContext } from '../scenario.js'
import { Typed, type FieldTable } from '../../src/wire/field-table.js'
import { CLOSE_OK } from './helpers.js'

/** Sends a protocol header; if the broker starts a connection, logs in and closes; records it all. */
const header = (name: string, bytes: string, about: string): Scenario =>
  scenario('connection', name, about, async (t) => {
    const c = await t.connect()
    c.writeRaw(bytes)
    if ((await c.outcome(0, 'connection.start')) !== 'connection.start') return
    c.send(0, 'connection.start-ok', { clientProperties: CLIENT_PROPERTIES, mechanism: 'PLAIN', response: plain('guest', 'guest') })
    if ((await c.outcome(0, 'connection.tune')) !== 'connection.tune') return
    await tuneAndOpen(c, {})
    if ((await c.outcome(0, 'connection.open-ok')) !== 'connection.open-ok') return
    // Stop here: 0-8 numbers connection.close differently, so closing would test the wrong thing.
    c.destroy()
  })

/** Header and start-ok with a given mechanism and response, then tune/open as far as the broker allows. */
async function login(t: ScenarioContext, mechanism: string, response: Buffer, clientProperties: FieldTable = CLIENT_PROPERTIES): Promise<RawClient> {
  const c = await t.connect()
  c.writeRaw(PROTOCOL_HEADER)
  await c.expect(0, 'connection.start')
  c.send(0, 'connection.start-ok', { clientProperties, mechanism, response })
  return c
}

/** Completes tune-ok (with the given values) and open after start-ok. */
async function tuneAndOpen(c: RawClient, tune: { channelMax?: number; frameMax?: number; heartbeat?: number }, vhost = '/'): Promise<void> {
  const proposed = c.lastTune ?? (await c.expect(0, 'connection.tune'))
  c.send(0, 'connection.tune-ok', {
    channelMax: tune.channelMax ?? proposed.args.channelMax, frameMax: tune.frameMax ?? proposed.args.frameMax, heartbeat: tune.heartbeat ?? 0,
  })
  c.send(0, 'connection.open', { virtualHost: vhost })
}

const plain = (user: string, pass: string) => Buffer.from(`\0${user}\0${pass}`)

/** AMQPLAIN's response: a field table without its length prefix. */
function amqplain(user: string, pass: string): Buffer {
  const entry = (k: string, v: string) => {
    const kb = Buffer.from(k), vb = Buffer.from(v)
    const b = Buffer.alloc(1 + kb.length + 1 + 4 + vb.length)
    b[0] = kb.length
    kb.copy(b, 1)
    b[1 + kb.length] = 'S'.charCodeAt(0)
    b.writeUInt32BE(vb.length, 2 + kb.length)
    vb.copy(b, 6 + kb.length)
    return b
  }
  return Buffer.concat([entry('LOGIN', user), entry('PASSWORD', pass)])
}

export const connectionScenarios: Scenario[] = [
  scenario('connection', 'connection-handshake-full', 'AMQP 0-9-1 header: connection.start (server properties, mechanisms, locales), tune proposal, open-ok, close-ok', async (t) => {
    const c = await login(t, 'PLAIN', plain('guest', 'guest'))
    await tuneAndOpen(c, {})
    await c.expect(0, 'connection.open-ok')
    await c.close()
  }),
  header('header-amqp-0-9-1', 'AMQP\x00\x00\x09\x01', 'the AMQP 0-9-1 header starts a connection'),
  header('header-amqp-0-9-legacy', 'AMQP\x01\x01\x00\x09', 'the AMQP 0-9 header (1,1,0,9)'),
  header('header-amqp-0-8', 'AMQP\x01\x01\x08\x00', 'the AMQP 0-8 header (1,1,8,0)'),
  header('header-amqp-0-9-1-old-style', 'AMQP\x01\x01\x09\x01', 'the 0-9-1 version written in the old (class 1, instance 1) style'),
  header('header-amqp-1-0', 'AMQP\x00\x01\x00\x00', 'an AMQP 1.0 header'),
  header('header-amqp-1-0-sasl', 'AMQP\x03\x01\x00\x00', 'an AMQP 1.0 SASL header'),
  header('header-amqp-0-10', 'AMQP\x01\x01\x00\x0a', 'an AMQP 0-10 header'),
  header('header-amqp-0-9-2', 'AMQP\x00\x00\x09\x02', 'an unknown 0-9 revision'),
  header('header-http-get', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', 'an HTTP request instead of AMQP'),
  header('header-garbage-8-bytes', '\x01\x02\x03\x04\x05\x06\x07\x08', 'eight arbitrary bytes'),
  header('header-lowercase-amqp', 'amqp\x00\x00\x09\x01', 'the header with a lowercase name'),
  scenario('connection', 'header-then-frame-in-one-write', 'the protocol header and a start-ok in the same TCP write are processed in order', async (t) => {
    const c = await t.connect()
    c.writeRaw(PROTOCOL_HEADER)
    await c.expect(0, 'connection.start')
    c.send(0, 'connection.start-ok', { clientProperties: CLIENT_PROPERTIES, mechanism: 'PLAIN', response: plain('guest', 'guest') })
    const tune = await c.expect(0, 'connection.tune')
    c.send(0, 'connection.tune-ok', { channelMax: tune.args.channelMax, frameMax: tune.args.frameMax, heartbeat: 0 })
    c.send(0, 'connection.open', { virtualHost: '/' })
    c.send(1, 'channel.open')
    await c.expect(1, 'channel.open-ok')
    await c.close()
  }),
  scenario('connection', 'auth-plain-bad-password', 'wrong password with authentication_failure_close: connection.close 403 then socket closed', async (t) => {
    const c = await login(t, 'PLAIN', plain('guest', 'wrong'))
    await c.outcome(0)
  }),
  scenario('connection', 'auth-plain-unknown-user', 'unknown user with authentication_failure_close: 403', async (t) => {
    const c = await login(t, 'PLAIN', plain('nobody-here', 'guest'))
    await c.outcome(0)
  }),
  scenario('connection', 'auth-plain-bad-password-no-capability', 'wrong password from a client without authentication_failure_close: the socket is just closed', async (t) => {
    const c = await login(t, 'PLAIN', plain('guest', 'wrong'), { product: 'old client' })
    await c.outcome(0)
  }),
  scenario('connection', 'auth-plain-malformed-response', 'a PLAIN response without NUL separators', async (t) => {
    const c = await login(t, 'PLAIN', Buffer.from('guestguest'))
    await c.outcome(0)
  }),
  scenario('connection', 'auth-plain-empty-response', 'an empty PLAIN response', async (t) => {
    const c = await login(t, 'PLAIN', Buffer.alloc(0))
    await c.outcome(0)
  }),
  scenario('connection', 'auth-amqplain-ok', 'AMQPLAIN login (LOGIN/PASSWORD table without length prefix) succeeds', async (t) => {
    const c = await login(t, 'AMQPLAIN', amqplain('guest', 'guest'))
    await tuneAndOpen(c, {})
    await c.expect(0, 'connection.open-ok')
    await c.close()
  }),
  scenario('connection', 'auth-amqplain-bad-password', 'AMQPLAIN with a wrong password: 403', async (t) => {
    const c = await login(t, 'AMQPLAIN', amqplain('guest', 'nope'))
    await c.outcome(0)
  }),
  scenario('connection', 'auth-amqplain-malformed', 'AMQPLAIN response that is not a table', async (t) => {
    const c = await login(t, 'AMQPLAIN', Buffer.from([0xff, 0x01]))
    await c.outcome(0)
  }),
  scenario('connection', 'auth-unknown-mechanism', 'a mechanism the server did not offer', async (t) => {
    const c = await login(t, 'CRAM-MD5', plain('guest', 'guest'))
    await c.outcome(0)
  }),
  scenario('connection', 'auth-external-not-offered', 'EXTERNAL without TLS client certificates', async (t) => {
    const c = await login(t, 'EXTERNAL', Buffer.alloc(0))
    await c.outcome(0)
  }),
  scenario('connection', 'tune-frame-max-below-minimum', 'tune-ok frame-max 1024 (< 4096): connection error', async (t) => {
    const c = await login(t, 'PLAIN', plain('guest', 'guest'))
    await tuneAndOpen(c, { frameMax: 1024 })
    await c.outcome(0)
  }),
  scenario('connection', 'tune-frame-max-zero', 'tune-ok frame-max 0 (no limit) against a server limit', async (t) => {
    const c = await login(t, 'PLAIN', plain('guest', 'guest'))
    await tuneAndOpen(c, { frameMax: 0 })
    await c.outcome(0)
  }),
  scenario('connection', 'tune-frame-max-above-server', 'tune-ok frame-max larger than the server proposed', async (t) => {
    const c = await login(t, 'PLAIN', plain('guest', 'guest'))
    await tuneAndOpen(c, { frameMax: 1_000_000 })
    await c.outcome(0)
  }),
  scenario('connection', 'tune-frame-max-4096', 'tune-ok frame-max exactly 4096 is accepted', async (t) => {
    const c = await login(t, 'PLAIN', plain('guest', 'guest'))
    await tuneAndOpen(c, { frameMax: 4096 })
    await c.expect(0, 'connection.open-ok')
    await c.close()
  }),
  scenario('connection', 'tune-channel-max-zero', 'tune-ok channel-max 0 is accepted, channels still open', async (t) => {
    const c = await login(t, 'PLAIN', plain('guest', 'guest'))
    await tuneAndOpen(c, { channelMax: 0 })
    if ((await c.outcome(0, 'connection.open-ok')) !== 'connection.open-ok') return
    await c.openChannel(1)
    await c.close()
  }),
  scenario('connection', 'tune-channel-max-above-server', 'tune-ok channel-max above the server proposal', async (t) => {
    const c = await login(t, 'PLAIN', plain('guest', 'guest'))
    await tuneAndOpen(c, { channelMax: 60000 })
    await c.outcome(0)
  }),
  scenario('connection', 'tune-channel-max-exceeded', 'with channel-max 2, opening channel 3 is a connection error', async (t) => {
    const c = await t.open({ channelMax: 2, channel: 0 })
    await c.openChannel(1)
    await c.openChannel(2)
    c.send(3, 'channel.open')
    await c.outcome(0)
  }),
  scenario('connection', 'channel-ids-above-channel-max', 'channel-max limits how many channels are open, not their numbers: 2047, 2048 and 65535 open', async (t) => {
    const c = await t.open({ channel: 0 })
    await c.openChannel(2047)
    await c.openChannel(2048)
    await c.openChannel(65535)
    await c.close()
  }),
  scenario('connection', 'tune-heartbeat-zero', 'heartbeat 0: no heartbeats; a full round trip works', async (t) => {
    const c = await t.open({ heartbeat: 0 })
    await c.call(1, 'basic.qos', { prefetchCount: 1 })
    await c.close()
  }),
  scenario('connection', 'tune-heartbeat-1-server-sends', 'heartbeat 1: the server sends heartbeat frames on channel 0', async (t) => {
    const c = await t.open({ heartbeat: 1 })
    await c.expectHeartbeat(4000)
    c.recordHeartbeats = false
    await c.close()
  }, 20_000),
  scenario('connection', 'client-heartbeat-accepted', 'heartbeat frames from the client are accepted silently', async (t) => {
    const c = await t.open()
    c.sendFrame(8, 0, Buffer.alloc(0))
    c.sendFrame(8, 0, Buffer.alloc(0))
    await c.call(1, 'basic.qos', { prefetchCount: 1 })
    await c.close()
  }),
  scenario('connection', 'tune-ok-heartbeat-larger', 'tune-ok heartbeat above the server proposal is accepted', async (t) => {
    const c = await login(t, 'PLAIN', plain('guest', 'guest'))
    await tuneAndOpen(c, { heartbeat: 600 })
    await c.expect(0, 'connection.open-ok')
    c.recordHeartbeats = false
    await c.close()
  }),
  scenario('connection', 'open-unknown-vhost', 'connection.open to a vhost that does not exist', async (t) => {
    const c = await login(t, 'PLAIN', plain('guest', 'guest'))
    await tuneAndOpen(c, {}, 'no-such-vhost')
    await c.outcome(0)
  }),
  scenario('connection', 'open-with-capabilities-and-insist', 'connection.open with legacy capabilities and insist set', async (t) => {
    const c = await login(t, 'PLAIN', plain('guest', 'guest'))
    const tune = await c.expect(0, 'connection.tune')
    c.send(0, 'connection.tune-ok', { channelMax: tune.args.channelMax, frameMax: tune.args.frameMax, heartbeat: 0 })
    c.send(0, 'connection.open', { virtualHost: '/', capabilities: 'x', insist: true })
    await c.expect(0, 'connection.open-ok')
    await c.close()
  }),
  scenario('connection', 'open-before-tune-ok', 'connection.open without tune-ok first', async (t) => {
    const c = await login(t, 'PLAIN', plain('guest', 'guest'))
    await c.expect(0, 'connection.tune')
    c.send(0, 'connection.open', { virtualHost: '/' })
    await c.outcome(0)
  }),
  scenario('connection', 'channel-open-before-connection-open', 'channel.open after tune-ok but before connection.open', async (t) => {
    const c = await login(t, 'PLAIN', plain('guest', 'guest'))
    const tune = await c.expect(0, 'connection.tune')
    c.send(0, 'connection.tune-ok', { channelMax: tune.args.channelMax, frameMax: tune.args.frameMax, heartbeat: 0 })
    c.send(1, 'channel.open')
    await c.outcome(0)
  }),
  scenario('connection', 'start-ok-twice', 'a second connection.start-ok after the handshake', async (t) => {
    const c = await t.open({ channel: 0 })
    c.send(0, 'connection.start-ok', { clientProperties: {}, mechanism: 'PLAIN', response: plain('guest', 'guest') })
    await c.outcome(0)
  }),
  scenario('connection', 'tune-ok-after-open', 'connection.tune-ok after the connection is open', async (t) => {
    const c = await t.open({ channel: 0 })
    c.send(0, 'connection.tune-ok', { channelMax: 10, frameMax: 131072, heartbeat: 0 })
    await c.outcome(0)
  }),
  scenario('connection', 'open-twice', 'a second connection.open on an open connection', async (t) => {
    const c = await t.open({ channel: 0 })
    c.send(0, 'connection.open', { virtualHost: '/' })
    await c.outcome(0)
  }),
  scenario('connection', 'client-sends-connection-start', 'the server-only method connection.start sent by a client', async (t) => {
    const c = await t.open({ channel: 0 })
    c.send(0, 'connection.start', { serverProperties: {}, mechanisms: 'PLAIN', locales: 'en_US' })
    await c.outcome(0)
  }),
  scenario('connection', 'client-sends-connection-secure', 'connection.secure (server-only) sent by a client', async (t) => {
    const c = await t.open({ channel: 0 })
    c.send(0, 'connection.secure', { challenge: 'x' })
    await c.outcome(0)
  }),
  scenario('connection', 'client-sends-secure-ok-unsolicited', 'connection.secure-ok without a challenge', async (t) => {
    const c = await t.open({ channel: 0 })
    c.send(0, 'connection.secure-ok', { response: 'x' })
    await c.outcome(0)
  }),
  scenario('connection', 'secure-ok-during-login', 'connection.secure-ok instead of start-ok', async (t) => {
    const c = await t.connect()
    c.writeRaw(PROTOCOL_HEADER)
    await c.expect(0, 'connection.start')
    c.send(0, 'connection.secure-ok', { response: plain('guest', 'guest') })
    await c.outcome(0)
  }),
  scenario('connection', 'client-sends-connection-tune', 'connection.tune (server-only) sent by a client', async (t) => {
    const c = await t.open({ channel: 0 })
    c.send(0, 'connection.tune', { channelMax: 1, frameMax: 4096, heartbeat: 0 })
    await c.outcome(0)
  }),
  scenario('connection', 'client-sends-open-ok', 'connection.open-ok (server-only) sent by a client', async (t) => {
    const c = await t.open({ channel: 0 })
    c.send(0, 'connection.open-ok')
    await c.outcome(0)
  }),
  scenario('connection', 'client-sends-connection-blocked', 'connection.blocked sent by a client', async (t) => {
    const c = await t.open({ channel: 0 })
    c.send(0, 'connection.blocked', { reason: 'testing' })
    await c.outcome(0)
  }),
  scenario('connection', 'client-sends-connection-unblocked', 'connection.unblocked sent by a client', async (t) => {
    const c = await t.open({ channel: 0 })
    c.send(0, 'connection.unblocked')
    await c.outcome(0)
  }),
  scenario('connection', 'update-secret-plain', 'connection.update-secret on a PLAIN (internal backend) login', async (t) => {
    const c = await t.open({ channel: 0 })
    c.send(0, 'connection.update-secret', { newSecret: 'guest', reason: 'rotate' })
    await c.outcome(0, 'connection.update-secret-ok')
  }),
  scenario('connection', 'client-sends-update-secret-ok', 'connection.update-secret-ok (server-only) sent by a client', async (t) => {
    const c = await t.open({ channel: 0 })
    c.send(0, 'connection.update-secret-ok')
    await c.outcome(0)
  }),
  scenario('connection', 'client-close-ok-unsolicited', 'connection.close-ok when the server never sent close', async (t) => {
    const c = await t.open({ channel: 0 })
    c.send(0, 'connection.close-ok')
    await c.outcome(0)
  }),
  scenario('connection', 'client-close-with-error-code', 'the client closes with its own error code: close-ok', async (t) => {
    const c = await t.open()
    await c.call(0, 'connection.close', { replyCode: 541, replyText: 'client failure', classId: 60, methodId: 40 })
    c.destroy()
  }),
  scenario('connection', 'close-with-open-channels', 'connection.close with three channels open and a consumer', async (t) => {
    const c = await t.open()
    await c.openChannel(2)
    await c.openChannel(3)
    const q = t.q()
    await c.call(2, 'queue.declare', { queue: q, exclusive: true })
    await c.call(2, 'basic.consume', { queue: q, consumerTag: 'ct' })
    await c.close()
  }),
  scenario('connection', 'methods-after-close-sent', 'after connection.close the server ignores other methods until close-ok', async (t) => {
    const c = await t.open()
    c.send(0, 'connection.close', CLOSE_OK)
    c.send(1, 'queue.declare', { queue: t.q() })
    await c.expect(0, 'connection.close-ok')
    c.destroy()
  }),
  scenario('connection', 'methods-after-server-close', 'after the server sent connection.close, other methods are discarded until close-ok', async (t) => {
    const c = await t.open({ channel: 0 })
    c.send(0, 'connection.open', { virtualHost: '/' })
    await c.expect(0, 'connection.close')
    c.send(1, 'channel.open')
    c.send(0, 'connection.close-ok')
    await c.closed()
  }),
  scenario('connection', 'close-on-channel-nonzero', 'connection.close sent on channel 1', async (t) => {
    const c = await t.open()
    c.send(1, 'connection.close', CLOSE_OK)
    await c.outcome(0)
  }),
  scenario('connection', 'channel-method-on-channel-zero', 'channel.open on channel 0', async (t) => {
    const c = await t.open({ channel: 0 })
    c.send(0, 'channel.open')
    await c.outcome(0)
  }),
  scenario('connection', 'queue-method-on-channel-zero', 'queue.declare on channel 0', async (t) => {
    const c = await t.open({ channel: 0 })
    c.send(0, 'queue.declare', { queue: t.q() })
    await c.outcome(0)
  }),
  scenario('connection', 'start-ok-client-properties-types', 'client properties with every field type are accepted', async (t) => {
    const props: FieldTable = {
      ...CLIENT_PROPERTIES,
      byte: new Typed('b', -1), ubyte: new Typed('B', 255), short: new Typed('s', -2), ushort: new Typed('u', 65535),
      int: new Typed('I', -3), uint: new Typed('i', 4_000_000_000), long: new Typed('l', -5n), float: new Typed('f', 1.5),
      double: new Typed('d', 2.25), decimal: new Typed('D', { scale: 2, value: 314 }), ts: new Typed('T', 1_700_000_000),
      str: 'text', bytes: Buffer.from([1, 2]), arr: [1, 'a', true], tbl: { a: 1 }, nothing: null,
    }
    const c = await t.connect()
    await c.handshake({ clientProperties: props })
    await c.close()
  }),
  scenario('connection', 'start-ok-bad-locale', 'start-ok with a locale the server did not offer', async (t) => {
    const c = await t.connect()
    c.writeRaw(PROTOCOL_HEADER)
    await c.expect(0, 'connection.start')
    c.send(0, 'connection.start-ok', { clientProperties: CLIENT_PROPERTIES, mechanism: 'PLAIN', response: plain('guest', 'guest'), locale: 'fr_FR' })
    if ((await c.outcome(0, 'connection.tune')) !== 'connection.tune') return
    await tuneAndOpen(c, {})
    await c.outcome(0, 'connection.open-ok')
  }),
]
