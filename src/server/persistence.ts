// Opens the message store in the data directory (imported lazily: an in-memory broker never loads
// it) and restores the broker's durable state from it, with the one-line recovery summary.
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from 'pino'
import type { Broker } from '../broker/broker.js'
import type { BrokerStore } from '../broker/broker-store.js'
import { restoreBroker } from '../broker/restore.js'
import { propertiesCodec } from '../wire/basic-properties.js'
import { Typed, type FieldTag } from '../wire/field-table.js'

export interface Persistence {
  readonly store: BrokerStore
  /** Transient overflow: messages paged out of memory that must not survive a restart. */
  readonly spill: BrokerStore
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
  // The spill holds nothing worth keeping across a restart: start it empty every time. Its own
  // periodic sync is what lets it reclaim segments; nothing waits on it.
  const spillDir = join(dir, 'transient')
  await rm(spillDir, { recursive: true, force: true })
  const spill = await MessageStore.open({ dir: spillDir, log: log.child({ component: 'spill' }), syncIntervalMs: 1000 })
  return {
    store,
    spill,
    restore(broker: Broker): void {
      const startedMs = performance.now()
      const restored = restoreBroker(broker, store, (raw) => propertiesCodec.view(raw))
      log.info({ ...restored, ms: Math.round(performance.now() - startedMs) }, 'broker state restored')
    },
    close: async () => {
      await spill.close()
      await store.close()
    },
  }
}
