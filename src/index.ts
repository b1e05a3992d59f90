// The library API: startBroker() and the handle it returns (url, port, close, and the test
// helpers reset() and read-only inspection). Exposes no internals.
import { readFileSync } from 'node:fs'
import { makeConfig, type Config, type LogLevel } from './config.js'
import { createLogger, type Logger } from './log.js'
import {
  Broker, type TopicPermissionEntry, type TopicPermissionSpec, type User, type UserLimits, type UserSpec, type VhostLimits,
} from './broker/broker.js'
import { Listener } from './server/listener.js'
import { ResourceAlarm } from './server/resource-alarm.js'
import { IdleMemoryRelease } from './server/idle-memory.js'
import { fixMallocThresholds } from './server/malloc-trim.js'
import type { ManagementServer } from './management/server.js'
import { openPersistence, type Persistence } from './server/persistence.js'
import { decodeProperties, type BasicProperties } from './wire/codec.js'
import { propertiesCodec } from './wire/basic-properties.js'

export type { LogLevel }
export type { BasicProperties }
export type { TopicPermissionEntry, TopicPermissionSpec, UserLimits, VhostLimits }

export interface BrokerOptions {
  /** TCP port; 0 picks a free one (default 5672). */
  port?: number
  /** Interface to bind (default 127.0.0.1 for the library, 0.0.0.0 for the CLI). */
  host?: string
  /** Where durable data lives; without it (or with inMemory) nothing is kept on disk. */
  dataDir?: string
  inMemory?: boolean
  logLevel?: LogLevel
  /** A pino-compatible logger to use instead of building one. */
  logger?: Logger
  heartbeatSeconds?: number
  frameMaxBytes?: number
  channelMax?: number
  maxMessageBytes?: number
  /** A delivery unacked this long closes its channel with 406 (default 30 minutes). */
  consumerTimeoutMs?: number
  /** Body bytes a durable queue keeps in memory before paging persisted messages to disk. */
  queueMemoryBytes?: number
  /** Message bytes held in memory above which publishing connections are blocked. */
  memoryHighWatermarkBytes?: number
  /** Free disk bytes below which publishing connections are blocked (RabbitMQ's disk_free_limit). */
  diskFreeLimitBytes?: number
  /** Serve the management HTTP API on this port (0: any free port). Off unless given. */
  managementPort?: number
  /** A RabbitMQ definitions.json file to load at boot. */
  definitionsFile?: string
  /** TLS listener: certificate and key files (PEM), an optional CA for client certificates. */
  tlsCertFile?: string
  tlsKeyFile?: string
  tlsCaFile?: string
  /** TLS port (default 5671; 0 picks a free one). */
  tlsPort?: number
  /** Refuse TLS clients without a certificate signed by the CA. */
  tlsVerifyPeer?: boolean
  /**
   * The broker's users, their permissions and their limits (as rabbitmqctl set_user_limits:
   * `limits: { 'max-connections': 2, 'max-channels': 10 }`); default guest/guest with full
   * permissions on '/'.
   */
  users?: readonly (User & UserSpec)[]
  /** Users allowed to log in only from loopback (RabbitMQ's loopback_users; default ['guest']). */
  loopbackUsers?: readonly string[]
  /** Open client connections allowed on the whole broker (RabbitMQ's connection_max); default no limit. */
  maxConnections?: number
  /** Per-vhost limits, as rabbitmqctl set_vhost_limits: { '/': { 'max-connections': 10, 'max-queues': 100 } }. */
  vhostLimits?: Readonly<Record<string, VhostLimits>>
  /** Topic permissions, as rabbitmqctl set_topic_permissions, for users given in `users`. */
  topicPermissions?: readonly TopicPermissionEntry[]
}

export interface QueueInfo {
  vhost: string
  name: string
  durable: boolean
  exclusive: boolean
  autoDelete: boolean
  messages: number
  messagesUnacknowledged: number
  consumers: number
}

