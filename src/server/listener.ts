// Accepts TCP connections and hands each to a Connection; tracks them for graceful shutdown.
// Contains no AMQP logic.
import { createServer, type Server, type Socket } from 'node:net'
import type { Logger } from 'pino'
import type { Broker } from '../broker/broker.js'
import type { Config } from '../config.js'
import { Connection } from '../connection/connection.js'

export class Listener {
  readonly connections = new Set<Connection>()
  /** The memory alarm is set: new connections start with it too. */
  private isAlarmActive = false
  private readonly server: Server
  private nextId = 1

  constructor(
    private readonly broker: Broker,
    private readonly config: Config,
    private readonly log: Logger,
    private readonly version: string,
  ) {
    this.server = createServer({ noDelay: true }, (socket) => this.accept(socket))
  }

  /** Resolves with the bound port once listening; rejects on EADDRINUSE and the like. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(this.config.port, this.config.host, () => {
        this.server.off('error', reject)
        const address = this.server.address()
        resolve(typeof address === 'object' && address ? address.port : this.config.port)
      })
    })
  }

  private accept(socket: Socket): void {
    const conn = new Connection(socket, this.broker, this.config, this.log, this.nextId++, this.version, (c) => this.connections.delete(c))
    this.connections.add(conn)
    if (this.isAlarmActive) conn.setAlarm(true)
  }

  /** Memory alarm set or cleared: every connection blocks or unblocks its publishers. */
  setAlarm(active: boolean): void {
    this.isAlarmActive = active
    for (const c of this.connections) c.setAlarm(active)
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
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    await this.closeConnections("broker forced connection closure with reason 'shutdown'")
    await closed
  }
}
