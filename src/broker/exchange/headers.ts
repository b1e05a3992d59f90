// Headers exchange: a binding's arguments are matched against the message's headers table with
// x-match all | any | all-with-x | any-with-x (RabbitMQ; `x-` keys are ignored except by *-with-x).
import type { Message } from '../message.js'
import type { Binding, Destination } from './exchange.js'
import { sameArguments } from '../field-equality.js'
import { Exchange } from './exchange.js'
import { preconditionFailed } from '../../errors.js'
import { typeNameOf } from '../queue/queue-arguments.js'

export class HeadersExchange extends Exchange {
  route(message: Message, out: Destination[]): void {
    const headers = message.properties.headers ?? {}
    for (const b of this.bindings) if (headersMatch(b, headers)) out.push(b.destination)
  }
}

export function headersMatch(binding: Binding, headers: Record<string, unknown>): boolean {
  const mode = typeof binding.arguments['x-match'] === 'string' ? (binding.arguments['x-match'] as string) : 'all'
  const withX = mode.endsWith('-with-x')
  const isAll = mode.startsWith('all')
  for (const [key, expected] of Object.entries(binding.arguments)) {
    if (key === 'x-match' || (!withX && key.startsWith('x-'))) continue
    const present = Object.prototype.hasOwnProperty.call(headers, key)
    // A void binding value matches on the header's presence alone.
    const matches = present && (expected === null || valuesEqual(expected, headers[key]))
    if (isAll && !matches) return false
    if (!isAll && matches) return true
  }
  return isAll // all: every considered key matched (vacuously true with none); any: none did
}

/** RabbitMQ matches header values ignoring their wire types: integers exactly, strings as bytes. */
const X_MATCH_MODES = ['all', 'any', 'all-with-x', 'any-with-x']

/** RabbitMQ refuses a headers binding whose x-match is not one of its four modes. */
export function checkXMatch(args: Record<string, unknown>): void {
  const v = args['x-match']
  if (v === undefined) return
  if (typeof v !== 'string') {
    throw preconditionFailed(`Invalid x-match field type ${typeNameOf(args, 'x-match')} (value ${String(v)}); expected longstr`)
  }
  if (!X_MATCH_MODES.includes(v)) {
    throw preconditionFailed(`Invalid x-match field value <<"${v}">>; expected all, any, all-with-x, or any-with-x`)
  }
}

function valuesEqual(a: unknown, b: unknown): boolean {
  a = untyped(a)
  b = untyped(b)
  if (isNumeric(a) && isNumeric(b)) {
    if (Number.isInteger(Number(a)) && Number.isInteger(Number(b))) return BigInt(a as number | bigint) === BigInt(b as number | bigint)
    return Number(a) === Number(b)
  }
  if ((typeof a === 'string' || Buffer.isBuffer(a)) && (typeof b === 'string' || Buffer.isBuffer(b))) {
    return Buffer.from(a as string).equals(Buffer.from(b as string))
  }
  return sameArguments(a, b)
}

const isNumeric = (v: unknown): v is number | bigint => typeof v === 'number' || typeof v === 'bigint'

/** A value with an explicit wire tag (a timestamp, say) compares by its value. */
function untyped(v: unknown): unknown {
  if (v !== null && typeof v === 'object' && 'tag' in v && 'value' in v && typeof (v as { value: unknown }).value !== 'object') {
    return (v as { value: unknown }).value
  }
  return v
}
