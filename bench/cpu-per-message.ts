// Broker CPU time per delivered message: a steadier yardstick than msg/s on a shared machine, where
// other work changes throughput from run to run far more than a constant-factor change does.
// Starts Warren's CLI, sends a fixed count through 1 publisher -> 1 queue -> 1 consumer with the
// load generator, and divides the broker's user+system time (/proc/<pid>/stat) by the count.
//   node dist/bench/cpu-per-message.js [--messages N] [--body BYTES] [--batch N] [--persistent] [--rounds N]
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { startWarren, stopAll } from './brokers.js'
import { RawClient } from './loadgen/amqp-client.js'
import { Worker } from './loadgen/spawn.js'
import type { ConsumeResult, PublishResult } from './loadgen/jobs.js'
import { median } from './stats.js'

const { values: opts } = parseArgs({
  options: {
    messages: { type: 'string', default: '500000' },
    body: { type: 'string', default: '16' },
    batch: { type: 'string', default: '500' },
    persistent: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
  },
})
const count = Number(opts.messages), bodyBytes = Number(opts.body), batch = Number(opts.batch), rounds = Number(opts.rounds)
const persistent = opts.persistent
const CAP_MS = 60_000
/** Clock ticks per second for /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_S = 100

function cpuTicks(pid: number): number {
  // Fields after the command name: utime and stime are the 12th and 13th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return Number(fields[11]) + Number(fields[12])
}

async function round(): Promise<{ usPerMessage: number, deliveredPerS: number }> {
  const broker = await startWarren({ persistent })
  const workers: Worker[] = []
  try {
    const q = 'bench.cpu'
    const c = await RawClient.open(broker.port)
    await c.openChannel(1)
    await c.declareQueue(1, q, { durable: persistent })
    await c.close()
    const consumer = await Worker.start({ role: 'consume', port: broker.port, queues: [q], prefetch: 1000, countPerQueue: count, timeCapMs: CAP_MS, latency: false })
    workers.push(consumer)
    const publisher = await Worker.start({
      role: 'publish', port: broker.port, exchange: '', routingKeys: [q], bodyBytes, persistent, count, timeCapMs: CAP_MS, batch,
      confirmWindow: persistent ? 1000 : 0,
    })
    workers.push(publisher)
    const before = cpuTicks(broker.pid)
    consumer.go()
    publisher.go()
    const p = await publisher.result<PublishResult>(CAP_MS + 30_000)
    const r = await consumer.result<ConsumeResult>(CAP_MS + 30_000)
    const ticks = cpuTicks(broker.pid) - before
    if (r.received === 0) throw new Error('nothing delivered')
    return { usPerMessage: (ticks / TICKS_PER_S) * 1e6 / r.received, deliveredPerS: (r.received * 1000) / (r.last - p.started) }
  } finally {
    for (const w of workers) w.kill()
    await broker.stop()
  }
}

const results: { usPerMessage: number, deliveredPerS: number }[] = []
for (let i = 0; i < rounds; i++) {
  const r = await round()
  results.push(r)
  console.log(`round ${i + 1}: ${r.usPerMessage.toFixed(2)} us broker CPU per message, ${Math.round(r.deliveredPerS).toLocaleString('en-US')} delivered msg/s`)
}
console.log(`median: ${median(results.map((r) => r.usPerMessage)).toFixed(2)} us per message (${count.toLocaleString('en-US')} x ${bodyBytes} B${persistent ? ' persistent, confirms' : ''}, ${rounds} rounds)`)
await stopAll()
