// A frame-level AMQP client for the conformance suite: sends exactly the bytes a scenario asks for
// (protocol headers, methods with spec defaults filled in, content split at any size, hand-made bad
// frames) and records everything the broker sends back as JSON transcript entries. Waits are
// event-driven with timeouts; it never sleeps and never interprets what it records.
import { connect as netConnect, type Socket } from 'node:net'
import { METHODS, FrameType, encodeMethodPayload, encodeProperties, type BasicProperties, type Method } from '../src/wire/codec.js'
import type { FieldTable } from '../src/wire/field-table.js'
import { decodeHeaderJson, decodeMethodJson, bodyJson, bytesJson, isMethod, type Entry, type MethodEntry, type Json } from './transcript.js'

export const PROTOCOL_HEADER = Buffer.from('AMQP\x00\x00\x09\x01', 'latin1')
export const DEFAULT_TIMEOUT_MS = 3000
/** Longer: RabbitMQ waits 3 s before silently closing a connection that failed its handshake. */
export const OUTCOME_TIMEOUT_MS = 6000

/** The client properties every scenario sends unless it says otherwise (amqplib-like capabilities). */
export const CLIENT_PROPERTIES: FieldTable = {
  product: 'warren-conformance',
  capabilities: {
    publisher_confirms: true, exchange_exchange_bindings: true, 'basic.nack': true, consumer_cancel_notify: true,
    'connection.blocked': true, authentication_failure_close: true, per_consumer_qos: true,
  },
}

/** Thrown by a wait that cannot succeed (the broker closed instead, or stayed silent). */
export class ScenarioAbort extends Error {}

export interface Credentials { username: string; password: string; vhost: string }

export interface HandshakeOptions {
  username?: string
  password?: string
  vhost?: string
  mechanism?: string
  /** The SASL response as sent; PLAIN `\0user\0pass` by default. */
  response?: Buffer | string
  clientProperties?: FieldTable
  channelMax?: number
  frameMax?: number
  heartbeat?: number
}

export type Args = { [field: string]: unknown }

const BY_NAME = new Map([...METHODS.values()].map((m) => [m.name, m]))

/** A value for a field nobody gave and the spec gives no default for. */
function zeroOf(type: string): unknown {
  switch (type) {
    case 'shortstr': return ''
    case 'longstr': return Buffer.alloc(0)
    case 'bit': return false
    case 'table': return {}
    default: return 0
  }
}

/** A method frame's payload from a name and partial arguments; missing fields take METHODS defaults. */
export function methodPayload(name: string, args: Args = {}): Buffer {
  const info = BY_NAME.get(name)
  if (!info) throw new Error(`no method ${name}`)
  const known = new Set(info.fields.map((f) => f[0]))
  for (const k of Object.keys(args)) if (!known.has(k)) throw new Error(`${name} has no field ${k}`)
  const full: Record<string, unknown> = {}
  for (const [field, type, dflt] of info.fields) {
    let v = args[field] ?? dflt ?? zeroOf(type)
    if (type === 'longstr' && typeof v === 'string') v = Buffer.from(v, 'latin1')
    full[field] = v
  }
  return encodeMethodPayload({ id: info.id, args: full } as unknown as Method)
}

/** One frame around a payload: type, channel, size, payload, end octet (each overridable). */
export function frameBytes(type: number, channel: number, payload: Buffer, o: { end?: number; size?: number } = {}): Buffer {
  const out = Buffer.alloc(8 + payload.length)
  out[0] = type
  out.writeUInt16BE(channel, 1)
  out.writeUInt32BE(o.size ?? payload.length, 3)
  payload.copy(out, 7)
  out[7 + payload.length] = o.end ?? 0xce
  return out
}

/** A content header payload: class id, weight, 64-bit body size, encoded basic properties. */
export function headerPayload(bodySize: number, props: BasicProperties = {}, o: { classId?: number; weight?: number } = {}): Buffer {
  const head = Buffer.alloc(12)
  head.writeUInt16BE(o.classId ?? 60, 0)
  head.writeUInt16BE(o.weight ?? 0, 2)
  head.writeBigUInt64BE(BigInt(bodySize), 4)
  return Buffer.concat([head, encodeProperties(props)])
}

