// Shared helpers for the store's unit tests: temporary data directories, messages, an io wrapper
// that counts and can fail or hold fsyncs, and copying a store's files as a killed process leaves them.
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import { MessageStore, type StoreOptions, type StoredMessage } from '../../../src/store/message-store.js'
import { nodeIo, type StoreIo } from '../../../src/store/store-io.js'
import { LOCK_FILE } from '../../../src/store/lock-file.js'

const dirs: string[] = []
const open: MessageStore[] = []

afterEach(async () => {
  for (const s of open.splice(0)) await s.close().catch(() => undefined)
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'warren-store-'))
  dirs.push(dir)
  return dir
}

/** Opens a store closed after the test; no background syncs unless asked. */
export async function openStore(dir: string, options: Partial<StoreOptions> = {}): Promise<MessageStore> {
  const store = await MessageStore.open({ dir, syncIntervalMs: 0, ...options })
  open.push(store)
  return store
}

export function message(n: number, bodyBytes = 16): StoredMessage {
  const body = Buffer.alloc(bodyBytes, n & 0xff)
  body.write(`m${n}:`, 0)
  return { exchange: 'amq.direct', routingKey: `key.${n % 7}`, properties: Buffer.from([0x90, 0x00, n & 0xff, 2]), body }
}

export const queueDef = (name: string) => ({ vhost: '/', name, durable: true as const, autoDelete: false, arguments: {} })

/** The files of a store directory as a process killed now leaves them (written data, no lock). */
export function copyAsCrashed(from: string): string {
  const to = tempDir()
  for (const name of readdirSync(from)) if (name !== LOCK_FILE) cpSync(join(from, name), join(to, name))
  return to
}

/** Node's io with fsyncs counted, and fdatasync/writev replaceable per test. */
export class TestIo implements StoreIo {
  fdatasyncs = 0
  failFsync: Error | undefined
  failWrite: Error | undefined
  /** When set, each writev waits this many ms and writes only its first buffer (a short write). */
  slowShortWritesMs: number | undefined
  /** When set, fdatasync waits for release(). */
  private held: (() => void)[] | undefined

  writev(fd: number, buffers: Buffer[], position: number, done: (err: Error | null, n: number) => void): void {
    if (this.failWrite) return void setImmediate(() => done(this.failWrite as Error, 0))
    if (this.slowShortWritesMs !== undefined) return void setTimeout(() => nodeIo.writev(fd, buffers.slice(0, 1), position, done), this.slowShortWritesMs)
    nodeIo.writev(fd, buffers, position, done)
  }

  fdatasync(fd: number, done: (err: Error | null) => void): void {
    this.fdatasyncs++
    const run = () => (this.failFsync ? setImmediate(() => done(this.failFsync as Error)) : nodeIo.fdatasync(fd, done))
    if (this.held) this.held.push(run)
    else run()
  }

  fsyncDir(fd: number, done: (err: Error | null) => void): void {
    nodeIo.fsyncDir(fd, done)
  }

  unlink(path: string, done: (err: Error | null) => void): void {
    nodeIo.unlink(path, done)
  }

  get heldCount(): number {
    return this.held?.length ?? 0
  }

  hold(): void {
    this.held = []
  }

  /** Runs the held fsyncs; returns how many there were. */
  release(): number {
    const held = this.held ?? []
    this.held = undefined
    for (const run of held) run()
    return held.length
  }
}

/** A logger that keeps what was logged at error and warn. */
export function recordingLog() {
  const errors: object[] = [], warnings: object[] = []
  const ignore = () => undefined
  return { errors, warnings, log: { info: ignore, debug: ignore, warn: (o: object) => void warnings.push(o), error: (o: object) => void errors.push(o) } }
}
