// Accepts TCP connections and hands each to a Connection; tracks them for graceful shutdown.
// Contains no AMQP logic.
import { readFileSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls'
import type { Logger } from 'pino'
import type { Broker } from '../broker/broker.js'
import type { Config } from '../config.js'
import { Connection } from '../connection/connection.js'
import { withSharedReadBuffer } from './shared-read-buffer.js'

export class Listener {
  readonly connections = new Set<Connection>()
  /** A resource alarm is set: new connections start with it too. */
  private isAlarmActive = false
  private alarmReason = ''
  private readonly server: Server
  /** The TLS listener, when a certificate is configured. */
  private readonly tlsServer: TlsServer | undefined
  private nextId = 1

  constructor(
    private readonly broker: Broker,
    private readonly config: Config,
    private readonly log: Logger,
    private readonly version: string,
  ) {
    // Paused on accept: the socket starts reading only once it reads into the shared buffer.
    this.server = createServer({ noDelay: true, pauseOnConnect: true }, (socket) => this.accept(withSharedReadBuffer(socket)))
    if (config.tlsCertFile && config.tlsKeyFile) {
      const ca = config.tlsCaFile ? readFileSync(config.tlsCaFile) : undefined
      this.tlsServer = createTlsServer({
        cert: readFileSync(config.tlsCertFile),
        key: readFileSync(config.tlsKeyFile),
        ca,
        // Ask for a client certificate when we can verify one; refuse unsigned ones only if told to.
        requestCert: ca !== undefined,
        rejectUnauthorized: ca !== undefined && config.tlsVerifyPeer,
      }, (socket) => this.accept(socket))
      this.tlsServer.on('tlsClientError', (err) => log.warn({ err: err.message }, 'TLS handshake failed'))
    }
  }

  /** Resolves with the bound AMQP port once listening; rejects on EADDRINUSE and the like. */
  async listen(): Promise<number> {
    const port = await listenOn(this.server, this.config.port, this.config.host)
    if (this.tlsServer) this.tlsPort = await listenOn(this.tlsServer, this.config.tlsPort, this.config.host)
    return port
  }

  /** The TLS listener's bound port, once listening. */
  tlsPort: number | undefined

  private accept(socket: Socket): void {
    const conn = new Connection(socket, this.broker, this.config, this.log, this.nextId++, this.version, (c) => this.connections.delete(c))
    this.connections.add(conn)
    if (this.isAlarmActive) conn.setAlarm(true, this.alarmReason)
  }

  /** A resource alarm set or cleared: every connection blocks or unblocks its publishers. */
  setAlarm(active: boolean, reason: string): void {
    this.isAlarmActive = active
    this.alarmReason = reason
    for (const c of this.connections) c.setAlarm(active, reason)
  }

  /** Closes every client connection with 320 CONNECTION_FORCED and waits (bounded) for the sockets. */
  async closeConnections(reason: string, timeoutMs = 2000): Promise<void> {
    const sockets = [...this.connections].map((c) => {
      c.forceClose(reason)
      return new Promise<void>((resolve) => (c.socket.destroyed ? resolve() : c.socket.once('close', () => resolve())))
    })
    const timer = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref())
    await Promise.race([Promise.all(sockets), timer])
    for (const c of this.connections) c.socket.destroy()
  }

  /** Stops accepting, then closes every connection. */
  async close(): Promise<void> {
    const closed = Promise.all([this.server, this.tlsServer].map((s) => new Promise<void>((resolve) => (s ? s.close(() => resolve()) : resolve()))))
    await this.closeConnections("broker forced connection closure with reason 'shutdown'")
    await closed
  }
}

function listenOn(server: Server | TlsServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      const address = server.address()
      resolve(typeof address === 'object' && address ? address.port : port)
    })
  })
}
