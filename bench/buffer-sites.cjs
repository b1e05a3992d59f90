// Which code holds the C heap's buffers: preloaded into a broker, wraps Buffer's allocating calls
// and counts, per call site in dist/src, the bytes of buffers of 4 KiB or more (and of Node's 8 KiB
// pool slabs, named by the call that started one) that are still allocated, i.e. not yet collected.
// Every 2 s it writes the sites now and at the peak to <tmpdir>/buffer-sites.<pid>.txt.
// A measuring aid only: it slows the broker. Run, e.g. with the soak (which passes NODE_OPTIONS on):
//   NODE_OPTIONS="--require ./bench/buffer-sites.cjs" node dist/bench/soak.js --seconds 30 --seed 1 --restarts 0
'use strict'
const { writeFileSync } = require('node:fs')
const { join } = require('node:path')
const { tmpdir } = require('node:os')

const TRACKED_BYTES = 4096
const sites = new Map()
let liveBytes = 0, peakBytes = 0, peakReport = ''
const collected = new FinalizationRegistry(({ site, bytes }) => {
  const s = sites.get(site)
  s.liveBytes -= bytes
  s.live--
  liveBytes -= bytes
})

function callSite() {
  const frames = new Error().stack.split('\n').slice(3)
  const ours = frames.find((l) => l.includes('/dist/src/')) ?? frames[0] ?? '?'
  return ours.trim().replace(/.*\/dist\/src\//, '').replace(/\)$/, '')
}

function track(buf) {
  const isNewSlab = buf.length < TRACKED_BYTES && buf.byteOffset === 0 && buf.buffer.byteLength === Buffer.poolSize
  if (buf.length < TRACKED_BYTES && !isNewSlab) return buf
  const site = (isNewSlab ? 'pool slab from ' : '') + callSite()
  const bytes = buf.buffer.byteLength
  let s = sites.get(site)
  if (!s) sites.set(site, (s = { liveBytes: 0, live: 0, calls: 0, totalBytes: 0 }))
  s.liveBytes += bytes
  s.live++
  s.calls++
  s.totalBytes += bytes
  liveBytes += bytes
  collected.register(buf.buffer, { site, bytes })
  if (liveBytes > peakBytes) {
    peakBytes = liveBytes
    peakReport = report() // costly, but only while the peak rises
  }
  return buf
}

function report() {
  const kib = (n) => `${Math.round(n / 1024)} KiB`
  return [...sites].filter(([, s]) => s.liveBytes > 0).sort((a, b) => b[1].liveBytes - a[1].liveBytes).slice(0, 12)
    .map(([site, s]) => `${kib(s.liveBytes).padStart(10)} in ${s.live} (${s.calls} allocated, ${(s.totalBytes / 2 ** 20).toFixed(0)} MiB in all)  ${site}`).join('\n')
}

for (const name of ['alloc', 'allocUnsafe', 'allocUnsafeSlow', 'concat', 'from']) {
  const original = Buffer[name]
  Buffer[name] = function (...args) {
    const buf = original.apply(this, args)
    // Buffer.from(arrayBuffer) is a view, not an allocation.
    return args[0] instanceof ArrayBuffer ? buf : track(buf)
  }
}

const out = join(tmpdir(), `buffer-sites.${process.pid}.txt`)
setInterval(() => {
  const mib = (n) => (n / 2 ** 20).toFixed(1)
  writeFileSync(out, `not yet collected: ${mib(liveBytes)} MiB, peak ${mib(peakBytes)} MiB\n\nnow\n${report()}\n\nat the peak\n${peakReport}\n`)
}, 2000).unref()