export interface MessageInfo {
  exchange: string
  routingKey: string
  redelivered: boolean
  properties: BasicProperties
  body: Buffer
}

export interface WarrenBroker {
  readonly url: string
  readonly port: number
  /** The management API's port, when it is served. */
  readonly managementPort: number | undefined
  /** The TLS listener's port, when it is on. */
  readonly tlsPort: number | undefined
  /** Stops accepting, closes connections with 320, flushes and fsyncs the store. */
  close(): Promise<void>
  /** Closes every client connection with 320 and drops all queues, exchanges, bindings and messages. */
  reset(): Promise<void>
  queues(vhost?: string): QueueInfo[]
  /** The ready messages of a queue, oldest first (unacked ones are with their consumers). */
  messages(queue: string, vhost?: string): MessageInfo[]
  /** As rabbitmqctl set_vhost_limits: replaces the vhost's limits (a negative value means no limit). */
  setVhostLimits(vhost: string, limits: VhostLimits): void
  /** As rabbitmqctl clear_vhost_limits. */
  clearVhostLimits(vhost: string): void
  /** As rabbitmqctl set_user_limits: replaces the user's max-connections / max-channels (negative: none). */
  setUserLimits(user: string, limits: UserLimits): void
  /** As rabbitmqctl clear_user_limits. */
  clearUserLimits(user: string): void
  /** As rabbitmqctl set_topic_permissions: the user's write and read patterns on one exchange. */
  setTopicPermissions(user: string, vhost: string, permissions: TopicPermissionSpec): void
  /** As rabbitmqctl clear_topic_permissions: one exchange's, or all the user's on the vhost. */
  clearTopicPermissions(user: string, vhost: string, exchange?: string): void
}

const VERSION = readVersion()

export async function startBroker(options: BrokerOptions = {}): Promise<WarrenBroker> {
  const config = makeConfig({ ...options, host: options.host ?? '127.0.0.1', inMemory: options.inMemory ?? !options.dataDir })
  const log = options.logger ?? createLogger(config.logLevel)
  return start(config, log, options.users, { vhostLimits: options.vhostLimits, topicPermissions: options.topicPermissions })
}

/** What only the library takes (the CLI sets these through definitions or the management API). */
interface LibraryDefinitions {
  readonly vhostLimits?: Readonly<Record<string, VhostLimits>>
  readonly topicPermissions?: readonly TopicPermissionEntry[]
}

