// A queue's behaviour read once from its validated x- arguments: TTLs, length limits and overflow,
// dead-lettering, priorities, single active consumer, expiry. Pure data; no timers or messages.

export type Overflow = 'drop-head' | 'reject-publish' | 'reject-publish-dlx'

export interface QueuePolicy {
  readonly messageTtlMs: number | undefined
  readonly expiresMs: number | undefined
  readonly maxLength: number | undefined
  readonly maxLengthBytes: number | undefined
  readonly overflow: Overflow
  readonly deadLetterExchange: string | undefined
  readonly deadLetterRoutingKey: string | undefined
  readonly maxPriority: number | undefined
  readonly isSingleActiveConsumer: boolean
  readonly queueType: 'classic' | 'quorum' | 'stream'
  readonly deliveryLimit: number | undefined
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined)
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString() : undefined)

export function queuePolicy(args: Record<string, unknown>): QueuePolicy {
  return {
    messageTtlMs: num(args['x-message-ttl']),
    expiresMs: num(args['x-expires']),
    maxLength: num(args['x-max-length']),
    maxLengthBytes: num(args['x-max-length-bytes']),
    overflow: (str(args['x-overflow']) as Overflow | undefined) ?? 'drop-head',
    deadLetterExchange: str(args['x-dead-letter-exchange']),
    deadLetterRoutingKey: str(args['x-dead-letter-routing-key']),
    maxPriority: num(args['x-max-priority']),
    isSingleActiveConsumer: args['x-single-active-consumer'] === true,
    queueType: (str(args['x-queue-type']) as QueuePolicy['queueType'] | undefined) ?? 'classic',
    deliveryLimit: num(args['x-delivery-limit']),
  }
}

/** A message's own TTL from its `expiration` property (milliseconds as a decimal string). */
export function messageTtlMs(expiration: string | undefined): number | undefined {
  if (expiration === undefined) return undefined
  const n = Number(expiration)
  return Number.isInteger(n) && n >= 0 ? n : undefined
}
