// Rebuilds the broker's durable state at boot from what the store recovered: durable exchanges,
// durable queues with their surviving messages (in order, redelivered where delivered before),
// and bindings. Runs once, before the listener accepts connections.
import type { Broker } from './broker.js'
import type { BindingRecord } from './broker-store.js'
import { Message, type MessageProperties } from './message.js'

/** What restoring reads from the store (MessageStore satisfies it). */
export interface RecoveredState {
  exchanges(): { vhost: string; name: string; type: string; autoDelete: boolean; internal: boolean; arguments: Record<string, unknown> }[]
  queues(): { id: number; vhost: string; name: string; autoDelete: boolean; arguments: Record<string, unknown> }[]
  bindings(): BindingRecord[]
  recovered(queueId: number): { id: number; exchange: string; routingKey: string; properties: Buffer; body: Buffer; redelivered: boolean }[]
  /** Ids only, in order: a queue that pages reads bodies when it needs them. */
  recoveredIds(queueId: number, visit: (messageId: number, redelivered: boolean) => void): void
}

export interface RestoreSummary { exchanges: number; queues: number; bindings: number; messages: number }

export function restoreBroker(
  broker: Broker,
  state: RecoveredState,
  makeProperties: (raw: Buffer) => MessageProperties,
): RestoreSummary {
  const summary: RestoreSummary = { exchanges: 0, queues: 0, bindings: 0, messages: 0 }
  for (const ex of state.exchanges()) {
    const vhost = broker.vhost(ex.vhost)
    if (!vhost) continue
    vhost.restoreExchange(ex.name, ex.type, { isDurable: true, isAutoDelete: ex.autoDelete, isInternal: ex.internal, arguments: ex.arguments })
    summary.exchanges++
  }
  // A message routed to several queues was stored once: share one Message between them.
  const messages = new Map<number, Message>()
  for (const def of state.queues()) {
    const vhost = broker.vhost(def.vhost)
    if (!vhost) continue
    const q = vhost.newQueue(def.name, { isDurable: true, isExclusive: false, isAutoDelete: def.autoDelete, arguments: def.arguments })
    vhost.attachStore(q, def.id)
    vhost.addQueue(q)
    summary.queues++
    if (q.canPageFromStore) {
      // Bodies stay on disk until the queue's head reaches them: recovery of a long queue is cheap.
      state.recoveredIds(def.id, (id, redelivered) => {
        q.restorePaged(id, redelivered)
        summary.messages++
      })
      continue
    }
    for (const r of state.recovered(def.id)) {
      let message = messages.get(r.id)
      if (!message) {
        message = new Message(r.exchange, r.routingKey, r.properties, makeProperties(r.properties), r.body)
        message.storeId = r.id
        messages.set(r.id, message)
      }
      q.enqueue(message, r.redelivered)
      summary.messages++
    }
  }
  for (const b of state.bindings()) {
    if (broker.vhost(b.vhost)?.restoreBinding(b)) summary.bindings++
  }
  return summary
}
