// Socket backpressure with the broker as a child process (`node bin/warren.js --port 0 --data-dir
// <tmp>`, the default on-disk mode): a consumer that reads nothing while 200,000 messages of 1 KiB
// are published keeps the broker under 350 MiB RSS (what waits for a slow socket is a bounded
// window; the backlog beyond the queue's memory budget is paged to disk), and once it reads, it
// gets every message once and in order.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import amqp from 'amqplib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FrameType, MethodId } from '../../src/wire/codec.js'
import { isExternalBroker, waitFor, withTimeout } from '../support/broker.js'
import { RawClient } from '../support/raw-client.js'
import { startChildBroker, type ChildBroker } from '../support/child-broker.js'

const MESSAGES = 200_000
const BODY_BYTES = 1024
const BATCH = 2000
/** The acceptance target (issue "Routing and delivery", line 6); the payload alone is 195 MiB. */
const RSS_LIMIT_MIB = 350

/** Deliveries the broker may buffer for one socket (config socketHighWaterBytes is 1 MiB) plus GC noise. */
const BACKPRESSURE_SLACK_MIB = 64
/** Deliveries that may sit in the broker's and both kernels' socket buffers (~22 MiB of frames). */
const MAX_IN_FLIGHT = 20_000

const children: ChildBroker[] = []
const root = new URL('../../', import.meta.url).pathname
const rssMiB = (child: ChildBroker) => child.rssBytes() / (1024 * 1024)

const dataDirs: string[] = []

/** `node bin/warren.js --port 0 --data-dir <tmp>`, stopped (and its directory removed) in afterAll. */
async function startChild(): Promise<ChildBroker> {
  const dataDir = mkdtempSync(join(tmpdir(), 'warren-flow-'))
  dataDirs.push(dataDir)
  const child = await startChildBroker(['--data-dir', dataDir])
  children.push(child)
  return child
}

/** Publishes MESSAGES bodies numbered in their first 4 bytes, paced by confirms; returns the peak RSS seen and the ready count. */
async function publishAll(child: ChildBroker, queue: string): Promise<{ peakMiB: number; publishMs: number; ready: number }> {
  const publisher = await amqp.connect(child.url)
  const ch = await publisher.createConfirmChannel()
  await ch.assertQueue(queue, { durable: false })
  const body = Buffer.alloc(BODY_BYTES, 0x61)
  let peakMiB = 0
  const startedMs = Date.now()
  for (let sent = 0; sent < MESSAGES; sent += BATCH) {
    for (let i = sent; i < sent + BATCH; i++) {
      const b = Buffer.from(body)
      b.writeUInt32BE(i, 0)
      ch.publish('', queue, b)
    }
    await ch.waitForConfirms()
    peakMiB = Math.max(peakMiB, rssMiB(child))
  }
  const publishMs = Date.now() - startedMs
  const { messageCount } = await ch.checkQueue(queue)
  await publisher.close()
  return { peakMiB, publishMs, ready: messageCount }
}

/**
 * `npx tsc -p tsconfig.build.json`, so the child runs the sources under test. tsc emits even when
 * it reports errors; only errors in what the broker runs (src/, spec/) fail the test.
 */
async function buildDist(): Promise<void> {
  try {
    await promisify(execFile)('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, timeout: 60_000 })
  } catch (err) {
    const output = String((err as { stdout?: string }).stdout ?? '')
    const brokerErrors = output.split('\n').filter((line) => /^(src|spec)\//.test(line))
    if (brokerErrors.length > 0 || !output) throw new Error(`build failed:\n${brokerErrors.join('\n') || String(err)}`)
  }
}

beforeAll(async () => {
  if (isExternalBroker()) return
  await buildDist()
}, 90_000)

afterAll(async () => {
  for (const child of children) {
    if (child.process.exitCode !== null) continue
    child.process.kill('SIGTERM')
    await withTimeout(child.exited, 10_000, 'a child broker to exit')
  }
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true })
})

