// How RabbitMQ shows a faulty frame's bytes in FRAME_ERROR and UNEXPECTED_FRAME reply texts, so
// our texts match its. Pure formatting; knows no frames or channels.

/**
 * RabbitMQ's description of a faulty frame's payload in FRAME_ERROR and UNEXPECTED_FRAME texts:
 * `all octets = <<0,20>>`, or the first 16 when longer, printed as Erlang prints a binary.
 */
export function describeOctets(payload: Buffer): string {
  const snippet = payload.length <= 16 ? payload : payload.subarray(0, 16)
  return `${payload.length <= 16 ? 'all' : 'first 16'} octets = ${erlangBinary(snippet)}`
}

const ERLANG_ESCAPES: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 27: '\\e', 34: '\\"', 92: '\\\\' }

/** Erlang's `~p` of a binary: `<<"text">>` when every byte is printable latin-1, else `<<1,2,3>>`. */
export function erlangBinary(bytes: Buffer): string {
  const printable = bytes.length > 0 && bytes.every((b) => (b >= 32 && b <= 126) || b >= 160 || ERLANG_ESCAPES[b] !== undefined)
  if (!printable) return `<<${bytes.join(',')}>>`
  let text = ''
  for (const b of bytes) text += ERLANG_ESCAPES[b] ?? String.fromCharCode(b)
  return `<<"${text}">>`
}