export class RawClient {
  readonly transcript: Entry[] = []
  /** Names of the methods this client sent, in order of first sending (for the coverage test). */
  readonly sent = new Set<string>()
  /** Negotiated frame-max: where publish() splits bodies. */
  frameMaxBytes = 131072
  isClosed = false
  recordHeartbeats = true
  /** The connection.tune consumed by outcome(), for scenarios that answer it later. */
  lastTune: MethodEntry | undefined
  private cursor = 0
  private pending: Buffer = Buffer.alloc(0)
  private sawFrame = false
  private stopped = false
  private frozen = false
  private readonly incomplete = new Map<number, { entry: MethodEntry; size: number; parts: Buffer[] }>()
  private readonly waiters = new Set<() => void>()
  private readonly confirmed = new Map<number, Set<number>>()
  private readonly publishedOn = new Map<number, number>()

  private constructor(readonly socket: Socket, readonly label: string, readonly credentials: Credentials) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', () => {
      // resets are endings scenarios provoke on purpose; 'close' follows and is recorded
    })
    socket.on('close', () => {
      this.isClosed = true
      for (const ch of [...this.incomplete.keys()]) this.finishContent(ch)
      this.record({ closed: true })
    })
  }

  static open(host: string, port: number, label: string, credentials: Credentials): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host, port }, () => {
        socket.off('error', reject)
        socket.setNoDelay(true)
        resolve(new RawClient(socket, label, credentials))
      })
      socket.once('error', reject)
    })
  }

  // ---- sending ---------------------------------------------------------------------------------

  writeRaw(bytes: Buffer | string): void {
    if (!this.socket.destroyed) this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes)
  }

  send(ch: number, name: string, args: Args = {}): void {
    this.sent.add(name)
    this.writeRaw(frameBytes(FrameType.Method, ch, methodPayload(name, args)))
  }

  /** Sends a method and waits for its reply (`<name>-ok` unless given). */
  async call(ch: number, name: string, args: Args = {}, reply: string | string[] = `${name}-ok`): Promise<MethodEntry> {
    this.send(ch, name, args)
    return this.expect(ch, reply)
  }

  sendFrame(type: number, ch: number, payload: Buffer, o: { end?: number; size?: number } = {}): void {
    this.writeRaw(frameBytes(type, ch, payload, o))
  }

  sendHeader(ch: number, bodySize: number, props: BasicProperties = {}, o: { classId?: number; weight?: number } = {}): void {
    this.sendFrame(FrameType.Header, ch, headerPayload(bodySize, props, o))
  }

  sendBody(ch: number, body: Buffer | string): void {
    this.sendFrame(FrameType.Body, ch, typeof body === 'string' ? Buffer.from(body) : body)
  }

  /** basic.publish + header + body frames of at most `frameBytes` (default frame-max - 8), in one write. */
  publish(ch: number, args: Args, body: Buffer | string = '', props: BasicProperties = {}, o: { frameBytes?: number } = {}): void {
    this.sent.add('basic.publish')
    this.publishedOn.set(ch, (this.publishedOn.get(ch) ?? 0) + 1)
    const b = typeof body === 'string' ? Buffer.from(body) : body
    const step = o.frameBytes ?? this.frameMaxBytes - 8
    const frames = [frameBytes(FrameType.Method, ch, methodPayload('basic.publish', args)), frameBytes(FrameType.Header, ch, headerPayload(b.length, props))]
    for (let at = 0; at < b.length; at += step) frames.push(frameBytes(FrameType.Body, ch, b.subarray(at, at + step)))
    this.writeRaw(Buffer.concat(frames))
  }

  // ---- waiting ---------------------------------------------------------------------------------

  /**
   * Resolves with the next received method `name` on channel `ch` (entries before it are passed
   * over but stay in the transcript). Aborts when the channel or connection is closed instead.
   */
  expect(ch: number, name: string | string[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<MethodEntry> {
    const names = Array.isArray(name) ? name : [name]
    const what = `${names.join('|')} on channel ${ch}`
    return this.waitFor(what, timeoutMs, () => {
      for (let i = this.cursor; i < this.transcript.length; i++) {
        const e = this.transcript[i]
        if (isMethod(e)) {
          if (this.isIncomplete(e)) return undefined
          if (e.ch === ch && names.includes(e.method)) {
            this.cursor = i + 1
            return e
          }
          if (e.method === 'connection.close' || (e.method === 'channel.close' && e.ch === ch)) throw new ScenarioAbort(`expected ${what}, got ${e.method}`)
        } else if ('closed' in e || 'garbage' in e || 'protocolHeader' in e) {
          throw new ScenarioAbort(`expected ${what}, got ${Object.keys(e)[0]}`)
        }
      }
      return undefined
    })
  }

  /**
   * Waits for whichever comes first: a method in `ok` on `ch`, a channel.close on `ch`, a
   * connection.close, or the socket closing; answers a close with close-ok (and waits for the
   * socket after a connection.close). Returns what happened: the method name or 'closed'.
   * For steps whose outcome is the point of the scenario: every frame stays in the transcript.
   */
  async outcome(ch: number, ok: string | string[] = [], timeoutMs = OUTCOME_TIMEOUT_MS): Promise<string> {
    const names = Array.isArray(ok) ? ok : [ok]
    const e = await this.waitFor(`${[...names, 'a close'].join('|')} on channel ${ch}`, timeoutMs, () => {
      for (let i = this.cursor; i < this.transcript.length; i++) {
        const e = this.transcript[i]
        if (isMethod(e) && this.isIncomplete(e)) return undefined
        const hit = isMethod(e)
          ? (e.ch === ch && (names.includes(e.method) || e.method === 'channel.close')) || e.method === 'connection.close'
          : 'closed' in e
        if (hit) {
          this.cursor = i + 1
          return e
        }
      }
      return undefined
    })
    if (!isMethod(e)) return 'closed'
    if (e.method === 'connection.tune') this.lastTune = e
    if (e.method === 'connection.close') {
      this.send(0, 'connection.close-ok')
      await this.closed(OUTCOME_TIMEOUT_MS)
    } else if (e.method === 'channel.close' && !names.includes('channel.close')) {
      this.send(ch, 'channel.close-ok')
    }
    return e.method
  }

  /** Waits until every publish so far on `ch` (a confirm-mode channel) is confirmed. */
  confirmAll(ch: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<true> {
    return this.confirms(ch, this.publishedOn.get(ch) ?? 0, timeoutMs)
  }

  /** Waits for a heartbeat frame from the broker. */
  expectHeartbeat(timeoutMs: number): Promise<Entry> {
    return this.waitFor('a heartbeat', timeoutMs, () => {
      for (let i = this.cursor; i < this.transcript.length; i++) {
        const e = this.transcript[i]
        if ('heartbeat' in e) { this.cursor = i + 1; return e }
        if ('closed' in e) throw new ScenarioAbort('expected a heartbeat, got closed')
      }
      return undefined
    })
  }

  /** Resolves when the broker has closed the socket. */
  closed(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<true> {
    return this.waitFor('the socket to close', timeoutMs, () => (this.isClosed ? true : undefined))
  }

  /** Waits until publisher confirms (ack or nack) cover every delivery tag 1..upTo on `ch`. */
  confirms(ch: number, upTo: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<true> {
    return this.waitFor(`confirms up to ${upTo} on channel ${ch}`, timeoutMs, () => {
      if (this.isClosed) throw new ScenarioAbort(`expected confirms up to ${upTo} on channel ${ch}, got closed`)
      const set = this.confirmed.get(ch)
      for (let t = 1; t <= upTo; t++) if (!set?.has(t)) return undefined
      return true
    })
  }

  // ---- conversations every scenario has -----------------------------------------------------

  /** Protocol header, start-ok, tune-ok, open; summarised as one `{handshake:'ok'}` entry if all went as expected. */
  async handshake(o: HandshakeOptions = {}): Promise<void> {
    const first = this.transcript.length
    this.writeRaw(PROTOCOL_HEADER)
    await this.expect(0, 'connection.start')
    const user = o.username ?? this.credentials.username, pass = o.password ?? this.credentials.password
    this.send(0, 'connection.start-ok', {
      clientProperties: o.clientProperties ?? CLIENT_PROPERTIES, mechanism: o.mechanism ?? 'PLAIN',
      response: o.response ?? Buffer.from(`\0${user}\0${pass}`), locale: 'en_US',
    })
    const tune = await this.expect(0, 'connection.tune')
    this.frameMaxBytes = o.frameMax ?? (tune.args.frameMax as number)
    this.send(0, 'connection.tune-ok', { channelMax: o.channelMax ?? tune.args.channelMax, frameMax: this.frameMaxBytes, heartbeat: o.heartbeat ?? 0 })
    this.send(0, 'connection.open', { virtualHost: o.vhost ?? this.credentials.vhost })
    await this.expect(0, 'connection.open-ok')
    if (this.transcript.length === first + 3 && this.cursor === first + 3) {
      this.transcript.splice(first, 3, { handshake: 'ok' })
      this.cursor = first + 1
    }
  }

  openChannel(ch: number): Promise<MethodEntry> {
    return this.call(ch, 'channel.open')
  }

  closeChannel(ch: number): Promise<MethodEntry> {
    return this.call(ch, 'channel.close', { replyCode: 200, replyText: 'bye', classId: 0, methodId: 0 })
  }

  /** Waits for the broker's channel.close on `ch` and answers close-ok. */
  async channelClosed(ch: number): Promise<MethodEntry> {
    const close = await this.expect(ch, 'channel.close')
    this.send(ch, 'channel.close-ok')
    return close
  }

  /** Waits for the broker's connection.close, answers close-ok, and waits for the socket to close. */
  async connectionClosed(): Promise<MethodEntry> {
    const close = await this.expect(0, 'connection.close')
    this.send(0, 'connection.close-ok')
    await this.closed()
    return close
  }

  /**
   * Closes the connection politely: connection.close, then close-ok, then we drop the socket
   * (RabbitMQ leaves closing the socket to the client after close-ok).
   */
  async close(): Promise<void> {
    await this.call(0, 'connection.close', { replyCode: 200, replyText: 'bye', classId: 0, methodId: 0 })
    this.destroy()
  }

  /** True once the broker closed the socket or we stopped recording. */
  get isDone(): boolean {
    return this.isClosed || this.frozen
  }

  /** Stops recording (the transcript is final) and drops the socket. */
  destroy(): void {
    this.frozen = true
    this.socket.destroy()
  }

  // ---- receiving -------------------------------------------------------------------------------

  private waitFor<T>(what: string, timeoutMs: number, check: () => T | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const attempt = (): boolean => {
        try {
          const v = check()
          if (v === undefined) return false
          resolve(v)
        } catch (err) {
          reject(err)
        }
        return true
      }
      if (attempt()) return
      const waiter = () => {
        if (!attempt()) return
        clearTimeout(timer)
        this.waiters.delete(waiter)
      }
      const timer = setTimeout(() => {
        this.waiters.delete(waiter)
        reject(new ScenarioAbort(`timed out waiting for ${what}`))
      }, timeoutMs)
      this.waiters.add(waiter)
    })
  }

  private record(e: Entry): void {
    if (this.frozen) return
    this.transcript.push(e)
    for (const w of [...this.waiters]) w()
  }

  private isIncomplete(e: MethodEntry): boolean {
    return this.incomplete.get(e.ch)?.entry === e
  }

  private onData(chunk: Buffer): void {
    if (this.stopped || this.frozen) return
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk
    // A broker refusing our protocol header answers with its own before closing.
    if (!this.sawFrame && buf.length >= 4 && buf.subarray(0, 4).toString('latin1') === 'AMQP') {
      if (buf.length < 8) { this.pending = buf; return }
      this.record({ protocolHeader: `AMQP ${[...buf.subarray(4, 8)].join(' ')}` })
      buf = buf.subarray(8)
    }
    let at = 0
    while (buf.length - at >= 7) {
      const type = buf[at], ch = buf.readUInt16BE(at + 1), size = buf.readUInt32BE(at + 3)
      if (buf.length - at < size + 8) break
      const end = buf[at + 7 + size]
      if (end !== 0xce) {
        this.record({ garbage: buf.subarray(at, at + 64).toString('hex') })
        this.stopped = true
        return
      }
      this.sawFrame = true
      this.onFrame(type, ch, Buffer.from(buf.subarray(at + 7, at + 7 + size)))
      at += size + 8
    }
    this.pending = Buffer.from(buf.subarray(at))
  }

  private onFrame(type: number, ch: number, payload: Buffer): void {
    switch (type) {
      case FrameType.Method: return this.onMethod(ch, payload)
      case FrameType.Header: return this.onHeader(ch, payload)
      case FrameType.Body: return this.onBody(ch, payload)
      case FrameType.Heartbeat:
        if (this.recordHeartbeats) this.record({ heartbeat: ch })
        return
      default:
        this.record({ ch, frame: 'unknown', type, bytes: bytesJson(payload) })
    }
  }

  private onMethod(ch: number, payload: Buffer): void {
    this.finishContent(ch)
    let m: ReturnType<typeof decodeMethodJson>
    try {
      m = decodeMethodJson(payload)
    } catch (err) {
      return this.record({ ch, frame: 'unknown', type: FrameType.Method, bytes: { hex: payload.toString('hex'), error: String(err) } })
    }
    if (!m) return this.record({ ch, frame: 'unknown', type: FrameType.Method, bytes: { hex: payload.toString('hex') } })
    const entry: MethodEntry = { ch, method: m.name, args: m.args }
    if (m.name === 'basic.ack' || m.name === 'basic.nack') this.noteConfirm(ch, entry)
    if (m.name === 'channel.open-ok') {
      this.confirmed.delete(ch)
      this.publishedOn.delete(ch)
    }
    if (m.hasContent) this.incomplete.set(ch, { entry, size: -1, parts: [] })
    this.record(entry)
  }

  private onHeader(ch: number, payload: Buffer): void {
    const c = this.incomplete.get(ch)
    if (!c || c.size >= 0) return this.record({ ch, frame: 'header', bytes: { hex: payload.toString('hex') } })
    const h = decodeHeaderJson(payload)
    c.entry.props = h.props
    c.entry.bodyFrames = 0
    c.size = h.bodySize
    if (h.classId !== 60 || h.weight !== 0) c.entry.props = { ...h.props, $classId: h.classId, $weight: h.weight }
    if (c.size === 0) this.finishContent(ch)
  }

  private onBody(ch: number, payload: Buffer): void {
    const c = this.incomplete.get(ch)
    if (!c || c.size < 0) return this.record({ ch, frame: 'body', bytes: bodyJson(payload) })
    c.parts.push(payload)
    c.entry.bodyFrames = (c.entry.bodyFrames ?? 0) + 1
    if (c.parts.reduce((n, p) => n + p.length, 0) >= c.size) this.finishContent(ch)
  }

  /** Completes the content being assembled on `ch` (also when a method cuts it short). */
  private finishContent(ch: number): void {
    const c = this.incomplete.get(ch)
    if (!c) return
    this.incomplete.delete(ch)
    c.entry.body = bodyJson(Buffer.concat(c.parts))
    for (const w of [...this.waiters]) w()
  }

  private noteConfirm(ch: number, e: MethodEntry): void {
    const set = this.confirmed.get(ch) ?? new Set<number>()
    this.confirmed.set(ch, set)
    const tag = e.args.deliveryTag as number
    if (e.args.multiple) for (let t = 1; t <= tag; t++) set.add(t)
    else set.add(tag)
  }
}

export type { Entry, MethodEntry, Json }
