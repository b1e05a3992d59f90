// A published message as the broker holds it: routing facts, raw property bytes, body slice.
// Properties are decoded lazily through a view the connection layer supplies (broker knows no wire).

/** The few property fields routing and queues need; implemented over raw bytes by the wire layer. */
export interface MessageProperties {
  readonly deliveryMode: number | undefined
  readonly priority: number | undefined
  readonly expiration: string | undefined
  readonly headers: Record<string, unknown> | undefined
}

export class Message {
  /** Id in the message store once written there; -1 while only in memory. */
  storeId = -1

  constructor(
    readonly exchange: string,
    readonly routingKey: string,
    readonly rawProperties: Buffer,
    readonly properties: MessageProperties,
    readonly body: Buffer,
  ) {}

  get isPersistent(): boolean {
    return this.properties.deliveryMode === 2
  }

  /** Bytes this message accounts for in x-max-length-bytes and memory budgets. */
  get bodyBytes(): number {
    return this.body.length
  }
}

/** A message's place in one queue. `seq` orders it there, so a requeue returns it to its position. */
export interface QueuedMessage {
  /** Replaced when a quorum queue rewrites x-delivery-count on redelivery. */
  message: Message
  readonly seq: number
  redelivered: boolean
  /** When the message expires (ms since the epoch), or 0 for never. */
  readonly expiresAtMs: number
  /** Times delivered and returned (quorum queues' x-delivery-count). */
  deliveryCount: number
}

/** Why a message left its queue for a dead-letter exchange (RabbitMQ's x-death reasons). */
export type DeathReason = 'rejected' | 'expired' | 'maxlen' | 'delivery_limit'
