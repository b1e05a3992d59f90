// Headers exchange: a binding's arguments are matched against the message's headers table with
// x-match all | any | all-with-x | any-with-x (RabbitMQ; `x-` keys are ignored except by *-with-x).
import type { Message } from '../message.js'
import type { Binding, Destination } from '../binding.js'
import { sameArguments } from '../binding.js'
import { Exchange } from './exchange.js'

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

function valuesEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number' || typeof a === 'bigint' || typeof b === 'bigint') {
    return (typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint') && Number(a) === Number(b)
  }
  return sameArguments(a, b)
}
