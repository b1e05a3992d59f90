// How long broker.reset() takes on a broker holding 1,000 queues (each bound to amq.direct and
// holding a message), 7 rounds, median. Goal: under 10 ms. Run: npm run build && node dist/bench/reset.js
import amqp from 'amqplib'
import { startBroker } from '../src/index.js'
import { summary } from './stats.js'

const QUEUES = 1000
const ROUNDS = 7

async function main(): Promise<void> {
  const broker = await startBroker({ port: 0, logLevel: 'silent' })
  const times: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const conn = await amqp.connect(broker.url)
    conn.on('error', () => {}) // reset() closes it with 320, as intended
    const ch = await conn.createChannel()
    for (let i = 0; i < QUEUES; i++) {
      const q = `bench-reset-${i}`
      await ch.assertQueue(q, { durable: false })
      await ch.bindQueue(q, 'amq.direct', q)
      ch.sendToQueue(q, Buffer.from('x'))
    }
    await ch.assertQueue(`bench-reset-${QUEUES - 1}`, { durable: false }) // a round trip: every publish above has arrived
    const started = performance.now()
    await broker.reset()
    times.push(performance.now() - started)
    if (broker.queues().length !== 0) throw new Error('reset left queues behind')
  }
  await broker.close()
  console.log(`reset(): ms with ${QUEUES} queues, bindings and messages, ${ROUNDS} rounds (node dist/bench/reset.js)`)
  console.log(`  reset ${summary(times, 2)} ms`)
}

await main()
