// MessageStore figures: appends/s (buffered, with one sync per batch), index bytes per message,
// and recovery time, for a given message count and body size.
//   npm run build && node --expose-gc dist/bench/store-message-store.js [messages=200000] [bodyBytes=100] [batch=1000]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MessageStore } from '../src/store/message-store.js'

const count = Number(process.argv[2] ?? 200_000), bodyBytes = Number(process.argv[3] ?? 100), batch = Number(process.argv[4] ?? 1000)
const dir = mkdtempSync(join(tmpdir(), 'warren-bench-store-'))
const gc = (globalThis as { gc?: () => void }).gc
const heap = () => { gc?.(); return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers }
const queue = (name: string) => ({ vhost: '/', name, durable: true as const, autoDelete: false, arguments: {} })
const properties = Buffer.from([0x18, 0x00, 0x02, 0x0a, 0x74, 0x65, 0x78, 0x74, 0x2f, 0x70, 0x6c, 0x61, 0x69, 0x6e])
const body = Buffer.alloc(bodyBytes, 0x61)

try {
  let store = await MessageStore.open({ dir, syncIntervalMs: 0 })
  const q = store.putQueue(queue('bench'))
  const q2 = store.putQueue(queue('bench-2'))
  await store.sync()
  const heapBefore = heap()
  let t = performance.now()
  for (let i = 0; i < count; i += batch) {
    for (let j = i; j < Math.min(count, i + batch); j++) store.append([q], { exchange: 'amq.direct', routingKey: 'bench', properties, body })
    await store.sync()
  }
  const appendMs = performance.now() - t
  const heapAfter = heap()
  console.log(`append+sync: ${count} messages of ${bodyBytes} B, sync every ${batch}: ${Math.round(count / (appendMs / 1000))} appends/s, ${store.stats.fsyncs} fsyncs, ${(store.diskBytes() / 2 ** 20).toFixed(1)} MiB on disk`)
  console.log(`index: ${(store.indexBytes() / count).toFixed(1)} bytes/message (typed arrays incl. growth slack); heap+arrayBuffers growth ${((heapAfter - heapBefore) / count).toFixed(1)} bytes/message`)

  t = performance.now()
  for (let i = 0; i < count; i += batch) {
    for (let j = i; j < Math.min(count, i + batch); j++) store.append([q, q2], { exchange: 'amq.fanout', routingKey: '', properties, body })
  }
  await store.sync()
  console.log(`append to 2 queues, one sync at the end: ${Math.round(count / ((performance.now() - t) / 1000))} appends/s`)
  await store.close()

  t = performance.now()
  store = await MessageStore.open({ dir, syncIntervalMs: 0 })
  const openMs = performance.now() - t
  t = performance.now()
  const recovered = store.recovered(q).length + store.recovered(q2).length
  const readMs = performance.now() - t
  console.log(`recovery: open ${openMs.toFixed(0)} ms (summary ${JSON.stringify(store.summary)}), recovered() of ${recovered} queued messages ${readMs.toFixed(0)} ms`)

  t = performance.now()
  const ids = store.recovered(q2).map((m) => m.id)
  for (const id of ids) { store.remove(q, id); store.remove(q2, id) }
  await store.sync()
  console.log(`remove ${ids.length} from 2 queues + sync: ${Math.round((2 * ids.length) / ((performance.now() - t) / 1000))} removes/s; disk now ${(store.diskBytes() / 2 ** 20).toFixed(1)} MiB`)
  await store.close()
} finally {
  rmSync(dir, { recursive: true, force: true })
}
