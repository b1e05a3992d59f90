// The `warren` command: options -> Config -> start; signals; exit codes (0 ok, 1 failure, 2 usage).
import { ConfigError } from '../config.js'
import { createLogger } from '../log.js'
import { start } from '../index.js'
import { parseOptions, UsageError } from './options.js'

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  let config
  try {
    config = await parseOptions(argv)
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      process.stderr.write(`warren: ${err.message}\n`)
      process.exit(2)
    }
    throw err
  }
  if (config === 'help') return
  const log = createLogger(config.logLevel)
  let broker
  try {
    broker = await start(config, log)
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    // The port that is taken may be the management API's or the TLS listener's, not the AMQP one.
    const port = (e as NodeJS.ErrnoException & { port?: number }).port ?? config.port
    process.stderr.write(`warren: cannot start: ${e.code === 'EADDRINUSE' ? `port ${port} is in use` : e.message}\n`)
    process.exit(1)
  }
  // The bound port, plainly, for scripts that started us with --port 0.
  process.stdout.write(`warren listening on port ${broker.port}\n`)
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    log.info({ signal }, 'shutting down')
    // A shutdown that cannot finish (a peer that never reads, a stuck disk) must not keep us alive.
    setTimeout(() => {
      log.error('shutdown did not finish within 10 s; exiting')
      process.exit(1)
    }, 10_000).unref()
    broker.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}