describe.skipIf(isExternalBroker())('socket backpressure', () => {
  it(`keeps the broker's memory bounded while a consumer reads nothing, then delivers all ${MESSAGES} in order`, async () => {
    // Control: the same messages into a queue nobody consumes, on a broker of its own. What the
    // queue itself costs in memory is the floor; a paused consumer may add only its socket buffer.
    const control = await startChild()
    const controlPublish = await publishAll(control, 'flow-control')
    const controlMiB = rssMiB(control)

    const child = await startChild()
    const baselineMiB = rssMiB(child)
    const queue = 'flow-control'

    // The consumer: a raw socket that subscribes (manual ack, no prefetch limit, so only socket
    // backpressure can stop deliveries, and each buffered one also stays unacked) and stops reading.
    const consumer = await RawClient.open(child.port)
    await consumer.handshake()
    await consumer.openChannel(1)
    consumer.send(1, { id: MethodId.QueueDeclare, args: { ticket: 0, queue, passive: false, durable: false, exclusive: false, autoDelete: false, nowait: false, arguments: {} } })
    await consumer.expectMethod(1, MethodId.QueueDeclareOk)
    consumer.send(1, { id: MethodId.BasicConsume, args: { ticket: 0, queue, consumerTag: 'slow', noLocal: false, noAck: false, exclusive: false, nowait: false, arguments: {} } })
    await consumer.expectMethod(1, MethodId.BasicConsumeOk)
    let delivered = 0
    let outOfOrder = 0
    consumer.stream((type, _channel, payload) => {
      if (type !== FrameType.Body) return
      if (payload.readUInt32BE(0) !== delivered) outOfOrder++
      delivered++
    })
    consumer.socket.pause()

    const { peakMiB, publishMs, ready } = await publishAll(child, queue)
    const afterPublishMiB = rssMiB(child)
    const deliveredWhilePaused = delivered
    console.log(
      `flow-control: ${MESSAGES} x ${BODY_BYTES} B published in ${publishMs} ms (control ${controlPublish.publishMs} ms). ` +
        `Broker RSS: baseline ${baselineMiB.toFixed(0)} MiB; with a paused consumer ${afterPublishMiB.toFixed(0)} MiB ` +
        `(peak ${peakMiB.toFixed(0)}); with no consumer at all ${controlMiB.toFixed(0)} MiB ` +
        `(peak ${controlPublish.peakMiB.toFixed(0)}); target ${RSS_LIMIT_MIB} MiB. ${MESSAGES - ready} handed to the paused socket`,
    )
    // Deliveries stopped once the socket was full: nearly everything is still ready in the queue.
    expect(ready).toBeGreaterThan(MESSAGES - MAX_IN_FLIGHT)
    // The paused consumer costs no more than its bounded socket buffer on top of the queue itself,
    // and the whole broker stays under the target.
    expect(peakMiB).toBeLessThan(Math.max(controlPublish.peakMiB, controlMiB) + BACKPRESSURE_SLACK_MIB)
    expect(peakMiB).toBeLessThan(RSS_LIMIT_MIB)
    expect(deliveredWhilePaused).toBe(0) // nothing was read yet: the stream handler never ran

    // Now read: every message arrives once, in order.
    consumer.socket.resume()
    await waitFor(() => delivered >= MESSAGES, 30_000, `${MESSAGES} deliveries`)
    expect(delivered).toBe(MESSAGES)
    expect(outOfOrder).toBe(0)
    // Delivery tags run 1..MESSAGES on the channel: ack them all, then close cleanly.
    consumer.send(1, { id: MethodId.BasicAck, args: { deliveryTag: MESSAGES, multiple: true } })
    consumer.send(0, { id: MethodId.ConnectionClose, args: { replyCode: 200, replyText: 'bye', classId: 0, methodId: 0 } })
    await consumer.waitClosed(10_000)
  }, 60_000)
})