/** Starts a broker from a complete Config (the CLI's entry). */
export async function start(config: Config, log: Logger, users?: readonly (User & UserSpec)[], extra: LibraryDefinitions = {}): Promise<WarrenBroker> {
  // Before the store's first large buffers come and go (their release would raise glibc's thresholds).
  if (config.releaseIdleMemory) fixMallocThresholds()
  const persistence: Persistence | undefined = config.inMemory ? undefined : await openPersistence(config.dataDir, log)
  const broker = new Broker({
    users,
    maxConnections: config.maxConnections,
    vhostLimits: extra.vhostLimits,
    topicPermissions: extra.topicPermissions,
    store: persistence?.store,
    vhostOptions: { codec: propertiesCodec, queueMemoryBytes: config.queueMemoryBytes, spill: persistence?.spill },
  })
  const definitions = config.definitionsFile ? readDefinitions(config.definitionsFile) : undefined
  // Loaded only when asked for, so a plain start stays lean.
  const defs = definitions ? await import('./management/definitions.js') : undefined
  // Vhosts named in the definitions exist before recovery, so their durable contents come back.
  if (defs) for (const v of definitions?.vhosts ?? []) (await import('./management/vhost-admin.js')).addVhost(broker, v.name)
  if (persistence) persistence.restore(broker)
  if (defs && definitions) {
    const report = defs.loadDefinitions(broker, definitions)
    log.info({ vhosts: report.vhosts, exchanges: report.exchanges, queues: report.queues, bindings: report.bindings }, 'definitions loaded')
    for (const item of report.unsupported) log.warn({ item }, 'definitions: not applied')
  }
  const listener = new Listener(broker, config, log, VERSION)
  const alarm = new ResourceAlarm(broker, listener, {
    memoryHighWatermarkBytes: config.memoryHighWatermarkBytes,
    diskFreeLimitBytes: config.diskFreeLimitBytes,
    dataDir: config.inMemory ? undefined : config.dataDir,
  }, log)
  alarm.start()
  let port: number
  try {
    port = await listener.listen()
  } catch (err) {
    await persistence?.close()
    throw err
  }
  let management: ManagementServer | undefined
  if (config.managementPort !== undefined) {
    try {
      const { startManagement } = await import('./management/server.js')
      management = await startManagement({
        broker, connections: () => listener.connections, host: config.host, port: config.managementPort, log,
        version: VERSION, amqpPort: port, dataDir: config.inMemory ? undefined : config.dataDir, memoryAlarm: alarm,
      })
    } catch (err) {
      await listener.close()
      await persistence?.close()
      throw err
    }
  }
  const idleMemory = config.releaseIdleMemory ? new IdleMemoryRelease(() => socketActivity(listener)) : undefined
  idleMemory?.start()
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host
  log.info({ host: config.host, port, tlsPort: listener.tlsPort, dataDir: config.inMemory ? null : config.dataDir }, 'listening')
  let closing: Promise<void> | undefined
  return {
    url: `amqp://guest:guest@${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    managementPort: management?.port,
    tlsPort: listener.tlsPort,
    close: () => (closing ??= (async () => {
      alarm.stop()
      idleMemory?.stop()
      await management?.close()
      await listener.close()
      await persistence?.close()
      log.info('stopped')
    })()),
    async reset() {
      await listener.closeConnections("broker forced connection closure with reason 'reset'")
      broker.reset()
    },
    queues(vhostName?: string) {
      const out: QueueInfo[] = []
      for (const vhost of broker.vhosts.values()) {
        if (vhostName !== undefined && vhost.name !== vhostName) continue
        for (const q of vhost.queues.values()) {
          out.push({
            vhost: vhost.name, name: q.name, durable: q.isDurable, exclusive: q.isExclusive, autoDelete: q.isAutoDelete,
            messages: q.messageCount, messagesUnacknowledged: q.unackedCount, consumers: q.consumerCount,
          })
        }
      }
      return out
    },
    messages(queueName: string, vhostName = '/') {
      const q = broker.vhost(vhostName)?.queues.get(queueName)
      if (!q) return []
      return [...q.readyMessages()].map((e) => ({
        exchange: e.message.exchange, routingKey: e.message.routingKey, redelivered: e.redelivered,
        properties: decodeProperties(e.message.rawProperties), body: e.message.body,
      }))
    },
    setVhostLimits: (vhost, limits) => broker.setVhostLimits(vhost, limits),
    clearVhostLimits: (vhost) => void broker.clearVhostLimit(vhost),
    setUserLimits: (user, limits) => broker.setUserLimits(user, limits),
    clearUserLimits: (user) => void broker.clearUserLimit(user),
    setTopicPermissions: (user, vhost, permissions) => broker.setTopicPermissions(user, vhost, permissions),
    clearTopicPermissions: (user, vhost, exchange) => broker.clearTopicPermissions(user, vhost, exchange),
  }
}

function readDefinitions(file: string): { vhosts?: { name: string }[] } {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { vhosts?: { name: string }[] }
  } catch (err) {
    throw new Error(`cannot read definitions file ${file}: ${(err as Error).message}`)
  }
}

function readVersion(): string {
  for (const path of ['../package.json', '../../package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { version: string }).version
    } catch {
      // not at this depth: src/ when run from source, dist/src/ when compiled
    }
  }
  return '0.0.0'
}

/** Changes whenever a byte moves on a client socket or a connection comes or goes. */
function socketActivity(listener: Listener): number {
  let bytes = listener.connections.size
  for (const c of listener.connections) bytes += c.socket.bytesRead + c.socket.bytesWritten
  return bytes
}
