// The broker's configuration: defaults, validation, and the one Config type every layer is given.
// A leaf: imports nothing from src/.
import { totalmem } from 'node:os'

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

export interface Config {
  readonly host: string
  readonly port: number
  readonly dataDir: string
  readonly inMemory: boolean
  readonly logLevel: LogLevel
  /** Proposed in connection.tune; the client may lower them. */
  readonly frameMaxBytes: number
  readonly channelMax: number
  readonly heartbeatSeconds: number
  /** Largest message body accepted (RabbitMQ's max_message_size, 128 MiB by default). */
  readonly maxMessageBytes: number
  /** Time a new socket has to finish the AMQP handshake. */
  readonly handshakeTimeoutMs: number
  /** A delivery unacked this long closes its channel with 406 (RabbitMQ's consumer_timeout). */
  readonly consumerTimeoutMs: number
  /** Bytes a consumer's socket may buffer before deliveries to it pause. */
  readonly socketHighWaterBytes: number
  /** Body bytes a durable queue keeps in memory; beyond it persisted messages are paged to disk. */
  readonly queueMemoryBytes: number
  /** Above this many message bytes held in memory, publishers are blocked (connection.blocked). */
  readonly memoryHighWatermarkBytes: number
  /** Below this many free bytes on the data directory's disk, publishers are blocked. */
  readonly diskFreeLimitBytes: number
  /** The management HTTP API's port (0: any); undefined turns it off. */
  readonly managementPort: number | undefined
  /** A RabbitMQ definitions.json file loaded at boot. */
  readonly definitionsFile: string | undefined
  /** TLS: certificate and key files (PEM) turn on the TLS listener; a CA file verifies clients. */
  readonly tlsCertFile: string | undefined
  readonly tlsKeyFile: string | undefined
  readonly tlsCaFile: string | undefined
  /** The TLS listener's port (RabbitMQ's 5671); 0 picks a free one. */
  readonly tlsPort: number
  /** With a CA: refuse clients without a certificate it signed (RabbitMQ's fail_if_no_peer_cert). */
  readonly tlsVerifyPeer: boolean
  /** Users that may log in only from a loopback address (RabbitMQ's loopback_users). */
  readonly loopbackUsers: readonly string[]
  /** Open client connections allowed on the whole broker (RabbitMQ's connection_max); undefined = no limit. */
  readonly maxConnections: number | undefined
  /** Run full collections once idle after traffic, so V8 gives its grown young generation back. */
  readonly releaseIdleMemory: boolean
}

export const DEFAULT_CONFIG: Config = {
  host: '0.0.0.0',
  port: 5672,
  dataDir: './warren-data',
  inMemory: false,
  logLevel: 'info',
  frameMaxBytes: 131072,
  channelMax: 2047,
  heartbeatSeconds: 60,
  maxMessageBytes: 128 * 1024 * 1024,
  handshakeTimeoutMs: 10_000,
  consumerTimeoutMs: 30 * 60 * 1000, // RabbitMQ 3.10's default
  socketHighWaterBytes: 1024 * 1024,
  queueMemoryBytes: 32 * 1024 * 1024,
  // RabbitMQ's default vm_memory_high_watermark is 0.4 of the machine's memory.
  memoryHighWatermarkBytes: Math.floor(totalmem() * 0.4),
  // RabbitMQ's default disk_free_limit: 50 MB.
  diskFreeLimitBytes: 50_000_000,
  managementPort: undefined,
  definitionsFile: undefined,
  tlsCertFile: undefined,
  tlsKeyFile: undefined,
  tlsCaFile: undefined,
  tlsPort: 5671,
  tlsVerifyPeer: false,
  loopbackUsers: ['guest'],
  maxConnections: undefined,
  // Off for the library: collections are the embedding program's business; the CLI turns it on.
  releaseIdleMemory: false,
}

export class ConfigError extends Error {}

export function makeConfig(options: Partial<Config>): Config {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<Config>
  const c: Config = { ...DEFAULT_CONFIG, ...defined }
  if (!Number.isInteger(c.port) || c.port < 0 || c.port > 65535) throw new ConfigError(`invalid port ${c.port}`)
  const mp = c.managementPort
  if (mp !== undefined && (!Number.isInteger(mp) || mp < 0 || mp > 65535)) throw new ConfigError(`invalid management port ${mp}`)
  if (!LOG_LEVELS.includes(c.logLevel)) throw new ConfigError(`invalid log level '${c.logLevel}' (one of ${LOG_LEVELS.join(', ')})`)
  if (!Number.isInteger(c.frameMaxBytes) || c.frameMaxBytes < 4096) throw new ConfigError(`frame-max must be at least 4096`)
  if (!Number.isInteger(c.channelMax) || c.channelMax < 1 || c.channelMax > 65535) throw new ConfigError(`invalid channel-max ${c.channelMax}`)
  if (!Number.isInteger(c.heartbeatSeconds) || c.heartbeatSeconds < 0 || c.heartbeatSeconds > 65535) throw new ConfigError(`invalid heartbeat ${c.heartbeatSeconds}`)
  if (!Number.isInteger(c.queueMemoryBytes) || c.queueMemoryBytes < 0) throw new ConfigError(`invalid queue memory ${c.queueMemoryBytes}`)
  if ((c.tlsCertFile === undefined) !== (c.tlsKeyFile === undefined)) throw new ConfigError('--tls-cert and --tls-key go together')
  if (!Number.isInteger(c.tlsPort) || c.tlsPort < 0 || c.tlsPort > 65535) throw new ConfigError(`invalid TLS port ${c.tlsPort}`)
  if (c.maxConnections !== undefined && (!Number.isInteger(c.maxConnections) || c.maxConnections < 0)) throw new ConfigError(`invalid max connections ${c.maxConnections}`)
  if (!Array.isArray(c.loopbackUsers) || c.loopbackUsers.some((u) => typeof u !== 'string')) throw new ConfigError('loopback users must be a list of user names')
  if (!c.inMemory && !c.dataDir) throw new ConfigError('a data directory is required unless --in-memory')
  return c
}
