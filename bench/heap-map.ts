// Where the C heap's memory sits in a running process (Linux, glibc): walks the chunks of the main
// arena (the `[heap]` mapping) through /proc/<pid>/mem and prints, per MiB of heap, the bytes in
// live and in free chunks, plus the largest live chunks, and how much of the mapping is resident.
// It shows why RSS does not come back after a load by itself (bench/SOAK.md): glibc gives memory
// back only from the top of the heap, and small live blocks spread through it keep the free chunks
// between them resident until malloc_trim returns their pages (the idle release does, src/native).
// Run (as a user allowed to read the process's memory): node dist/bench/heap-map.js <pid>
// (its first line splits the process's resident memory by kind: files, heap, V8 pages, arenas).
import { openSync, readFileSync, readSync, closeSync } from 'node:fs'

const MiB = 2 ** 20
/** glibc chunk header: prev_size (8 bytes) then size with flag bits; PREV_INUSE is bit 0. */
const SIZE_AT = 8
const FLAG_BITS = 7n
const PREV_INUSE = 1n

export interface HeapBand { live: number; free: number; largestLive: number[] }
export interface HeapMap { heapBytes: number; residentBytes: number; liveBytes: number; freeBytes: number; topFreeBytes: number; bands: Map<number, HeapBand> }

/** The [heap] mapping's resident bytes: free pages malloc_trim gave back are mapped but not resident. */
function residentHeapBytes(pid: number): number {
  const smaps = readFileSync(`/proc/${pid}/smaps`, 'utf8')
  const at = smaps.search(/ \[heap\]\n/)
  const m = at < 0 ? null : /\nRss:\s+(\d+) kB/.exec(smaps.slice(at))
  return m ? Number(m[1]) * 1024 : 0
}

export function mapHeap(pid: number): HeapMap {
  const maps = readFileSync(`/proc/${pid}/maps`, 'utf8')
  const m = /^([0-9a-f]+)-([0-9a-f]+) .*\[heap\]$/m.exec(maps)
  if (!m) throw new Error(`process ${pid} has no [heap] mapping`)
  const start = BigInt(`0x${m[1]}`), end = BigInt(`0x${m[2]}`)
  const heap = Buffer.alloc(Number(end - start))
  const fd = openSync(`/proc/${pid}/mem`, 'r')
  try {
    readSync(fd, heap, 0, heap.length, start)
  } finally {
    closeSync(fd)
  }
  // Chunk i is in use when chunk i+1 says its predecessor is (tcache and fastbin chunks count as
  // live: glibc marks them so, and they are small).
  const chunks: Array<{ at: number; size: number }> = []
  for (let at = 0; at + 16 <= heap.length;) {
    const size = Number(heap.readBigUInt64LE(at + SIZE_AT) & ~FLAG_BITS)
    if (size === 0 || at + size > heap.length) break
    chunks.push({ at, size })
    at += size
  }
  const bands = new Map<number, HeapBand>()
  let liveBytes = 0, freeBytes = 0
  for (let i = 0; i + 1 < chunks.length; i++) {
    const { at, size } = chunks[i]
    const live = (heap.readBigUInt64LE(chunks[i + 1].at + SIZE_AT) & PREV_INUSE) !== 0n
    const band = bands.get(Math.floor(at / MiB)) ?? { live: 0, free: 0, largestLive: [] }
    bands.set(Math.floor(at / MiB), band)
    if (live) {
      liveBytes += size
      band.live += size
      if (size >= 4096) band.largestLive.push(size)
    } else {
      freeBytes += size
      band.free += size
    }
  }
  const top = chunks[chunks.length - 1]
  return { heapBytes: heap.length, residentBytes: residentHeapBytes(pid), liveBytes, freeBytes, topFreeBytes: top?.size ?? 0, bands }
}

/**
 * Resident memory by kind, from /proc/<pid>/smaps: the executable and other files, glibc's main
 * heap, V8's 256 KiB heap pages, the malloc arenas of worker threads (64 MiB-aligned anonymous
 * mappings) and the rest of the anonymous memory.
 */
export function residentByKind(pid: number): Record<string, number> {
  const kinds: Record<string, number> = { files: 0, '[heap]': 0, 'v8 pages': 0, 'thread arenas': 0, 'other anonymous': 0 }
  let kind = 'other anonymous'
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line)
    if (m) {
      const start = BigInt(`0x${m[1]}`), bytes = Number(BigInt(`0x${m[2]}`) - start), name = m[3]
      kind = name.startsWith('/') ? 'files' : name === '[heap]' ? '[heap]' : name ? 'other anonymous'
        : bytes === 256 * 1024 ? 'v8 pages' : start % BigInt(64 * MiB) === 0n ? 'thread arenas' : 'other anonymous'
      continue
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line)
    if (rss) kinds[kind] += Number(rss[1]) * 1024
  }
  return kinds
}

if (process.argv[1]?.endsWith('heap-map.js')) {
  const pid = Number(process.argv[2])
  if (!Number.isInteger(pid)) throw new Error('usage: node dist/bench/heap-map.js <pid>')
  const h = mapHeap(pid)
  const mib = (n: number) => (n / MiB).toFixed(1)
  console.log(`resident: ${Object.entries(residentByKind(pid)).map(([k, v]) => `${k} ${mib(v)} MiB`).join(', ')}`)
  console.log(`[heap] ${mib(h.heapBytes)} MiB (${mib(h.residentBytes)} resident): live ${mib(h.liveBytes)}, free ${mib(h.freeBytes)}, free at the top (what glibc could trim) ${mib(h.topFreeBytes)}`)
  for (const [band, b] of [...h.bands].sort((x, y) => x[0] - y[0])) {
    const largest = b.largestLive.sort((x, y) => y - x).slice(0, 5).map((n) => `${Math.round(n / 1024)}K`).join(' ')
    console.log(`${String(band).padStart(4)} MiB  live ${String(Math.round(b.live / 1024)).padStart(6)} KiB  free ${String(Math.round(b.free / 1024)).padStart(6)} KiB  ${largest}`)
  }
}
