// Opens the on-disk store for a data directory and restores the broker's durable state from it.
// Temporary in-memory placeholder until src/store lands (issue 4).
import type { Logger } from 'pino'
import type { Broker } from '../broker/broker.js'
import type { BrokerStore } from '../broker/broker-store.js'

export interface Persistence {
  readonly store: BrokerStore
  restore(broker: Broker): void
  close(): Promise<void>
}

export async function openPersistence(_dir: string, _log: Logger): Promise<Persistence | undefined> {
  return undefined
}
