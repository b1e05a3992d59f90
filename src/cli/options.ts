// The command line's options, declared once: type, default, description and WARREN_* variable.
import yargs from 'yargs'
import { DEFAULT_CONFIG, LOG_LEVELS, makeConfig, type Config, type LogLevel } from '../config.js'

export function parseOptions(argv: string[]): Config {
  const args = yargs(argv)
    .scriptName('warren')
    .usage('$0 [options]\n\nAn AMQP 0-9-1 broker that RabbitMQ clients use unchanged.')
    .env('WARREN')
    .option('port', { type: 'number', default: DEFAULT_CONFIG.port, describe: 'AMQP port (0 picks a free one and prints it); WARREN_PORT' })
    .option('host', { type: 'string', default: DEFAULT_CONFIG.host, describe: 'interface to listen on; WARREN_HOST' })
    .option('data-dir', { type: 'string', default: DEFAULT_CONFIG.dataDir, describe: 'where durable data is kept; WARREN_DATA_DIR' })
    .option('in-memory', { type: 'boolean', default: false, describe: 'keep nothing on disk; WARREN_IN_MEMORY' })
    .option('log-level', { type: 'string', choices: LOG_LEVELS as string[], default: DEFAULT_CONFIG.logLevel, describe: 'log level; WARREN_LOG_LEVEL' })
    .option('heartbeat', { type: 'number', default: DEFAULT_CONFIG.heartbeatSeconds, describe: 'heartbeat seconds proposed to clients; WARREN_HEARTBEAT' })
    .option('frame-max', { type: 'number', default: DEFAULT_CONFIG.frameMaxBytes, describe: 'largest frame in bytes; WARREN_FRAME_MAX' })
    .option('channel-max', { type: 'number', default: DEFAULT_CONFIG.channelMax, describe: 'most channels per connection; WARREN_CHANNEL_MAX' })
    .option('max-message-size', { type: 'number', default: DEFAULT_CONFIG.maxMessageBytes, describe: 'largest message body in bytes; WARREN_MAX_MESSAGE_SIZE' })
    .strict()
    .help()
    .version(false)
    .exitProcess(false)
    .fail((msg, err) => {
      throw new UsageError(err?.message ?? msg)
    })
    .parseSync()
  return makeConfig({
    port: args.port,
    host: args.host,
    dataDir: args['data-dir'],
    inMemory: args['in-memory'],
    logLevel: args['log-level'] as LogLevel,
    heartbeatSeconds: args.heartbeat,
    frameMaxBytes: args['frame-max'],
    channelMax: args['channel-max'],
    maxMessageBytes: args['max-message-size'],
  })
}

export class UsageError extends Error {}
