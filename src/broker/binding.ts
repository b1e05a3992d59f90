// A binding from an exchange to a queue or another exchange, and argument-table equality (a
// binding's identity is source, destination, binding key and arguments, as in RabbitMQ).
import type { Queue } from './queue/queue.js'
import type { Exchange } from './exchange/exchange.js'

export type Destination = Queue | Exchange

export interface Binding {
  readonly source: Exchange
  readonly destination: Destination
  readonly bindingKey: string
  readonly arguments: Record<string, unknown>
}

export function sameBinding(a: Binding, b: Omit<Binding, 'source'>): boolean {
  return a.destination === b.destination && a.bindingKey === b.bindingKey && sameArguments(a.arguments, b.arguments)
}

/** Deep equality of decoded field tables (Buffers by bytes, typed values by tag and value). */
export function sameArguments(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b)
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const ka = Object.keys(a as object), kb = Object.keys(b as object)
  if (ka.length !== kb.length) return false
  return ka.every((k) => sameArguments((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}
