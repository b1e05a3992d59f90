// The command line's options, declared once (type, default, description, WARREN_* variable) and
// parsed into a Config. yargs renders --help and explains usage errors.
//
// Measured (node -e "import('yargs')"): importing yargs costs ~75 ms, two thirds of our start-up,
// so a plain start parses the same declarations with node:util parseArgs and loads yargs only for
// --help or when that strict parse rejects the arguments (yargs then reports the error).
import { parseArgs } from 'node:util'
import { DEFAULT_CONFIG, LOG_LEVELS, makeConfig, type Config, type LogLevel } from '../config.js'

interface OptionSpec {
  readonly type: 'number' | 'string' | 'boolean'
  readonly describe: string
  readonly default: number | string | boolean | undefined
  readonly choices?: readonly string[]
  /** The Config field it sets; options without one (management, loopback users) are resolved in toConfig. */
  readonly key?: keyof Config
}

/** The command line serves the management API on RabbitMQ's port unless told otherwise. */
const MANAGEMENT_PORT = 15672

export const OPTIONS: Record<string, OptionSpec> = {
  port: { type: 'number', key: 'port', default: DEFAULT_CONFIG.port, describe: 'AMQP port (0 picks a free one and prints it)' },
  host: { type: 'string', key: 'host', default: DEFAULT_CONFIG.host, describe: 'interface to listen on' },
  'data-dir': { type: 'string', key: 'dataDir', default: DEFAULT_CONFIG.dataDir, describe: 'where durable data is kept' },
  'in-memory': { type: 'boolean', key: 'inMemory', default: false, describe: 'keep nothing on disk' },
  'log-level': { type: 'string', key: 'logLevel', default: DEFAULT_CONFIG.logLevel, choices: LOG_LEVELS, describe: 'log level' },
  heartbeat: { type: 'number', key: 'heartbeatSeconds', default: DEFAULT_CONFIG.heartbeatSeconds, describe: 'heartbeat seconds proposed to clients' },
  'frame-max': { type: 'number', key: 'frameMaxBytes', default: DEFAULT_CONFIG.frameMaxBytes, describe: 'largest frame in bytes' },
  'channel-max': { type: 'number', key: 'channelMax', default: DEFAULT_CONFIG.channelMax, describe: 'most channels per connection' },
  'queue-memory': { type: 'number', key: 'queueMemoryBytes', default: DEFAULT_CONFIG.queueMemoryBytes, describe: 'body bytes a durable queue keeps in memory before paging to disk' },
  'memory-high-watermark': { type: 'number', key: 'memoryHighWatermarkBytes', default: DEFAULT_CONFIG.memoryHighWatermarkBytes, describe: 'message bytes held in memory above which publishers are blocked' },
  'management-port': { type: 'number', default: MANAGEMENT_PORT, describe: 'management HTTP API port (0 picks a free one)' },
  management: { type: 'boolean', default: true, describe: 'serve the management HTTP API (--no-management turns it off)' },
  definitions: { type: 'string', key: 'definitionsFile', default: undefined, describe: 'RabbitMQ definitions.json file to load at boot' },
  'tls-port': { type: 'number', key: 'tlsPort', default: DEFAULT_CONFIG.tlsPort, describe: 'TLS listener port, used when --tls-cert is given' },
  'tls-cert': { type: 'string', key: 'tlsCertFile', default: undefined, describe: 'server certificate (PEM); turns on the TLS listener' },
  'tls-key': { type: 'string', key: 'tlsKeyFile', default: undefined, describe: 'server private key (PEM)' },
  'tls-ca': { type: 'string', key: 'tlsCaFile', default: undefined, describe: 'CA certificates (PEM) for client certificates' },
  'tls-verify-peer': { type: 'boolean', key: 'tlsVerifyPeer', default: false, describe: 'require a client certificate signed by --tls-ca' },
  'disk-free-limit': { type: 'number', key: 'diskFreeLimitBytes', default: DEFAULT_CONFIG.diskFreeLimitBytes, describe: 'free disk bytes below which publishers are blocked' },
  'consumer-timeout': { type: 'number', key: 'consumerTimeoutMs', default: DEFAULT_CONFIG.consumerTimeoutMs, describe: 'ms a delivery may stay unacked before its channel is closed' },
  'max-connections': { type: 'number', key: 'maxConnections', default: undefined, describe: 'open client connections allowed in all (RabbitMQ\'s connection_max); unset: no limit' },
  'loopback-users': { type: 'string', default: 'guest', describe: 'comma-separated users who may connect only from loopback (RabbitMQ\'s loopback_users); \'\' for none' },
  'release-idle-memory': { type: 'boolean', key: 'releaseIdleMemory', default: true, describe: 'run garbage collections when idle after traffic, so memory returns to its starting level (--no-release-idle-memory turns it off)' },
  'max-message-size': { type: 'number', key: 'maxMessageBytes', default: DEFAULT_CONFIG.maxMessageBytes, describe: 'largest message body in bytes' },
}

