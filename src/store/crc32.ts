// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, as zlib and gzip compute it) over a byte
// range. Table-driven, slicing eight bytes per step; zlib's native crc32 for longer ranges where
// Node has it (20.15 and later). Pure; knows nothing of records or files.
import * as zlib from 'node:zlib'

const POLY = 0xedb88320

/** TABLES[k][b]: the CRC of byte b followed by k zero bytes (slice-by-8). */
const TABLES: Int32Array[] = buildTables()

function buildTables(): Int32Array[] {
  const tables: Int32Array[] = []
  const t0 = new Int32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? POLY ^ (c >>> 1) : c >>> 1
    t0[n] = c
  }
  tables.push(t0)
  for (let k = 1; k < 8; k++) {
    const prev = tables[k - 1], t = new Int32Array(256)
    for (let n = 0; n < 256; n++) t[n] = (prev[n] >>> 8) ^ t0[prev[n] & 0xff]
    tables.push(t)
  }
  return tables
}

const [T0, T1, T2, T3, T4, T5, T6, T7] = TABLES

type NativeCrc32 = (data: Uint8Array, value?: number) => number
const nativeCrc32 = (zlib as unknown as { crc32?: NativeCrc32 }).crc32
/**
 * From about this many bytes zlib's crc32 (plus a view of the range) beats the table loop:
 * 1,100 bytes (a 1 KiB message record) 0.8 us against 2.6 us; 64 bytes 0.5 us against 0.2 us
 * (bench/NOTES.md).
 */
const NATIVE_FROM_BYTES = 256

/** The CRC-32 of buf[start, end), continuing from `seed` (the CRC of what came before; 0 to start). */
export function crc32(buf: Uint8Array, start = 0, end = buf.length, seed = 0): number {
  if (nativeCrc32 && end - start >= NATIVE_FROM_BYTES) return nativeCrc32(buf.subarray(start, end), seed)
  return crc32Table(buf, start, end, seed)
}

/** The table-driven CRC, also the reference the native one is tested against. */
export function crc32Table(buf: Uint8Array, start = 0, end = buf.length, seed = 0): number {
  let c = ~seed
  let i = start
  for (const stop = end - 8; i <= stop; i += 8) {
    const lo = c ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24))
    c = T7[lo & 0xff] ^ T6[(lo >>> 8) & 0xff] ^ T5[(lo >>> 16) & 0xff] ^ T4[lo >>> 24] ^
      T3[buf[i + 4]] ^ T2[buf[i + 5]] ^ T1[buf[i + 6]] ^ T0[buf[i + 7]]
  }
  for (; i < end; i++) c = T0[(c ^ buf[i]) & 0xff] ^ (c >>> 8)
  return ~c >>> 0
}
