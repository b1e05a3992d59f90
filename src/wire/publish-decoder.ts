// Decodes method frames like codec.decodeMethod, with a fast path for basic.publish: no cursor
// object, and the previous publish's exchange and routing-key strings are reused when their bytes
// are the same (a publisher nearly always repeats them). Anything irregular goes to decodeMethod,
// which owns the error texts, so a malformed publish still closes the connection the same way.
//
//   basic.publish := class(u16)=60 method(u16)=40 ticket(u16) exchange(shortstr) routing-key(shortstr) bits(u8)
import { MethodId, decodeMethod, type Method } from './codec.js'
import { decodeText } from '../byte-text.js'

class ShortstrCache {
  private bytes = Buffer.alloc(256)
  private length = -1
  private text = ''

  /** The string for payload[at, at + n), decoded only when it differs from the previous one. */
  read(payload: Buffer, at: number, n: number): string {
    const bytes = this.bytes
    if (n === this.length) {
      let i = 0
      while (i < n && payload[at + i] === bytes[i]) i++
      if (i === n) return this.text
    }
    payload.copy(bytes, 0, at, at + n)
    this.length = n
    this.text = decodeText(payload, at, at + n)
    return this.text
  }
}

export class PublishDecoder {
  private readonly exchange = new ShortstrCache()
  private readonly routingKey = new ShortstrCache()

  /** The method in payload[start, end) (a frame's span of its chunk). */
  decode(payload: Buffer, start = 0, end = payload.length): Method {
    if (end - start < 9 || payload.readUInt32BE(start) !== MethodId.BasicPublish) return decodeMethod(payload.subarray(start, end))
    const exchangeAt = start + 7
    const exchangeBytes = payload[start + 6]
    const keyLengthAt = exchangeAt + exchangeBytes
    if (keyLengthAt >= end) return decodeMethod(payload.subarray(start, end))
    const keyAt = keyLengthAt + 1
    const keyBytes = payload[keyLengthAt]
    // Exactly one octet of bits after the routing key; more or less is decodeMethod's 501.
    if (keyAt + keyBytes + 1 !== end) return decodeMethod(payload.subarray(start, end))
    const bits = payload[end - 1]
    return {
      id: MethodId.BasicPublish,
      args: {
        ticket: (payload[start + 4] << 8) | payload[start + 5],
        exchange: this.exchange.read(payload, exchangeAt, exchangeBytes),
        routingKey: this.routingKey.read(payload, keyAt, keyBytes),
        mandatory: (bits & 1) !== 0,
        immediate: (bits & 2) !== 0,
      },
    }
  }
}
