// What the broker asks of durable storage, as an interface the broker owns; src/store's
// MessageStore satisfies it. Keeps the broker testable in memory and the layers one-way.
import type { QueueStore } from './queue/queue.js'

export interface StoredMessageInput {
  exchange: string
  routingKey: string
  properties: Buffer
  body: Buffer
}

export interface BrokerStore extends QueueStore {
  putExchange(def: {
    vhost: string; name: string; type: string; durable: true; autoDelete: boolean; internal: boolean
    arguments: Record<string, unknown>
  }): void
  deleteExchange(vhost: string, name: string): void
  putQueue(def: { vhost: string; name: string; durable: true; autoDelete: boolean; arguments: Record<string, unknown> }): number
  deleteQueue(queueId: number): void
  putBinding(def: BindingRecord): void
  deleteBinding(def: BindingRecord): void
  /** Writes the message for the queues; copies what it needs, keeping neither argument after it returns. */
  append(queueIds: readonly number[], message: StoredMessageInput): number
  sync(): Promise<void>
}

export interface BindingRecord {
  vhost: string
  source: string
  destination: string
  destinationKind: 'queue' | 'exchange'
  bindingKey: string
  arguments: Record<string, unknown>
}
