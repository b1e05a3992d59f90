// Validation of a queue's x- arguments and the equivalence check on redeclare, with RabbitMQ's
// reply texts. Pure functions over decoded argument tables.
import { preconditionFailed, resourceLocked } from '../../errors.js'
import type { Queue } from './queue.js'

/** RabbitMQ's names for wire types, used in its reply texts (set by the wire decoder per table). */
const FIELD_TAGS = Symbol.for('warren.fieldTags')
const TYPE_NAMES: Record<string, string> = {
  t: 'bool', b: 'byte', B: 'unsignedbyte', s: 'short', u: 'unsignedshort', I: 'signedint', i: 'unsignedint',
  l: 'long', f: 'float', d: 'double', D: 'decimal', S: 'longstr', A: 'array', T: 'timestamp', F: 'table', V: 'void', x: 'binary',
}

export function typeNameOf(table: Record<string, unknown>, key: string): string {
  const tags = (table as Record<symbol, Record<string, string> | undefined>)[FIELD_TAGS]
  const tag = tags?.[key]
  if (tag) return TYPE_NAMES[tag] ?? tag
  const v = table[key]
  if (typeof v === 'boolean') return 'bool'
  if (typeof v === 'number') return Number.isInteger(v) ? 'signedint' : 'double'
  if (typeof v === 'bigint') return 'long'
  if (typeof v === 'string') return 'longstr'
  if (Array.isArray(v)) return 'array'
  if (v === null) return 'void'
  return 'table'
}

