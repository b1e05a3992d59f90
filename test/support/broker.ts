// Starts a Warren broker in-process on 127.0.0.1, port 0, in memory (or on a fresh temporary
// data directory), and opens amqplib connections to it that the test closes again.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import amqp from 'amqplib'
import { startBroker, type BrokerOptions, type WarrenBroker } from '../../src/index.js'

export interface TestBroker extends WarrenBroker {
  readonly dataDir: string | undefined
}

export async function startTestBroker(options: BrokerOptions & { onDisk?: boolean } = {}): Promise<TestBroker> {
  const dataDir = options.onDisk ? (options.dataDir ?? mkdtempSync(join(tmpdir(), 'warren-test-'))) : undefined
  const broker = await startBroker({
    port: 0,
    host: '127.0.0.1',
    logLevel: (process.env.WARREN_LOG_LEVEL as BrokerOptions['logLevel']) ?? 'silent',
    ...options,
    dataDir,
    inMemory: !dataDir,
  })
  return Object.assign(broker, { dataDir })
}

export function removeDataDir(broker: TestBroker): void {
  if (broker.dataDir) rmSync(broker.dataDir, { recursive: true, force: true })
}

export type Connection = Awaited<ReturnType<typeof amqp.connect>>
export type Channel = Awaited<ReturnType<Connection['createChannel']>>
export type ConfirmChannel = Awaited<ReturnType<Connection['createConfirmChannel']>>

/** An amqplib connection that records its 'error' events instead of crashing the test. */
export async function connect(broker: { url: string }, vhost = ''): Promise<Connection & { errors: Error[] }> {
  const conn = await amqp.connect(broker.url + (vhost ? `/${encodeURIComponent(vhost)}` : ''))
  const errors: Error[] = []
  conn.on('error', (e: Error) => errors.push(e))
  return Object.assign(conn, { errors })
}

/** A channel whose 'error' event (a channel.close from the broker) is recorded. */
export async function openChannel(conn: Connection): Promise<Channel & { errors: Error[] }> {
  const ch = await conn.createChannel()
  const errors: Error[] = []
  ch.on('error', (e: Error) => errors.push(e))
  return Object.assign(ch, { errors })
}

export async function openConfirmChannel(conn: Connection): Promise<ConfirmChannel & { errors: Error[] }> {
  const ch = await conn.createConfirmChannel()
  const errors: Error[] = []
  ch.on('error', (e: Error) => errors.push(e))
  return Object.assign(ch, { errors })
}

/** Resolves when `check` returns true, polling each event-loop turn; rejects after timeoutMs. */
export async function waitFor(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setImmediate(r))
  }
}

/** Closes quietly: a connection the broker already closed may reject. */
export async function closeQuietly(c: { close(): Promise<void> }): Promise<void> {
  try {
    await c.close()
  } catch {
    // already closed by the broker or the test
  }
}
