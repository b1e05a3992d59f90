// Validation of a queue's x- arguments and the equivalence check on redeclare, with RabbitMQ's
// reply texts. Pure functions over decoded argument tables.
import { preconditionFailed } from '../../errors.js'
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

type Check = (value: unknown, args: Record<string, unknown>, key: string) => string | undefined

const nonNegativeInt: Check = (v, args, key) => {
  if (!isInteger(v)) return `{unacceptable_type,${typeNameOf(args, key)}}`
  if (Number(v) < 0) return `{value_negative,${v}}`
  return undefined
}
const positiveInt: Check = (v, args, key) => {
  if (!isInteger(v)) return `{unacceptable_type,${typeNameOf(args, key)}}`
  if (Number(v) === 0) return '{value_zero,0}'
  if (Number(v) < 0) return `{value_negative,${v}}`
  return undefined
}
const oneOf = (...allowed: string[]): Check => (v, args, key) => {
  if (typeof v !== 'string') return `{unacceptable_type,${typeNameOf(args, key)}}`
  return allowed.includes(v) ? undefined : `{invalid_value,<<"${v}">>}` // hmm
}
const isString: Check = (v, args, key) => (typeof v === 'string' ? undefined : `{unacceptable_type,${typeNameOf(args, key)}}`)
const isBool: Check = (v, args, key) => (typeof v === 'boolean' ? undefined : `{unacceptable_type,${typeNameOf(args, key)}}`)
const maxPriority: Check = (v, args, key) => {
  const e = nonNegativeInt(v, args, key)
  if (e) return e
  return Number(v) > 255 ? `{value_too_large,${v},255}` : undefined
}

/** The arguments RabbitMQ 3.10 validates on queue.declare, and checks for equivalence on redeclare. */
const QUEUE_ARGUMENTS: Record<string, Check> = {
  'x-expires': positiveInt,
  'x-message-ttl': nonNegativeInt,
  'x-dead-letter-exchange': isString,
  'x-dead-letter-routing-key': isString,
  'x-max-length': nonNegativeInt,
  'x-max-length-bytes': nonNegativeInt,
  'x-max-priority': maxPriority,
  'x-overflow': oneOf('drop-head', 'reject-publish', 'reject-publish-dlx'),
  'x-queue-mode': oneOf('default', 'lazy'),
  'x-queue-type': oneOf('classic', 'quorum', 'stream'),
  'x-single-active-consumer': isBool,
  'x-queue-master-locator': oneOf('min-masters', 'client-local', 'random'),
  'x-delivery-limit': nonNegativeInt,
}

export function validateQueueArguments(args: Record<string, unknown>, queueName = '', vhost = '/'): void {
  for (const [key, check] of Object.entries(QUEUE_ARGUMENTS)) {
    if (!(key in args)) continue
    const problem = check(args[key], args, key)
    if (problem) throw preconditionFailed(`invalid arg '${key}' for queue '${queueName}' in vhost '${vhost}': ${problem}`)
  }
  if ('x-dead-letter-routing-key' in args && !('x-dead-letter-exchange' in args)) {
    throw preconditionFailed(`invalid arg 'x-dead-letter-routing-key' for queue '${queueName}' in vhost '${vhost}': {routing_key_requires_exchange,...}`)
  }
}

export interface DeclaredFlags {
  durable: boolean; exclusive: boolean; autoDelete: boolean; arguments: Record<string, unknown>
}

export function checkQueueEquivalence(q: Queue, req: DeclaredFlags, vhost: string): void {
  const where = `for queue '${q.name}' in vhost '${vhost}'`
  const flag = (name: string, received: boolean, current: boolean) => {
    if (received !== current) throw preconditionFailed(`inequivalent arg '${name}' ${where}: received '${received}' but current is '${current}'`)
  }
  flag('durable', req.durable, q.isDurable)
  flag('auto_delete', req.autoDelete, q.isAutoDelete)
  for (const key of Object.keys(QUEUE_ARGUMENTS)) {
    const received = req.arguments[key], current = q.options.arguments[key]
    if (received === undefined && current === undefined) continue
    if (received !== undefined && current !== undefined && String(received) === String(current)) continue
    const describe = (table: Record<string, unknown>, v: unknown) =>
      v === undefined ? 'none' : `the value '${String(v)}' of type '${typeNameOf(table, key)}'`
    throw preconditionFailed(`inequivalent arg '${key}' ${where}: received ${describe(req.arguments, received)} but current is ${describe(q.options.arguments, current)}`)
  }
}
