// Durable exchanges, queues (with their store ids) and bindings: an append log of put/delete
// records, replayed and compacted at open (written whole to a temporary file, fsynced, renamed
// over). Must not know messages; fsync of appended records is left to the group commit.
//
//   definitions.log:  frame (record-layout.ts) | frame | ...      frame type = DefinitionRecord,
//                     payload = JSON, arguments in argument-codec.ts's lossless form
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { canonicalArguments, decodeArguments, encodeArguments, type TaggedValueFactory } from './argument-codec.js'
import { CORRUPT, FRAME_BYTES, checkRecord, encodeFrame, recordType } from './record-layout.js'
import type { SideFile } from './group-commit.js'
import type { StoreLog } from './store-log.js'

export interface ExchangeDefinition {
  vhost: string; name: string; type: string; durable: true; autoDelete: boolean; internal: boolean; arguments: Record<string, unknown>
}
export interface QueueDefinition { vhost: string; name: string; durable: true; autoDelete: boolean; arguments: Record<string, unknown> }
export interface BindingDefinition {
  vhost: string; source: string; destination: string; destinationKind: 'queue' | 'exchange'; bindingKey: string; arguments: Record<string, unknown>
}
export type StoredQueueDefinition = QueueDefinition & { id: number }

const DefinitionRecord = {
  PutExchange: 1, DeleteExchange: 2, PutQueue: 3, DeleteQueue: 4, PutBinding: 5, DeleteBinding: 6, NextQueueId: 7,
} as const

export const DEFINITIONS_FILE = 'definitions.log'

export interface DefinitionsOptions {
  dir: string
  dirFd: number
  log: StoreLog
  taggedValue?: TaggedValueFactory
  /** Called when appending a record fails; the store then fails every sync. */
  onWriteError: (err: Error) => void
}

const nameKey = (vhost: string, name: string) => `${vhost}\u0000${name}`
const bindingKey = (b: BindingDefinition) =>
  JSON.stringify([b.vhost, b.source, b.destination, b.destinationKind, b.bindingKey, canonicalArguments(b.arguments)])

export class Definitions implements SideFile {
  fd = -1
  writeCount = 0
  /** Bytes cut from a torn or corrupt tail at open. */
  tornBytes = 0
  private readonly exchangeMap = new Map<string, ExchangeDefinition>()
  private readonly queueMap = new Map<string, StoredQueueDefinition>()
  private readonly queueById = new Map<number, StoredQueueDefinition>()
  private readonly bindingMap = new Map<string, BindingDefinition>()
  private nextQueueId = 1

  private constructor(private readonly options: DefinitionsOptions) {}

  /** Replays definitions.log, rewrites it compacted (crash safe), and opens it for appending. */
  static open(options: DefinitionsOptions): Definitions {
    const defs = new Definitions(options)
    const path = join(options.dir, DEFINITIONS_FILE)
    if (existsSync(path)) defs.replay(readFileSync(path))
    defs.compact(path)
    defs.fd = openSync(path, 'a')
    return defs
  }

  exchanges(): ExchangeDefinition[] {
    return [...this.exchangeMap.values()]
  }

  queues(): StoredQueueDefinition[] {
    return [...this.queueMap.values()]
  }

  bindings(): BindingDefinition[] {
    return [...this.bindingMap.values()]
  }

  hasQueue(id: number): boolean {
    return this.queueById.has(id)
  }

  putExchange(def: ExchangeDefinition): void {
    const stored = this.exchange(def)
    this.exchangeMap.set(nameKey(def.vhost, def.name), stored)
    this.append(DefinitionRecord.PutExchange, { ...stored, arguments: encodeArguments(stored.arguments) })
  }

  deleteExchange(vhost: string, name: string): void {
    if (this.exchangeMap.delete(nameKey(vhost, name))) this.append(DefinitionRecord.DeleteExchange, { vhost, name })
  }

  /** The queue's id: the existing one for a known vhost+name, else a new one never used before. */
  putQueue(def: QueueDefinition): number {
    const key = nameKey(def.vhost, def.name)
    const old = this.queueMap.get(key)
    if (old && old.autoDelete === def.autoDelete && canonicalArguments(old.arguments) === canonicalArguments(def.arguments)) return old.id
    const stored = this.queue({ ...def, id: old ? old.id : this.nextQueueId++ })
    this.queueMap.set(key, stored)
    this.queueById.set(stored.id, stored)
    this.append(DefinitionRecord.PutQueue, { ...stored, arguments: encodeArguments(stored.arguments) })
    return stored.id
  }

  deleteQueue(id: number): void {
    const def = this.queueById.get(id)
    if (!def) return
    this.queueById.delete(id)
    this.queueMap.delete(nameKey(def.vhost, def.name))
    this.append(DefinitionRecord.DeleteQueue, { id })
  }

  putBinding(def: BindingDefinition): void {
    const key = bindingKey(def)
    if (this.bindingMap.has(key)) return
    const stored = this.binding(def)
    this.bindingMap.set(key, stored)
    this.append(DefinitionRecord.PutBinding, { ...stored, arguments: encodeArguments(stored.arguments) })
  }

