// AMQP field values (tables, arrays, timestamps, decimals, binary) to plain JSON and back, as the
// management API shows arguments and headers. Pure functions; no broker state.

/** A decoded field value as JSON: bigints become numbers, binary becomes a string, tagged values their number. */
export function fieldToJson(v: unknown): unknown {
  if (v === null || v === undefined) return null
  switch (typeof v) {
    case 'boolean': case 'number': case 'string': return v
    case 'bigint': return Number(v)
  }
  if (Buffer.isBuffer(v)) return v.toString('utf8')
  if (v instanceof Date) return Math.floor(v.getTime() / 1000)
  if (Array.isArray(v)) return v.map(fieldToJson)
  if (typeof v === 'object') {
    const typed = v as { tag?: unknown; value?: unknown }
    // wire/field-table's Typed: a timestamp, a decimal ({scale, value}) or a narrow number.
    if (typeof typed.tag === 'string' && 'value' in typed && Object.keys(v).length === 2) {
      const value = typed.value
      if (typeof value === 'object' && value !== null) {
        const d = value as { scale: number; value: number }
        return d.value / 10 ** d.scale
      }
      return typeof value === 'bigint' ? Number(value) : value
    }
    return tableToJson(v as Record<string, unknown>)
  }
  return String(v)
}

export function tableToJson(table: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (table) for (const [k, v] of Object.entries(table)) out[k] = fieldToJson(v)
  return out
}

