// Record header encode/decode: buffer-layout (the declared layout) vs the hand-written reader and
// writer in src/store/record-layout.ts, in ops/s, median of 5 rounds.
//   npm run build && node dist/bench/store-record-layout.js
import { logRecordHeaderLayout, recordMessageId, recordQueueId, recordType, writeEventRecord, type LogRecordHeader } from '../src/store/record-layout.js'
import { crc32 } from '../src/store/crc32.js'

const N = 1_000_000
const buf = Buffer.alloc(64)

function opsPerSecond(run: () => void): number {
  const rates: number[] = []
  for (let round = 0; round < 5; round++) {
    const t = performance.now()
    run()
    rates.push(N / ((performance.now() - t) / 1000))
  }
  return rates.sort((a, b) => a - b)[2]
}

let sink = 0
const header: LogRecordHeader = { crc: 0, magic: 0xa7, type: 3, count: 0, length: 12, queueId: 7, messageId: 123456789 }
const results = {
  'encode buffer-layout (header + crc)': opsPerSecond(() => {
    for (let i = 0; i < N; i++) {
      header.messageId = i
      logRecordHeaderLayout.encode(header, buf, 0)
      buf.writeUInt32LE(crc32(buf, 4, 24), 0)
    }
  }),
  'encode hand-written (header + crc)': opsPerSecond(() => {
    for (let i = 0; i < N; i++) writeEventRecord(buf, 0, 3, 7, i)
  }),
  'decode buffer-layout': opsPerSecond(() => {
    for (let i = 0; i < N; i++) {
      const h = logRecordHeaderLayout.decode(buf, 0)
      sink += h.messageId + h.queueId + h.type
    }
  }),
  'decode hand-written': opsPerSecond(() => {
    for (let i = 0; i < N; i++) sink += recordMessageId(buf, 0) + recordQueueId(buf, 0) + recordType(buf, 0)
  }),
}
for (const [name, rate] of Object.entries(results)) console.log(`${name.padEnd(40)} ${(rate / 1e6).toFixed(2)} M ops/s`)
if (sink === -1) console.log(sink)
