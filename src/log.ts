// Builds the root pino logger. A leaf: imports nothing from src/. Children carry ids
// ({ conn, peer }, then { ch }); messages are constant, data goes in fields.
import { pino, type Logger } from 'pino'

export type { Logger }

/** `level` is one of pino's level names (config.ts validates it). */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino({ name: 'warren', level, base: undefined }, destination ?? pino.destination({ fd: 2, sync: false }))
}
