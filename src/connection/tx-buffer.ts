// What a transactional channel holds until tx.commit: publishes to route and acks to apply.
import type { Exchange } from '../broker/exchange/exchange.js'
import type { Message } from '../broker/message.js'
import type { Delivery } from './unacked.js'

export type Settlement = 'ack' | 'requeue' | 'drop'

export interface TxBuffer {
  publishes: { exchange: Exchange; message: Message; mandatory: boolean }[]
  settlements: { deliveries: Delivery[]; how: Settlement }[]
}
