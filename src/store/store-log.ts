// The logger the store writes to: the pino-compatible subset it calls. Declared here so the store
// depends on no logging package; src/log.ts's pino logger satisfies it. Holds no state.
export interface StoreLog {
  info(fields: object, message?: string): void
  warn(fields: object, message?: string): void
  error(fields: object, message?: string): void
  debug(fields: object, message?: string): void
}

const ignore = (): void => {
  // A store opened without a logger logs nothing.
}
export const silentLog: StoreLog = { info: ignore, warn: ignore, error: ignore, debug: ignore }
