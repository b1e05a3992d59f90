// A lazy view over raw content-header property bytes: nothing is decoded until the broker asks
// for a field (delivery-mode, priority, expiration, headers), and then everything once.
//
//   properties := flags(u16, bit 15 = content-type ... bit 2 = cluster-id) then each present field
import { ByteReader } from './byte-reader.js'
import { ByteWriter } from './byte-writer.js'
import { readBasicProperties, writeBasicProperties, type BasicProperties } from './codec.js'

const FLAG_HEADERS = 1 << 13
const FLAG_DELIVERY_MODE = 1 << 12
const FLAG_PRIORITY = 1 << 11
const FLAG_EXPIRATION = 1 << 8

export class LazyProperties {
  private decoded: BasicProperties | undefined

  constructor(readonly raw: Buffer) {}

  get all(): BasicProperties {
    return (this.decoded ??= readBasicProperties(new ByteReader(this.raw)))
  }

  private get flags(): number {
    return this.raw.length >= 2 ? (this.raw[0] << 8) | this.raw[1] : 0
  }

  get deliveryMode(): number | undefined {
    const flags = this.flags
    if ((flags & FLAG_DELIVERY_MODE) === 0) return undefined
    // Fast path: with only content-type/encoding before it absent, delivery-mode is at byte 2.
    if ((flags & 0xe000) === 0) return this.raw[2]
    return this.all.deliveryMode
  }

  get priority(): number | undefined {
    return this.flags & FLAG_PRIORITY ? this.all.priority : undefined
  }

  get expiration(): string | undefined {
    return this.flags & FLAG_EXPIRATION ? this.all.expiration : undefined
  }

  get headers(): Record<string, unknown> | undefined {
    return this.flags & FLAG_HEADERS ? this.all.headers : undefined
  }
}

/** Validates raw properties by decoding them once (a malformed header is a frame error). */
export function checkProperties(raw: Buffer): void {
  readBasicProperties(new ByteReader(raw))
}

/** Views and rewrites raw property bytes; the broker uses it through its PropertiesCodec interface. */
export const propertiesCodec = {
  view: (raw: Buffer): LazyProperties => new LazyProperties(raw),
  /** Decodes, lets `edit` change the plain object (headers, expiration...), and encodes again. */
  rewrite(raw: Buffer, edit: (props: Record<string, unknown>) => void): Buffer {
    const props = readBasicProperties(new ByteReader(raw)) as Record<string, unknown>
    edit(props)
    const w = new ByteWriter(raw.length + 256)
    writeBasicProperties(w, props as BasicProperties)
    return w.takeCopy()
  },
}
