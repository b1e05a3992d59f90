// Lossless JSON form of argument tables (decoded AMQP field values) for definitions.log. Pure; must
// not import wire/ (so a wire `Typed` value is rebuilt through an injected factory).
//
//   null, boolean, string, finite number  → themselves
//   table (plain object)                   → { key: encoded, ... }
//   array                                  → ["a", encoded, ...]        (so every JSON array is a tag)
//   Buffer / Uint8Array                    → ["b", base64]
//   bigint                                 → ["n", decimal string]
//   NaN, ±Infinity, -0                     → ["f", "NaN" | "Infinity" | "-Infinity" | "-0"]
//   Date                                   → ["d", epoch ms]
//   undefined                              → ["u"]
//   { tag, value } class instance (wire Typed: timestamp, decimal) → ["t", tag, encoded value]

/** Rebuilds a tagged value (e.g. `(tag, value) => new Typed(tag, value)`). */
export type TaggedValueFactory = (tag: string, value: unknown) => unknown

/** Without a factory a tagged value comes back as a plain { tag, value }, equal field by field. */
export const plainTaggedValue: TaggedValueFactory = (tag, value) => ({ tag, value })

export function encodeArgument(v: unknown): unknown {
  switch (typeof v) {
    case 'string': case 'boolean': return v
    case 'number': return Number.isFinite(v) && !Object.is(v, -0) ? v : ['f', Object.is(v, -0) ? '-0' : String(v)]
    case 'bigint': return ['n', v.toString()]
    case 'undefined': return ['u']
    case 'object': break
    default: throw new TypeError(`cannot store an argument of type ${typeof v}`)
  }
  if (v === null) return null
  if (v instanceof Uint8Array) return ['b', Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')]
  if (v instanceof Date) return ['d', v.getTime()]
  if (Array.isArray(v)) return ['a', ...v.map(encodeArgument)]
  const proto = Object.getPrototypeOf(v) as unknown
  const tagged = v as { tag?: unknown; value?: unknown }
  if (proto !== Object.prototype && proto !== null && typeof tagged.tag === 'string' && 'value' in tagged) {
    return ['t', tagged.tag, encodeArgument(tagged.value)]
  }
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(v)) setKey(out, key, encodeArgument((v as Record<string, unknown>)[key]))
  return out
}

export function decodeArgument(v: unknown, tagged: TaggedValueFactory = plainTaggedValue): unknown {
  if (v === null || typeof v !== 'object') return v
  if (Array.isArray(v)) {
    switch (v[0]) {
      case 'a': return v.slice(1).map((x) => decodeArgument(x, tagged))
      case 'b': return Buffer.from(v[1] as string, 'base64')
      case 'n': return BigInt(v[1] as string)
      case 'f': return v[1] === '-0' ? -0 : Number(v[1])
      case 'd': return new Date(v[1] as number)
      case 'u': return undefined
      case 't': return tagged(v[1] as string, decodeArgument(v[2], tagged))
      default: throw new Error(`unknown argument tag ${String(v[0])} in definitions`)
    }
  }
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(v)) setKey(out, key, decodeArgument((v as Record<string, unknown>)[key], tagged))
  return out
}

export const encodeArguments = (args: Record<string, unknown>): unknown => encodeArgument(args ?? {})
export const decodeArguments = (encoded: unknown, tagged?: TaggedValueFactory): Record<string, unknown> =>
  decodeArgument(encoded ?? {}, tagged) as Record<string, unknown>

/** The same string for equal tables whatever their key order (binding identity). */
export function canonicalArguments(args: Record<string, unknown>): string {
  return JSON.stringify(sortKeys(encodeArgument(args ?? {})))
}

function sortKeys(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v
  if (Array.isArray(v)) return v.map(sortKeys)
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(v).sort()) setKey(out, key, sortKeys((v as Record<string, unknown>)[key]))
  return out
}

/** Plain assignment would turn a table key named "__proto__" into a prototype change. */
function setKey(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
  else out[key] = value
}
