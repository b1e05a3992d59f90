// Builds the root pino logger. A leaf: imports nothing from src/. Children carry ids
// ({ conn, peer }, then { ch }); messages are constant, data goes in fields.
import { pino, type Logger } from 'pino'
import type { LogLevel } from './config.js'

export type { Logger }

export function createLogger(level: LogLevel, destination?: NodeJS.WritableStream): Logger {
  return pino({ name: 'warren', level, base: undefined }, destination ?? pino.destination({ fd: 2, sync: false }))
}