const isInteger = (v: unknown): v is number | bigint => (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint'

/** A validation problem, in RabbitMQ's words; `whole` replaces the usual "invalid arg" sentence. */
type Problem = string | { whole: string } | undefined
type Check = (value: unknown, args: Record<string, unknown>, key: string) => Problem

const unacceptable = (args: Record<string, unknown>, key: string) => `{unacceptable_type,${typeNameOf(args, key)}}`

/** RabbitMQ 3.10's integer arguments: the type first ("expected integer, got longstr"), then the range. */
const integer = (range: (n: number) => string | undefined): Check => (v, args, key) => {
  if (!isInteger(v)) return `"expected integer, got ${typeNameOf(args, key)}"`
  return range(Number(v))
}
const nonNegative = (n: number) => (n < 0 ? `{value_negative,${n}}` : undefined)
const positive = (n: number) => (n === 0 ? '{value_zero,0}' : nonNegative(n))
/** RabbitMQ's largest timer: 2^32 - 1 milliseconds. */
const MAX_EXPIRY_MS = 4294967295
const timer = (check: (n: number) => string | undefined) => (n: number) => check(n) ?? (n > MAX_EXPIRY_MS ? `{value_too_large,${n}}` : undefined)
const priorityRange = (n: number) => nonNegative(n) ?? (n > 255 ? `{max_value_exceeded,${n}}` : undefined)

const stringOf = (valid: (s: string) => string | undefined): Check => (v, args, key) =>
  typeof v === 'string' ? valid(v) : unacceptable(args, key)
const isBool: Check = (v, args, key) => (typeof v === 'boolean' ? undefined : unacceptable(args, key))

/** The arguments RabbitMQ 3.10 validates on queue.declare, and checks for equivalence on redeclare. */
const QUEUE_ARGUMENTS: Record<string, Check> = {
  'x-expires': integer(timer(positive)),
  'x-message-ttl': integer(timer(nonNegative)),
  'x-dead-letter-exchange': (v, args, key) =>
    typeof v === 'string' ? undefined : { whole: `invalid type '${typeNameOf(args, key)}' for arg '${key}'` },
  'x-dead-letter-routing-key': stringOf(() => undefined),
  'x-max-length': integer(nonNegative),
  'x-max-length-bytes': integer(nonNegative),
  'x-max-priority': integer(priorityRange),
  'x-overflow': stringOf((s) => (['drop-head', 'reject-publish', 'reject-publish-dlx'].includes(s) ? undefined : 'invalid_overflow')),
  'x-queue-mode': stringOf((s) => (['default', 'lazy'].includes(s) ? undefined : `"unsupported queue mode '${s}'"`)),
  'x-queue-type': stringOf((s) => (['classic', 'quorum', 'stream'].includes(s) ? undefined : `"unsupported queue type '${s}'"`)),
  'x-single-active-consumer': isBool,
  'x-delivery-limit': integer(nonNegative),
}

/** Arguments only some queue types accept; RabbitMQ refuses them on the others. */
const TYPE_ONLY_ARGUMENTS: Record<string, readonly string[]> = {
  'x-delivery-limit': ['quorum'],
  'x-max-priority': ['classic'],
  'x-max-age': ['stream'],
  'x-stream-max-segment-size-bytes': ['stream'],
}
const RABBIT_QUEUE_TYPES: Record<string, string> = { classic: 'rabbit_classic_queue', quorum: 'rabbit_quorum_queue', stream: 'rabbit_stream_queue' }

export function validateQueueArguments(args: Record<string, unknown>, queueName = '', vhost = '/'): void {
  const where = `for queue '${queueName}' in vhost '${vhost}'`
  const type = typeof args['x-queue-type'] === 'string' ? (args['x-queue-type'] as string) : 'classic'
  for (const [key, types] of Object.entries(TYPE_ONLY_ARGUMENTS)) {
    if (key in args && !types.includes(type) && RABBIT_QUEUE_TYPES[type]) {
      throw preconditionFailed(`invalid arg '${key}' ${where} of queue type ${RABBIT_QUEUE_TYPES[type]}`)
    }
  }
  for (const [key, check] of Object.entries(QUEUE_ARGUMENTS)) {
    if (!(key in args)) continue
    const problem = check(args[key], args, key)
    if (problem === undefined) continue
    if (typeof problem === 'object') throw preconditionFailed(`${problem.whole} in queue '${queueName}' in vhost '${vhost}'`)
    throw preconditionFailed(`invalid arg '${key}' ${where}: ${problem}`)
  }
  if ('x-dead-letter-routing-key' in args && !('x-dead-letter-exchange' in args)) {
    throw preconditionFailed(`invalid arg 'x-dead-letter-routing-key' ${where}: routing_key_but_no_dlx_defined`)
  }
}

export function exclusiveLocked(name: string, vhost: string): Error {
  return resourceLocked(
    `cannot obtain exclusive access to locked queue '${name}' in vhost '${vhost}'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.`,
  )
}

/** One argument on redeclare, in RabbitMQ's words (types are named only when one side is absent). */
export function checkArgumentEquivalence(key: string, requested: Record<string, unknown>, current: Record<string, unknown>, where: string): void {
  const received = requested[key], existing = current[key]
  if (received === undefined && existing === undefined) return
  if (received !== undefined && existing !== undefined) {
    if (String(received) === String(existing)) return
    throw preconditionFailed(`inequivalent arg '${key}' ${where}: received '${String(received)}' but current is '${String(existing)}'`)
  }
  const describe = (table: Record<string, unknown>, v: unknown) =>
    v === undefined ? 'none' : `the value '${String(v)}' of type '${typeNameOf(table, key)}'`
  throw preconditionFailed(`inequivalent arg '${key}' ${where}: received ${describe(requested, received)} but current is ${describe(current, existing)}`)
}

export interface DeclaredFlags {
  durable: boolean; exclusive: boolean; autoDelete: boolean; arguments: Record<string, unknown>
}

export function checkQueueEquivalence(q: Queue, req: DeclaredFlags, vhost: string): void {
  const where = `for queue '${q.name}' in vhost '${vhost}'`
  const flag = (name: string, received: boolean, current: boolean) => {
    if (received !== current) throw preconditionFailed(`inequivalent arg '${name}' ${where}: received '${received}' but current is '${current}'`)
  }
  if (req.exclusive !== q.isExclusive) throw exclusiveLocked(q.name, vhost)
  flag('durable', req.durable, q.isDurable)
  flag('auto_delete', req.autoDelete, q.isAutoDelete)
  for (const key of Object.keys(QUEUE_ARGUMENTS)) checkArgumentEquivalence(key, req.arguments, q.options.arguments, where)
}