  deleteBinding(def: BindingDefinition): void {
    if (this.bindingMap.delete(bindingKey(def))) this.append(DefinitionRecord.DeleteBinding, { ...def, arguments: encodeArguments(def.arguments) })
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd)
    this.fd = -1
  }

  private append(type: number, payload: object): void {
    const frame = encodeFrame(type, Buffer.from(JSON.stringify(payload)))
    try {
      let done = 0
      while (done < frame.length) done += writeSync(this.fd, frame, done, frame.length - done)
      this.writeCount++
    } catch (err) {
      this.options.onWriteError(err as Error)
    }
  }

  private replay(file: Buffer): void {
    let at = 0
    while (at < file.length) {
      const total = checkRecord(file, at, file.length, FRAME_BYTES)
      if (total <= 0) {
        this.tornBytes = file.length - at
        this.options.log.warn({ file: DEFINITIONS_FILE, offset: at, bytes: this.tornBytes, reason: total === CORRUPT ? 'checksum' : 'truncated' },
          'cut a torn tail from the definitions log')
        break
      }
      this.apply(recordType(file, at), JSON.parse(file.toString('utf8', at + FRAME_BYTES, at + total)) as Record<string, unknown>)
      at += total
    }
  }

  private apply(type: number, p: Record<string, unknown>): void {
    const tagged = this.options.taggedValue
    switch (type) {
      case DefinitionRecord.PutExchange: {
        const def = { ...p, arguments: decodeArguments(p.arguments, tagged) } as unknown as ExchangeDefinition
        this.exchangeMap.set(nameKey(def.vhost, def.name), this.exchange(def))
        break
      }
      case DefinitionRecord.DeleteExchange: this.exchangeMap.delete(nameKey(p.vhost as string, p.name as string)); break
      case DefinitionRecord.PutQueue: {
        const def = this.queue({ ...p, arguments: decodeArguments(p.arguments, tagged) } as unknown as StoredQueueDefinition)
        const old = this.queueMap.get(nameKey(def.vhost, def.name))
        if (old) this.queueById.delete(old.id)
        this.queueMap.set(nameKey(def.vhost, def.name), def)
        this.queueById.set(def.id, def)
        this.nextQueueId = Math.max(this.nextQueueId, def.id + 1)
        break
      }
      case DefinitionRecord.DeleteQueue: {
        const def = this.queueById.get(p.id as number)
        if (def) {
          this.queueById.delete(def.id)
          this.queueMap.delete(nameKey(def.vhost, def.name))
        }
        break
      }
      case DefinitionRecord.PutBinding: {
        const def = this.binding({ ...p, arguments: decodeArguments(p.arguments, tagged) } as unknown as BindingDefinition)
        this.bindingMap.set(bindingKey(def), def)
        break
      }
      case DefinitionRecord.DeleteBinding:
        this.bindingMap.delete(bindingKey({ ...p, arguments: decodeArguments(p.arguments, tagged) } as unknown as BindingDefinition))
        break
      case DefinitionRecord.NextQueueId: this.nextQueueId = Math.max(this.nextQueueId, p.next as number); break
      default: throw new Error(`unknown record type ${type} in ${DEFINITIONS_FILE}`)
    }
  }

  /** Writes the live definitions to a temporary file, fsyncs it and renames it over `path`. */
  private compact(path: string): void {
    const frames = [encodeFrame(DefinitionRecord.NextQueueId, Buffer.from(JSON.stringify({ next: this.nextQueueId })))]
    const put = (type: number, def: { arguments: Record<string, unknown> }) =>
      frames.push(encodeFrame(type, Buffer.from(JSON.stringify({ ...def, arguments: encodeArguments(def.arguments) }))))
    for (const e of this.exchangeMap.values()) put(DefinitionRecord.PutExchange, e)
    for (const q of this.queueMap.values()) put(DefinitionRecord.PutQueue, q)
    for (const b of this.bindingMap.values()) put(DefinitionRecord.PutBinding, b)
    const tmp = `${path}.tmp`
    const fd = openSync(tmp, 'w')
    try {
      const all = Buffer.concat(frames)
      let done = 0
      while (done < all.length) done += writeSync(fd, all, done, all.length - done)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, path)
    fsyncSync(this.options.dirFd)
  }

  // Normalised copies: only the contract's fields, arguments copied through the codec so a
  // caller mutating its object later cannot change what is stored.
  private exchange(d: ExchangeDefinition): ExchangeDefinition {
    return { vhost: d.vhost, name: d.name, type: d.type, durable: true, autoDelete: d.autoDelete, internal: d.internal, arguments: this.copy(d.arguments) }
  }

  private queue(d: StoredQueueDefinition): StoredQueueDefinition {
    return { id: d.id, vhost: d.vhost, name: d.name, durable: true, autoDelete: d.autoDelete, arguments: this.copy(d.arguments) }
  }

  private binding(d: BindingDefinition): BindingDefinition {
    return {
      vhost: d.vhost, source: d.source, destination: d.destination, destinationKind: d.destinationKind, bindingKey: d.bindingKey,
      arguments: this.copy(d.arguments),
    }
  }

  private copy(args: Record<string, unknown>): Record<string, unknown> {
    return decodeArguments(encodeArguments(args), this.options.taggedValue)
  }
}
