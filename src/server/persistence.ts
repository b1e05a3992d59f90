// Opens the message store in the data directory (imported lazily: an in-memory broker never loads
// it) and restores the broker's durable state from it, with the one-line recovery summary.
import type { Logger } from 'pino'
import type { Broker } from '../broker/broker.js'
import type { BrokerStore } from '../broker/broker-store.js'
import { restoreBroker } from '../broker/restore.js'
import { propertiesCodec } from '../wire/basic-properties.js'
import { Typed, type FieldTag } from '../wire/field-table.js'

export interface Persistence {
  readonly store: BrokerStore
  restore(broker: Broker): void
  close(): Promise<void>
}

export async function openPersistence(dir: string, log: Logger): Promise<Persistence> {
  const { MessageStore } = await import('../store/message-store.js')
  const store = await MessageStore.open({
    dir,
    log: log.child({ component: 'store' }),
    // Timestamps and decimals in stored arguments come back as the wire's typed values.
    taggedValue: (tag, value) => new Typed(tag as FieldTag, value as never),
  })
  return {
    store,
    restore(broker: Broker): void {
      const startedMs = performance.now()
      const restored = restoreBroker(broker, store, (raw) => propertiesCodec.view(raw))
      log.info({ ...restored, ms: Math.round(performance.now() - startedMs) }, 'broker state restored')
    },
    close: () => store.close(),
  }
}
