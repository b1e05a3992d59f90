// Equality of decoded argument tables and header values, as RabbitMQ compares binding arguments.
// Pure; used by bindings (identity) and the headers exchange.

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
