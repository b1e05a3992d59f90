// Names as RabbitMQ keeps them: bytes. RabbitMQ 3.10 closes the connection with 501 "Malformed
// UTF-8 in shortstr" for most methods, but takes basic.publish's exchange and routing key as any
// bytes and hands them back unchanged in basic.deliver, basic.get-ok and basic.return. A JS string
// cannot hold bytes that are not UTF-8, so each such byte is kept as a lone surrogate U+DC80 + byte
// (Python calls this "surrogateescape") and written back as that byte; valid UTF-8 is read as usual.
// A leaf: wire/ (frames) and store/ (records) both read and write names with it.
import { isUtf8 } from 'node:buffer'

const ESCAPE_BASE = 0xdc00
/** A lone surrogate: what valid UTF-8 never decodes to and escapes always are. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** The text of buf[start, end); bytes that are not UTF-8 become escapes (see isEscaped). */
export function decodeText(buf: Buffer, start: number, end: number): string {
  const text = buf.toString('utf8', start, end)
  // U+FFFD is what Node substitutes for a bad sequence; a real U+FFFD passes isUtf8.
  if (!text.includes('\uFFFD') || isUtf8(buf.subarray(start, end))) return text
  return decodeEscaping(buf, start, end)
}

/** True when the text holds bytes that were not UTF-8 (or lone surrogates from elsewhere). */
export function isEscaped(text: string): boolean {
  return LONE_SURROGATE.test(text)
}

/** The bytes decodeText read the text from (escapes back to their bytes). */
export function encodeText(text: string): Buffer {
  if (!isEscaped(text)) return Buffer.from(text, 'utf8')
  const out: Buffer[] = []
  let from = 0
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    const isHigh = unit >= 0xd800 && unit <= 0xdbff
    if (isHigh && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { i++; continue } // a pair
    if (!isHigh && (unit & 0xfc00) !== 0xdc00) continue
    out.push(Buffer.from(text.slice(from, i), 'utf8'))
    // An escaped byte goes back as itself; any other lone surrogate has no bytes and is replaced.
    out.push(unit >= 0xdc80 && unit <= 0xdcff ? Buffer.of(unit - ESCAPE_BASE) : Buffer.from('\uFFFD', 'utf8'))
    from = i + 1
  }
  out.push(Buffer.from(text.slice(from), 'utf8'))
  return Buffer.concat(out)
}

/** Bytes the text takes on the wire or on disk. */
export function textByteLength(text: string): number {
  const n = Buffer.byteLength(text)
  return n === text.length || !isEscaped(text) ? n : encodeText(text).length
}

/** Writes the text's bytes at buf[at]; returns how many. The caller has made room (textByteLength). */
export function writeText(buf: Buffer, text: string, at: number): number {
  if (Buffer.byteLength(text) === text.length || !isEscaped(text)) return buf.write(text, at, 'utf8')
  return encodeText(text).copy(buf, at)
}

function decodeEscaping(buf: Buffer, start: number, end: number): string {
  let text = ''
  let i = start
  while (i < end) {
    const n = validSequenceBytes(buf, i, end)
    if (n === 0) text += String.fromCharCode(ESCAPE_BASE + buf[i++])
    else {
      text += buf.toString('utf8', i, i + n)
      i += n
    }
  }
  return text
}

/** Length of the well-formed UTF-8 sequence at buf[i] (RFC 3629), or 0 if there is none. */
function validSequenceBytes(buf: Buffer, i: number, end: number): number {
  const lead = buf[i]
  if (lead < 0x80) return 1
  const n = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0
  if (n === 0 || i + n > end) return 0
  for (let k = 1; k < n; k++) if ((buf[i + k] & 0xc0) !== 0x80) return 0
  const second = buf[i + 1]
  if (lead === 0xe0 && second < 0xa0) return 0 // overlong
  if (lead === 0xed && second > 0x9f) return 0 // a surrogate's code point
  if (lead === 0xf0 && second < 0x90) return 0 // overlong
  if (lead === 0xf4 && second > 0x8f) return 0 // past U+10FFFF
  return n
}
