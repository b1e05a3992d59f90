// Starts a Warren broker in-process on 127.0.0.1, port 0, in memory (or on a fresh temporary
// data directory), and opens amqplib connections to it that the test closes again.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import amqp from 'amqplib'
import { expect } from 'vitest'
import { startBroker, type BrokerOptions, type WarrenBroker } from '../../src/index.js'

export interface TestBroker extends WarrenBroker {
  readonly dataDir: string | undefined
}

export async function startTestBroker(options: BrokerOptions & { onDisk?: boolean } = {}): Promise<TestBroker> {
  if (process.env.WARREN_TEST_URL) return externalBroker(process.env.WARREN_TEST_URL)
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

/**
 * WARREN_TEST_URL=amqp://guest:guest@127.0.0.1:5674 runs the tests that need only a URL against
 * another broker (RabbitMQ), to check that our expectations are RabbitMQ's. Inspection and
 * reset() are Warren's own and throw there.
 */
function externalBroker(url: string): TestBroker {
  const unsupported = () => {
    throw new Error('not available against an external broker')
  }
  // Only url and port are meaningful; the rest of Warren's handle is absent (a cast, not a lie:
  // tests that need more skip with isExternalBroker()).
  return {
    url, port: Number(new URL(url).port), dataDir: undefined,
    close: async () => {}, reset: unsupported, queues: unsupported, messages: unsupported,
  } as unknown as TestBroker
}

export const isExternalBroker = (): boolean => Boolean(process.env.WARREN_TEST_URL)

let nameCounter = 0
/** A queue or exchange name no other test uses (tests may share a broker). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${++nameCounter}`
}

/** Rejects if `promise` has not settled within timeoutMs. */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** The next `event` from an emitter (its first argument), within timeoutMs. */
export function nextEvent<T = unknown>(emitter: NodeJS.EventEmitter, event: string, timeoutMs = 5000): Promise<T> {
  let listener: ((v: T) => void) | undefined
  const happened = new Promise<T>((resolve) => {
    listener = resolve
    emitter.once(event, listener)
  })
  return withTimeout(happened, timeoutMs, `'${event}'`).finally(() => emitter.off(event, listener!))
}

export type Message = import('amqplib').ConsumeMessage
export type GetMessage = import('amqplib').GetMessage

/** basic.get that must find a message. */
export async function getOne(ch: Channel, queue: string, options: { noAck?: boolean } = {}): Promise<GetMessage> {
  const m = await ch.get(queue, options)
  if (m === false) throw new Error(`queue '${queue}' unexpectedly empty`)
  return m
}

/** Consumes until n messages arrived (or timeout); returns them in arrival order. */
export async function consumeN(ch: Channel, queue: string, n: number, options: import('amqplib').Options.Consume = {}, timeoutMs = 5000): Promise<{ messages: Message[]; consumerTag: string }> {
  const messages: Message[] = []
  const { consumerTag } = await ch.consume(queue, (m) => m && messages.push(m), options)
  await waitFor(() => messages.length >= n, timeoutMs, `${n} messages from '${queue}'`)
  return { messages, consumerTag }
}

/** Resolves when amqplib has finished closing the connection (after a server close or socket end). */
export function connectionClosed(conn: Connection, timeoutMs = 5000): Promise<unknown> {
  return nextEvent(conn as unknown as NodeJS.EventEmitter, 'close', timeoutMs)
}

/** Takes every ready message from a queue with basic.get (no-ack); returns their bodies as text. */
export async function drain(ch: Channel, queue: string): Promise<string[]> {
  const bodies: string[] = []
  for (;;) {
    const m = await ch.get(queue, { noAck: true })
    if (m === false) return bodies
    bodies.push(m.content.toString())
  }
}

/** Matches the error amqplib gives when the server closed the channel or connection: code and exact text. */
export function closedWith(code: number, text: string): { code: number; message: unknown } {
  return { code, message: expect.stringContaining(`with message "${text}"`) }
}

/** amqplib has no tx API; its channel's rpc() sends tx.select/commit/rollback and awaits the -ok. */
export type TxVerb = 'select' | 'commit' | 'rollback'
const TX_METHODS: Record<TxVerb, [number, number]> = {
  select: [0x005a000a, 0x005a000b],
  commit: [0x005a0014, 0x005a0015],
  rollback: [0x005a001e, 0x005a001f],
}
export async function tx(ch: Channel, verb: TxVerb): Promise<void> {
  const [method, ok] = TX_METHODS[verb]
  await (ch as unknown as { rpc(m: number, f: object, e: number): Promise<unknown> }).rpc(method, {}, ok)
}

/** Polls passive queue.declare until the queue reports `count` ready messages (publishes are asynchronous in RabbitMQ). */
export async function waitForReady(ch: Channel, queue: string, count: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const { messageCount } = await ch.checkQueue(queue)
    if (messageCount === count) return
    if (Date.now() > deadline) throw new Error(`queue '${queue}' has ${messageCount} ready messages, expected ${count}`)
  }
}

/** Fresh temporary data directories for a test file, removed after each test. */
export function tempDataDirs(prefix: string): { fresh(): string; removeAll(): void } {
  const dirs: string[] = []
  return {
    fresh() {
      const d = mkdtempSync(join(tmpdir(), prefix))
      dirs.push(d)
      return d
    },
    removeAll() {
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
    },
  }
}
