// One client socket's life: protocol header, handshake (start, tune, open), channel 0, the
// channel map, heartbeats, and closing in both directions. Faults on channel 0 close the
// connection; faults on a channel go to that channel's error boundary.
import type { Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'
import type { Logger } from 'pino'
import { AmqpError, ReplyCode, accessRefused, channelError, notAllowed, unexpectedFrame, commandInvalid } from '../errors.js'
import { FrameReader } from '../wire/frame-reader.js'
import { FrameWriter } from '../wire/frame-writer.js'
import { FrameType, MethodId, MethodDecodeError, UnknownMethodError, decodeMethod, fitReplyText, classIdOf, methodIdOf, type Method } from '../wire/codec.js'
import { describeOctets } from '../wire/octets.js'
import { PublishDecoder } from '../wire/publish-decoder.js'
import { UnknownFieldType } from '../wire/field-table.js'
import type { Broker, User } from '../broker/broker.js'
import type { Vhost } from '../broker/vhost.js'
import type { Config } from '../config.js'
import { Channel, type ChannelHost } from './channel.js'
import { CHANNEL_METHODS } from './channel-methods.js'
import { Heartbeat } from './heartbeat.js'
import { DropConnection, MECHANISMS, PROTOCOL_HEADER, dialectOf, negotiateTune, parseCredentials, serverProperties, type Dialect } from './handshake.js'

export type ConnectionState = 'header' | 'starting' | 'tuning' | 'opening' | 'open' | 'closing' | 'closed'

const CLOSE_OK_TIMEOUT_MS = 3000
const KNOWN_FRAME_TYPES = new Set<number>([FrameType.Method, FrameType.Header, FrameType.Body, FrameType.Heartbeat])

export class Connection implements ChannelHost {
  state: ConnectionState = 'header'
  readonly writer: FrameWriter
  readonly channels = new Map<number, Channel>()
  readonly log: Logger
  readonly owner = this
  readonly methods = CHANNEL_METHODS
  readonly openedAtMs = Date.now()
  private readonly reader: FrameReader
  private readonly publishDecoder = new PublishDecoder()
  private header = Buffer.alloc(0)
  private user: User | undefined
  private vhostRef: Vhost | undefined
  /** This connection no longer counts against the connection limits. */
  private isUncounted = false
  private channelMax: number
  private heartbeat: Heartbeat | undefined
  private handshakeTimer: NodeJS.Timeout | undefined
  private closeTimer: NodeJS.Timeout | undefined
  private consumerTimer: NodeJS.Timeout | undefined
  private clientCapabilities: Record<string, unknown> = {}
  private closeReason: { replyCode: number; by: 'client' | 'server' | 'socket' } | undefined
  private isAlarmActive = false
  private alarmReason = 'low on memory'
  private hasPublished = false
  private isBlocked = false
  private isYielding = false
  private dialect: Dialect = '0-9-1'

  constructor(
    readonly socket: Socket,
    readonly broker: Broker,
    readonly config: Config,
    log: Logger,
    readonly id: number,
    private readonly version: string,
    private readonly onClosed: (c: Connection) => void,
  ) {
    this.log = log.child({ conn: id, peer: `${socket.remoteAddress}:${socket.remotePort}` })
    this.channelMax = config.channelMax
    this.writer = new FrameWriter(socket, config.frameMaxBytes, config.socketHighWaterBytes, () => this.resumeAll())
    this.reader = new FrameReader(undefined, config.frameMaxBytes, (type, channel, buf, start, end) => this.onFrame(type, channel, buf, start, end))
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // ECONNRESET/EPIPE are ordinary endings.
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') this.log.warn({ err }, 'socket error')
      else this.log.debug({ code: err.code }, 'socket ended')
    })
    socket.on('close', () => this.cleanup('socket'))
    this.handshakeTimer = setTimeout(() => {
      this.log.warn('handshake timeout')
      socket.destroy()
    }, config.handshakeTimeoutMs)
    this.handshakeTimer.unref()
  }

  get vhost(): Vhost {
    return this.vhostRef!
  }

  get isWritable(): boolean {
    return !this.writer.isFull
  }

  get consumerCancelNotify(): boolean {
    return this.clientCapabilities.consumer_cancel_notify === true
  }

  get username(): string | undefined {
    return this.user?.name
  }

  // ---- reading ----------------------------------------------------------------------------

  private onData(chunk: Buffer): void {
    this.heartbeat?.received()
    if (this.state === 'closed') return
    if (this.state === 'header') {
      this.header = Buffer.concat([this.header, chunk])
      if (this.header.length < 8) return
      const dialect = dialectOf(this.header)
      if (!dialect) {
        // A wrong header gets ours back, then the socket is closed (AMQP 0-9-1, 4.2.2).
        this.writer.raw(PROTOCOL_HEADER)
        this.writer.flush()
        this.state = 'closed'
        this.socket.end()
        return
      }
      chunk = this.header.subarray(8)
      this.header = Buffer.alloc(0)
      this.state = 'starting'
      this.dialect = dialect
      this.sendStart()
      if (chunk.length === 0) return
    }
    try {
      this.reader.push(chunk)
    } catch (err) {
      this.connectionFault(err, 0)
    }
    this.yieldReading()
  }

  /**
   * One chunk per socket per event-loop turn: a fast publisher must not starve the consumers'
   * acks and the deliveries waiting to be written (measured: bench/NOTES.md, transient-16b).
   */
  private yieldReading(): void {
    if (this.isYielding || this.state === 'closed') return
    this.isYielding = true
    this.socket.pause()
    setImmediate(this.resumeReading)
  }

  private readonly resumeReading = (): void => {
    this.isYielding = false
    if (!this.isBlocked && !this.socket.destroyed) this.socket.resume()
  }

  private onFrame(type: number, channelId: number, buf: Buffer, start: number, end: number): void {
    // The common case, read in place: a method, header or body frame for a channel of an open connection.
    if (this.state === 'open' && channelId !== 0 && type >= FrameType.Method && type <= FrameType.Body) {
      return this.onChannelFrame(type, channelId, buf, start, end)
    }
    this.onOtherFrame(type, channelId, buf.subarray(start, end))
  }

  private onOtherFrame(type: number, channelId: number, payload: Buffer): void {
    if (this.state === 'closed') return
    if (this.state === 'closing') {
      // Waiting for close-ok: everything else is discarded (AMQP 0-9-1, 2.2.4).
      if (type === FrameType.Method && channelId === 0) this.onClosingMethod(payload)
      return
    }
    if (!KNOWN_FRAME_TYPES.has(type)) {
      throw new AmqpError(ReplyCode.FrameError, `type ${type}, ${describeOctets(payload)}: unknown_frame`)
    }
    if (type === FrameType.Heartbeat) {
      if (channelId !== 0) throw unexpectedFrame(`type ${type}, ${describeOctets(payload)}`)
      // RabbitMQ treats a heartbeat carrying a payload as an unknown frame.
      if (payload.length > 0) throw new AmqpError(ReplyCode.FrameError, `type ${type}, ${describeOctets(payload)}: unknown_frame`)
      return
    }
    if (channelId === 0) {
      if (type !== FrameType.Method) throw unexpectedFrame(`type ${type}, ${describeOctets(payload)}`)
      const m = decodeMethod(payload)
      try {
        this.onConnectionMethod(m)
      } catch (err) {
        // RabbitMQ reports a refused login against no method (class 0, method 0).
        this.connectionFault(err, m.id === MethodId.ConnectionStartOk && this.state === 'starting' ? 0 : m.id)
      }
      return
    }
    if (this.state !== 'open') throw unexpectedFrame(`type ${type}, ${describeOctets(payload)}`)
    this.onChannelFrame(type, channelId, payload, 0, payload.length)
  }

  /** A frame for channel channelId, buf[start, end); the channels copy what they keep. */
  private onChannelFrame(type: number, channelId: number, buf: Buffer, start: number, end: number): void {
    const channel = this.channels.get(channelId)
    if (type === FrameType.Method) {
      const m = this.publishDecoder.decode(buf, start, end)
      if (!channel) {
        // RabbitMQ names the offending method in the close (e.g. 50/10 for queue.declare).
        if (m.id !== MethodId.ChannelOpen) return this.connectionFault(channelError(`expected 'channel.open'`), m.id)
        // channel-max limits how many channels are open, not their numbers (RabbitMQ).
        if (this.channels.size >= this.channelMax) {
          throw notAllowed(`number of channels opened (${this.channels.size}) has reached the negotiated channel_max (${this.channelMax})`)
        }
        this.broker.checkChannelLimit(this.user!.name)
        this.channels.set(channelId, new Channel(channelId, this))
        this.broker.connectionLimits.channelsOpened(this.user!.name)
        this.writer.method(channelId, { id: MethodId.ChannelOpenOk, args: { channelId: Buffer.alloc(0) } })
        return
      }
      return channel.onMethod(m)
    }
    // A new channel's command assembler expects a method first (RabbitMQ's text).
    if (!channel) throw unexpectedFrame('expected method frame, got non method frame instead')
    // A header too short for class, weight, body size and flags is no header at all (RabbitMQ).
    if (type === FrameType.Header && end - start < 14) throw new AmqpError(ReplyCode.FrameError, `type ${type}, ${describeOctets(buf.subarray(start, end))}: unknown_frame`)
    if (type === FrameType.Header) return channel.onHeader(buf, start, end)
    return channel.onBody(buf, start, end)
  }

  // ---- channel 0 --------------------------------------------------------------------------

  private sendStart(): void {
    const is08 = this.dialect === '0-8'
    this.writer.method(0, {
      id: MethodId.ConnectionStart,
      args: {
        versionMajor: is08 ? 8 : 0, versionMinor: is08 ? 0 : 9, serverProperties: serverProperties(this.version, this.dialect),
        mechanisms: Buffer.from((this.certificateUser() ? ['EXTERNAL', ...MECHANISMS] : MECHANISMS).join(' ')), locales: Buffer.from('en_US'),
      },
    })
  }

  private onConnectionMethod(m: Method): void {
    switch (this.state) {
      case 'starting':
        if (m.id === MethodId.ConnectionStartOk) return this.onStartOk(m.args)
        break
      case 'tuning':
        if (m.id === MethodId.ConnectionTuneOk) return this.onTuneOk(m.args)
        break
      case 'opening':
        if (m.id === MethodId.ConnectionOpen) return this.onOpen(m.args.virtualHost)
        break
      case 'open':
        if (m.id === MethodId.ConnectionClose) return this.onClientClose()
        if (m.id === MethodId.ConnectionUpdateSecret) {
          return this.writer.method(0, { id: MethodId.ConnectionUpdateSecretOk, args: {} })
        }
        // RabbitMQ's words for any other method on channel 0 of an open connection.
        throw channelError('unexpected method in connection state running')
    }
    // Out of order during the handshake: RabbitMQ closes the socket without a close frame.
    throw new DropConnection(`unexpected method during the handshake (state ${this.state})`)
  }

  /**
   * The user a verified TLS client certificate names (its subject CN), as RabbitMQ's EXTERNAL
   * mechanism reads it; undefined on plain TCP or without a CA-signed certificate.
   */
  private certificateUser(): string | undefined {
    const socket = this.socket as Partial<TLSSocket>
    if (!socket.encrypted || !socket.authorized || !socket.getPeerCertificate) return undefined
    const cn = socket.getPeerCertificate().subject?.CN
    return typeof cn === 'string' && cn !== '' ? cn : undefined
  }

  private onStartOk(a: { clientProperties: Record<string, unknown>; mechanism: string; response: Buffer }): void {
    const caps = a.clientProperties.capabilities
    if (caps && typeof caps === 'object') this.clientCapabilities = caps as Record<string, unknown>
    const certUser = this.certificateUser()
    const credentials = a.mechanism === 'EXTERNAL' && certUser ? { username: certUser, password: '' } : parseCredentials(a.mechanism, a.response)
    const user = a.mechanism === 'EXTERNAL' ? this.broker.userNamed(credentials.username) : this.broker.authenticate(credentials.username, credentials.password)
    // RabbitMQ's loopback_users: refused from elsewhere exactly as a wrong password is.
    const isLoopbackOnly = user !== undefined && this.config.loopbackUsers.includes(user.name) && !isLoopbackAddress(this.socket.remoteAddress)
    if (!user || isLoopbackOnly) {
      const reason = isLoopbackOnly ? 'user can only connect via localhost' : 'invalid credentials'
      this.log.warn({ user: credentials.username, mechanism: a.mechanism, reason }, 'login refused')
      throw new AmqpError(
        ReplyCode.AccessRefused,
        `Login was refused using authentication mechanism ${a.mechanism}. For details see the broker logfile.`,
        'connection',
      )
    }
    this.user = user
    this.state = 'tuning'
    this.writer.method(0, {
      id: MethodId.ConnectionTune,
      args: { channelMax: this.config.channelMax, frameMax: this.config.frameMaxBytes, heartbeat: this.config.heartbeatSeconds },
    })
  }

  private onTuneOk(a: { channelMax: number; frameMax: number; heartbeat: number }): void {
    const tuned = negotiateTune(this.config, a)
    this.channelMax = tuned.channelMax
    this.reader.frameMaxBytes = tuned.frameMaxBytes
    this.writer.frameMaxBytes = tuned.frameMaxBytes
    this.heartbeat = new Heartbeat(tuned.heartbeatSeconds, () => this.writer.heartbeat(), () => {
      this.log.warn({ heartbeatSeconds: tuned.heartbeatSeconds }, 'missed heartbeats from client, closing')
      this.socket.destroy()
    })
    this.heartbeat.start()
    this.state = 'opening'
  }

  private onOpen(vhostName: string): void {
    const vhost = this.broker.vhost(vhostName)
    if (!vhost) throw notAllowed(`vhost ${vhostName} not found`)
    // RabbitMQ checks the connection limits before the user's access to the vhost.
    this.broker.checkConnectionLimits(this.user!.name, vhostName)
    if (!this.broker.canAccess(this.user!, vhostName)) {
      throw notAllowed(`access to vhost '${vhostName}' refused for user '${this.user!.name}'`)
    }
    this.vhostRef = vhost
    this.broker.connectionLimits.opened(vhostName, this.user!.name)
    this.state = 'open'
    clearTimeout(this.handshakeTimer)
    this.writer.method(0, { id: MethodId.ConnectionOpenOk, args: { knownHosts: '' } })
    this.log.info({ user: this.user!.name, vhost: vhostName }, 'connection opened')
    this.startConsumerTimeout()
  }

  private onClientClose(): void {
    this.closeReason = { replyCode: ReplyCode.ReplySuccess, by: 'client' }
    this.releaseChannels()
    this.writer.method(0, { id: MethodId.ConnectionCloseOk, args: {} })
    this.writer.flush()
    this.state = 'closed'
    this.socket.end()
  }

  private onClosingMethod(payload: Buffer): void {
    let m: Method
    try {
      m = decodeMethod(payload)
    } catch {
      return // a malformed frame while closing changes nothing: the socket closes anyway
    }
    if (m.id === MethodId.ConnectionCloseOk || m.id === MethodId.ConnectionClose) {
      if (m.id === MethodId.ConnectionClose) this.writer.method(0, { id: MethodId.ConnectionCloseOk, args: {} })
      this.writer.flush()
      this.state = 'closed'
      this.socket.end()
    }
  }

  /** Checks the channels' oldest unacked deliveries a few times per timeout period. */
  private startConsumerTimeout(): void {
    const timeoutMs = this.config.consumerTimeoutMs
    if (timeoutMs <= 0) return
    this.consumerTimer = setInterval(() => {
      const now = Date.now()
      for (const ch of this.channels.values()) ch.checkConsumerTimeout(now, timeoutMs)
    }, Math.max(10, Math.min(15_000, timeoutMs / 4)))
    this.consumerTimer.unref()
  }

  // ---- closing ----------------------------------------------------------------------------

  /** Any error on channel 0 or in framing: close the whole connection with its code. */
  private connectionFault(err: unknown, methodId: number): void {
    // Where RabbitMQ 3.10's reader gives up without a close frame, so do we: the socket just closes.
    if (err instanceof DropConnection || err instanceof UnknownMethodError || err instanceof UnknownFieldType) {
      this.log.warn({ reason: err.message }, 'dropping connection without a close frame')
      this.closeReason = { replyCode: 0, by: 'server' }
      this.state = 'closed'
      return void this.socket.destroy()
    }
    if (err instanceof MethodDecodeError) methodId = err.methodId
    if (err instanceof AmqpError) return this.closeConnection(err, classIdOf(methodId), methodIdOf(methodId))
    this.log.error({ err }, 'internal error')
    this.closeConnection(new AmqpError(ReplyCode.InternalError, '', 'connection'), 0, 0)
  }

  /** Sends connection.close and waits (bounded) for close-ok; channels are released at once. */
  closeConnection(error: AmqpError, classId: number, methodId: number): void {
    if (this.state === 'closing' || this.state === 'closed') return
    if (this.state === 'header') return void this.socket.destroy()
    const beforeOpen = this.state !== 'open'
    this.closeReason = { replyCode: error.replyCode, by: 'server' }
    this.log.warn({ replyCode: error.replyCode, classId, methodId, text: error.replyText }, 'closing connection')
    // A client that failed to log in and did not ask for authentication_failure_close only sees the socket close.
    if (this.state === 'starting' && error.replyCode === ReplyCode.AccessRefused && this.clientCapabilities.authentication_failure_close !== true) {
      this.state = 'closed'
      this.socket.destroy()
      return
    }
    this.releaseChannels()
    this.writer.method(0, { id: MethodId.ConnectionClose, args: { replyCode: error.replyCode, replyText: fitReplyText(error.replyText), classId, methodId } })
    this.writer.flush()
    this.state = 'closing'
    this.closeTimer = setTimeout(() => this.socket.destroy(), beforeOpen ? 1000 : CLOSE_OK_TIMEOUT_MS)
    this.closeTimer.unref()
  }

  /** Server shutdown or reset(): 320 CONNECTION_FORCED. */
  forceClose(reason: string): void {
    this.closeConnection(new AmqpError(ReplyCode.ConnectionForced, reason, 'connection'), 0, 0)
  }

  // ---- memory alarm -----------------------------------------------------------------------

  /** RabbitMQ blocks only connections that publish; a consuming connection keeps flowing. */
  setAlarm(active: boolean, reason = 'low on memory'): void {
    this.isAlarmActive = active
    this.alarmReason = reason
    if (active && this.hasPublished) this.block()
    else if (!active && this.isBlocked) this.unblock()
  }

  notePublish(): void {
    this.hasPublished = true
    if (this.isAlarmActive && !this.isBlocked) this.block()
  }

  private block(): void {
    if (this.state !== 'open') return
    this.isBlocked = true
    if (this.clientCapabilities['connection.blocked'] === true) {
      this.writer.method(0, { id: MethodId.ConnectionBlocked, args: { reason: this.alarmReason } })
    }
    // Not reading means no heartbeats either: stop watching them while blocked, as RabbitMQ does.
    this.heartbeat?.stop()
    this.socket.pause()
  }

  private unblock(): void {
    this.isBlocked = false
    if (this.state !== 'open') return
    if (this.clientCapabilities['connection.blocked'] === true) {
      this.writer.method(0, { id: MethodId.ConnectionUnblocked, args: {} })
    }
    this.heartbeat?.received()
    this.heartbeat?.start()
    this.socket.resume()
  }

  channelFinished(channelId: number): void {
    if (this.channels.delete(channelId)) this.broker.connectionLimits.channelsClosed(this.user!.name)
  }

  private releaseChannels(): void {
    for (const ch of this.channels.values()) ch.release()
    if (this.channels.size > 0) this.broker.connectionLimits.channelsClosed(this.user!.name, this.channels.size)
    this.channels.clear()
    if (this.vhostRef && !this.isUncounted) {
      this.isUncounted = true // called on connection.close and again when the socket closes
      this.broker.connectionLimits.closed(this.vhostRef.name, this.user!.name)
    }
    if (this.vhostRef) this.vhostRef.ownerClosed(this)
  }

  private resumeAll(): void {
    for (const ch of this.channels.values()) ch.resumeDeliveries()
  }

  private cleanup(by: 'socket'): void {
    const wasClosed = this.state === 'closed' && this.closeReason === undefined
    this.state = 'closed'
    this.heartbeat?.stop()
    clearTimeout(this.handshakeTimer)
    clearTimeout(this.closeTimer)
    clearInterval(this.consumerTimer)
    this.releaseChannels()
    const reason = this.closeReason ?? { replyCode: 0, by }
    if (!wasClosed && this.user) {
      this.log.info({ replyCode: reason.replyCode, by: reason.by, durationMs: Date.now() - this.openedAtMs }, 'connection closed')
    }
    this.onClosed(this)
  }
}

/** RabbitMQ's rabbit_net:is_loopback: 127.0.0.0/8, ::1, and IPv4 loopback mapped into IPv6. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address
  return v4.startsWith('127.') || address === '::1'
}