export const envName = (option: string) => 'WARREN_' + option.toUpperCase().replace(/-/g, '_')

export class UsageError extends Error {}

/** Parses argv (and WARREN_* variables) into a Config; 'help' when --help was asked for. */
export async function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<Config | 'help'> {
  if (argv.includes('--help') || argv.includes('-h')) return (await parseWithYargs(argv, env), 'help')
  const quick = parseQuickly(argv, env)
  return quick ?? toConfig(await parseWithYargs(argv, env))
}

function toConfig(values: Record<string, unknown>): Config {
  const partial: Record<string, unknown> = {}
  for (const [name, spec] of Object.entries(OPTIONS)) if (spec.key) partial[spec.key] = values[name]
  partial.managementPort = values.management === false ? undefined : values['management-port']
  partial.loopbackUsers = String(values['loopback-users'] ?? '').split(',').map((u) => u.trim()).filter((u) => u !== '')
  return makeConfig(partial as Partial<Config>)
}

/** The fast path; undefined when anything is unusual, so yargs can explain it. */
function parseQuickly(argv: string[], env: NodeJS.ProcessEnv): Config | undefined {
  let parsed
  try {
    parsed = parseArgs({
      args: argv, strict: true, allowPositionals: false,
      options: Object.fromEntries(Object.entries(OPTIONS).map(([n, s]) => [n, { type: s.type === 'boolean' ? 'boolean' : 'string' }])),
    })
  } catch {
    return undefined
  }
  const values: Record<string, unknown> = {}
  for (const [name, spec] of Object.entries(OPTIONS)) {
    const raw = (parsed.values as Record<string, string | boolean | undefined>)[name] ?? env[envName(name)]
    if (raw === undefined) { values[name] = spec.default; continue }
    if (spec.type === 'number') {
      const n = Number(raw)
      if (raw === '' || !Number.isFinite(n)) return undefined
      values[name] = n
    } else if (spec.type === 'boolean') values[name] = raw === true || raw === 'true' || raw === '1'
    else {
      if (spec.choices && !spec.choices.includes(String(raw))) return undefined
      values[name] = String(raw)
    }
  }
  return toConfig(values)
}

async function parseWithYargs(argv: string[], env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  const { default: yargs } = await import('yargs')
  let y = yargs(argv)
    .scriptName('warren')
    .usage('$0 [options]\n\nAn AMQP 0-9-1 broker that RabbitMQ clients use unchanged.')
    .env('WARREN')
  for (const [name, spec] of Object.entries(OPTIONS)) {
    y = y.option(name, {
      type: spec.type, describe: `${spec.describe}; ${envName(name)}`,
      ...(spec.default !== undefined ? { default: spec.default } : {}),
      ...(spec.choices ? { choices: spec.choices as string[] } : {}),
    })
  }
  void env // yargs reads process.env itself through .env('WARREN')
  return y
    .strict()
    .help()
    .version(false)
    .exitProcess(false)
    .fail((msg, err) => {
      throw new UsageError(err?.message ?? msg)
    })
    .parseSync() as Record<string, unknown>
}

export type { LogLevel }
