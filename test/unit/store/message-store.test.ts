// MessageStore end to end on real temporary directories: reopen, definitions, group commit,
// reclaiming, the lock, failing fsyncs and read-back.
import { describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { MessageStore, type BindingDefinition, type ExchangeDefinition } from '../../../src/store/message-store.js'
import { LOCK_FILE } from '../../../src/store/lock-file.js'
import { TestIo, copyAsCrashed, message, openStore, queueDef, recordingLog, tempDir } from './store-fixture.js'

const bodies = (store: MessageStore, q: number) => store.recovered(q).map((m) => m.body.toString('latin1').split(':')[0])

describe('MessageStore reopen', () => {
  it('recovers messages per queue in order, without removed ones, with delivered ones redelivered', async () => {
    const dir = tempDir()
    let store = await openStore(dir)
    const a = store.putQueue(queueDef('a')), b = store.putQueue(queueDef('b')), c = store.putQueue(queueDef('c'))
    const ids: number[] = []
    for (let n = 0; n < 30; n++) ids.push(store.append(n % 3 === 0 ? [a, b, c] : n % 3 === 1 ? [a] : [b, c], message(n)))
    store.remove(a, ids[0]) // still in b and c
    store.remove(a, ids[4])
    store.remove(b, ids[29]) // removal order independent of enqueue order
    store.remove(b, ids[2])
    store.delivered(a, ids[3])
    store.delivered(c, ids[5])
    store.delivered(c, ids[7]) // not in c: ignored
    await store.close()

    store = await openStore(dir)
    expect(store.summary).toMatchObject({ queues: 3, tornBytes: 0 })
    expect(bodies(store, a)).toEqual(['m1', 'm3', 'm6', 'm7', 'm9', 'm10', 'm12', 'm13', 'm15', 'm16', 'm18', 'm19', 'm21', 'm22', 'm24', 'm25', 'm27', 'm28'])
    expect(bodies(store, b)[0]).toBe('m0')
    expect(bodies(store, b)).not.toContain('m2')
    expect(bodies(store, b)).not.toContain('m29')
    expect(bodies(store, c)).toContain('m29')
    const ra = store.recovered(a), rc = store.recovered(c)
    expect(ra.find((m) => m.id === ids[3])?.redelivered).toBe(true)
    expect(ra.filter((m) => m.redelivered)).toHaveLength(1)
    expect(rc.find((m) => m.id === ids[5])?.redelivered).toBe(true)
    expect(rc.filter((m) => m.redelivered)).toHaveLength(1)
    // one message routed to three queues keeps one id (the broker shares one Message)
    expect(store.recovered(b).find((m) => m.id === ids[3])).toBeDefined()
    expect(store.recovered(c).find((m) => m.id === ids[3])).toMatchObject({ exchange: 'amq.direct', routingKey: 'key.3', redelivered: false })
    expect(store.summary.messages).toBe(store.recovered(a).length + store.recovered(b).length + store.recovered(c).length)
    // new ids continue past the old ones
    expect(store.append([a], message(99))).toBeGreaterThan(ids[29])
  })

  it('keeps message bytes exactly (properties, body, exchange, routing key, unicode, empty, large)', async () => {
    const dir = tempDir()
    let store = await openStore(dir)
    const q = store.putQueue(queueDef('q'))
    const cases = [
      { exchange: '', routingKey: '', properties: Buffer.alloc(0), body: Buffer.alloc(0) },
      { exchange: 'ëxchänge', routingKey: 'ключ.日本', properties: Buffer.from([0xff, 0xfe, 1, 2, 3]), body: Buffer.from('body') },
      { exchange: 'x'.repeat(255), routingKey: 'k'.repeat(255), properties: Buffer.alloc(300, 7), body: Buffer.alloc(3 << 20, 0xab) },
    ]
    for (const m of cases) store.append([q], m)
    await store.close()
    store = await openStore(dir)
    const got = store.recovered(q)
    expect(got).toHaveLength(cases.length)
    got.forEach((m, i) => {
      expect([m.exchange, m.routingKey]).toEqual([cases[i].exchange, cases[i].routingKey])
      expect(m.properties.equals(cases[i].properties) && m.body.equals(cases[i].body)).toBe(true)
    })
  })

  it('rejects an exchange name longer than a shortstr and an unknown queue, changing nothing', async () => {
    const store = await openStore(tempDir())
    const q = store.putQueue(queueDef('q'))
    expect(() => store.append([q], { ...message(1), exchange: 'x'.repeat(256) })).toThrow(RangeError)
    expect(() => store.append([q + 1], message(1))).toThrow(/not in the store/)
    expect(() => store.append([q, q], message(1))).toThrow(/twice/)
    expect(store.recovered(q)).toEqual([])
    const id = store.append([q], message(2))
    expect(store.read(id).body).toEqual(message(2).body)
  })

  it('deleting a queue drops its messages; purge removes them all; both survive reopen', async () => {
    const dir = tempDir()
    let store = await openStore(dir)
    const a = store.putQueue(queueDef('a')), b = store.putQueue(queueDef('b')), c = store.putQueue(queueDef('c'))
    for (let n = 0; n < 10; n++) store.append([a, b, c], message(n))
    store.deleteQueue(b)
    store.purge(c)
    const late = store.append([c], message(10))
    await store.close()
    store = await openStore(dir)
    expect(store.queues().map((q) => q.name).sort()).toEqual(['a', 'c'])
    expect(bodies(store, a)).toHaveLength(10)
    expect(store.recovered(b)).toEqual([])
    expect(store.recovered(c).map((m) => m.id)).toEqual([late])
    // a re-declared queue gets a new id and starts empty
    const b2 = store.putQueue(queueDef('b'))
    expect(b2).not.toBe(b)
    expect(store.recovered(b2)).toEqual([])
  })
})

describe('MessageStore definitions', () => {
  class Typed { constructor(readonly tag: string, readonly value: unknown) {} }
  const args = {
    'x-message-ttl': 60000, 'x-dead-letter-exchange': 'dlx', flag: true, none: null, big: 2n ** 63n - 1n, neg: -0, inf: -Infinity,
    bin: Buffer.from([0, 1, 255]), list: [1, 'two', [3], { four: 4 }], nested: { inner: { deep: [Buffer.from('x'), 5n] } },
    when: new Typed('T', 1700000000n), dec: new Typed('D', { scale: 2, value: 12345 }), __proto__x: 'not a prototype',
  }
  const exchange = (name: string): ExchangeDefinition =>
    ({ vhost: '/', name, type: 'topic', durable: true, autoDelete: false, internal: name === 'internal', arguments: { 'alternate-exchange': 'ae' } })
  const binding = (destination: string, bindingKey: string, a: Record<string, unknown> = {}): BindingDefinition =>
    ({ vhost: '/', source: 'orders', destination, destinationKind: 'queue', bindingKey, arguments: a })

  it('keeps exchanges, queues with stable ids and bindings with nested arguments; deleted ones go', async () => {
    const dir = tempDir()
    const taggedValue = (tag: string, value: unknown) => new Typed(tag, value)
    let store = await openStore(dir, { taggedValue })
    store.putExchange(exchange('orders'))
    store.putExchange(exchange('internal'))
    store.putExchange(exchange('gone'))
    store.deleteExchange('/', 'gone')
    store.putExchange({ ...exchange('v2'), vhost: 'other' })
    const q1 = store.putQueue({ ...queueDef('q1'), arguments: args })
    const q2 = store.putQueue(queueDef('q2'))
    const q3 = store.putQueue(queueDef('q3'))
    expect(store.putQueue({ ...queueDef('q1'), arguments: args })).toBe(q1)
    expect(new Set([q1, q2, q3]).size).toBe(3)
    store.deleteQueue(q2)
    store.putBinding(binding('q1', 'a.#', { 'x-match': 'all', h: { n: [1n] } }))
    store.putBinding(binding('q1', 'a.#', { h: { n: [1n] }, 'x-match': 'all' })) // same binding, other key order
    store.putBinding(binding('q3', 'b.*'))
    store.putBinding(binding('q3', 'c'))
    store.deleteBinding(binding('q3', 'c'))
    store.putBinding({ ...binding('orders', ''), source: 'internal', destinationKind: 'exchange' })
    await store.close()

    store = await openStore(dir, { taggedValue })
    expect(store.exchanges().map((e) => `${e.vhost}|${e.name}`).sort()).toEqual(['/|internal', '/|orders', 'other|v2'])
    expect(store.exchanges().find((e) => e.name === 'internal')).toEqual(exchange('internal'))
    const queues = store.queues().sort((x, y) => x.id - y.id)
    expect(queues.map((q) => [q.name, q.id])).toEqual([['q1', q1], ['q3', q3]])
    expect(queues[0].arguments).toEqual(args)
    expect(queues[0].arguments.when).toBeInstanceOf(Typed)
    expect(Object.is(queues[0].arguments.neg, -0)).toBe(true)
    expect(store.putQueue(queueDef('q3'))).toBe(q3)
    const q4 = store.putQueue(queueDef('q4'))
    expect(q4).toBeGreaterThan(q3) // q2's id is never handed out again
    expect(store.bindings()).toHaveLength(3)
    expect(store.bindings().find((b) => b.destination === 'q1')?.arguments).toEqual({ 'x-match': 'all', h: { n: [1n] } })
    expect(store.bindings().find((b) => b.destinationKind === 'exchange')).toMatchObject({ source: 'internal', destination: 'orders' })
    await store.close()

    // compaction at open keeps everything, including the next queue id
    store = await openStore(dir, { taggedValue })
    expect(store.queues()).toHaveLength(3)
    expect(store.putQueue(queueDef('q5'))).toBeGreaterThan(q4)
  })

  it('without a factory, tagged values come back as plain { tag, value }', async () => {
    const dir = tempDir()
    let store = await openStore(dir)
    store.putQueue({ ...queueDef('q'), arguments: { when: new Typed('T', 5n) } })
    await store.close()
    store = await openStore(dir)
    expect(store.queues()[0].arguments).toEqual({ when: { tag: 'T', value: 5n } })
  })
})

describe('MessageStore group commit', () => {
  it('1000 appends then one sync() take exactly one write and one fsync', async () => {
    const io = new TestIo()
    const store = await openStore(tempDir(), { io })
    const q = store.putQueue(queueDef('q'))
    await store.sync()
    const before = { ...store.stats }, fsyncsBefore = io.fdatasyncs
    for (let n = 0; n < 1000; n++) store.append([q], message(n))
    await store.sync()
    expect(io.fdatasyncs - fsyncsBefore).toBe(1)
    expect(store.stats.fsyncs - before.fsyncs).toBe(1)
    expect(store.stats.writes - before.writes).toBe(1)
  })

  it('sync() calls in one turn share one promise and one fsync', async () => {
    const io = new TestIo()
    const store = await openStore(tempDir(), { io })
    const q = store.putQueue(queueDef('q'))
    await store.sync()
    const before = io.fdatasyncs
    const waits: Promise<void>[] = []
    for (let n = 0; n < 100; n++) {
      store.append([q], message(n))
      waits.push(store.sync())
    }
    await Promise.all(waits)
    expect(io.fdatasyncs - before).toBe(1)
  })

  it('calls made while an fsync is in flight share the next one', async () => {
    const io = new TestIo()
    const store = await openStore(tempDir(), { io })
    const q = store.putQueue(queueDef('q'))
    await store.sync()
    const before = io.fdatasyncs
    io.hold()
    store.append([q], message(1))
    let firstDone = false
    const first = store.sync().then(() => { firstDone = true })
    await expect.poll(() => io.heldCount, { timeout: 5000, interval: 1 }).toBe(1)
    const later: Promise<void>[] = []
    for (let n = 2; n < 50; n++) {
      store.append([q], message(n))
      later.push(store.sync())
      await Promise.resolve()
    }
    expect(firstDone).toBe(false)
    expect(io.release()).toBe(1)
    await first
    await Promise.all(later)
    expect(io.fdatasyncs - before).toBe(2)
  })

  it('a failing fsync rejects sync(), logs, and every later sync rejects until reopen', async () => {
    const io = new TestIo()
    const { log, errors } = recordingLog()
    const dir = tempDir()
    const store = await openStore(dir, { io, log })
    const q = store.putQueue(queueDef('q'))
    await store.sync()
    const id = store.append([q], message(1))
    io.failFsync = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' })
    await expect(store.sync()).rejects.toThrow(/EIO/)
    expect(errors).toHaveLength(1)
    io.failFsync = undefined
    store.append([q], message(2))
    await expect(store.sync()).rejects.toThrow(/EIO/)
    expect(store.read(id).body).toEqual(message(1).body) // still readable from memory
    await expect(store.close()).rejects.toThrow(/EIO/)
    const reopened = await openStore(dir, { io }) // the lock was released
    reopened.append([q], message(3))
    await expect(reopened.sync()).resolves.toBeUndefined()
  })

  it('a failing write rejects sync() too', async () => {
    const io = new TestIo()
    const store = await openStore(tempDir(), { io, log: recordingLog().log })
    const q = store.putQueue(queueDef('q'))
    await store.sync()
    io.failWrite = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
    store.append([q], message(1))
    await expect(store.sync()).rejects.toThrow(/ENOSPC/)
    await expect(store.sync()).rejects.toThrow(/ENOSPC/)
  })

  it('syncs unprompted after syncIntervalMs', async () => {
    const io = new TestIo()
    const store = await openStore(tempDir(), { io, syncIntervalMs: 5 })
    const q = store.putQueue(queueDef('q'))
    const before = io.fdatasyncs
    store.append([q], message(1))
    await expect.poll(() => io.fdatasyncs, { timeout: 5000, interval: 5 }).toBeGreaterThan(before)
  })
})

describe('MessageStore reclaiming', () => {
  it('batches a turn\'s delivered and removed marks into one record per queue, staged before sync() and close()', async () => {
    const dir = tempDir()
    let store = await openStore(dir)
    const a = store.putQueue(queueDef('a')), b = store.putQueue(queueDef('b'))
    const ids: number[] = []
    for (let n = 0; n < 200; n++) ids.push(store.append([a, b], message(n)))
    await store.sync()
    const before = store.diskBytes()
    for (const id of ids) store.delivered(a, id)
    for (const id of ids.slice(0, 150)) store.remove(a, id) // delivered and removed in one batch: removed
    for (const id of ids.slice(100).reverse()) store.remove(b, id)
    store.delivered(b, ids[0])
    expect(store.diskBytes()).toBe(before) // nothing staged yet: the marks wait for the end of the turn
    await store.sync()
    // two records (one per queue): 24 + 4 bytes each plus 4 bytes per mark
    expect(store.diskBytes() - before).toBe(2 * 28 + 4 * (200 + 150 + 100 + 1))
    store.delivered(b, ids[1])
    store.remove(a, ids[199])
    await store.close()

    store = await openStore(dir)
    expect(store.recovered(a).map((m) => [m.id, m.redelivered])).toEqual(ids.slice(150, 199).map((id) => [id, true]))
    expect(store.recovered(b).map((m) => [m.id, m.redelivered])).toEqual(ids.slice(0, 100).map((id, i) => [id, i < 2]))
  })

  it('stages a batch early when it is full, and marks made at the end of a turn reach the disk unprompted', async () => {
    const dir = tempDir()
    const store = await openStore(dir, { syncIntervalMs: 5 })
    const q = store.putQueue(queueDef('q'))
    const ids: number[] = []
    for (let n = 0; n < 9000; n++) ids.push(store.append([q], message(n)))
    await store.sync()
    const before = store.diskBytes()
    for (const id of ids) store.remove(q, id)
    expect(store.diskBytes() - before).toBe(28 + 4 * 8192) // the first 8,192 marks filled a record
    await expect.poll(() => store.diskBytes() - before, { timeout: 5000, interval: 5 }).toBe(2 * 28 + 4 * 9000)
    // written without anyone calling sync(): a copy of the files as a killed process leaves them has no message left
    await expect.poll(async () => {
      const copy = await openStore(copyAsCrashed(dir))
      const n = copy.recovered(q).length
      await copy.close()
      return n
    }, { timeout: 5000, interval: 10 }).toBe(0)
  })

  it('deletes fully removed segments (never the active one) and reopens', async () => {
    const dir = tempDir()
    const segmentBytes = 64 << 10
    let store = await openStore(dir, { segmentBytes })
    const a = store.putQueue(queueDef('a')), b = store.putQueue(queueDef('b'))
    const ids: number[] = []
    for (let n = 0; n < 400; n++) ids.push(store.append([a, b], message(n, 1000)))
    await store.sync()
    const segmentFiles = () => readdirSync(dir).filter((f) => f.endsWith('.seg'))
    expect(segmentFiles().length).toBeGreaterThanOrEqual(6)
    expect(store.diskBytes()).toBeGreaterThan(6 * 60_000)
    for (const id of ids) store.remove(a, id)
    await store.sync()
    expect(segmentFiles().length).toBeGreaterThanOrEqual(6) // b still holds them all
    for (const id of [...ids].reverse()) store.remove(b, id)
    await store.sync()
    expect(store.diskBytes()).toBeLessThanOrEqual(segmentBytes)
    expect(segmentFiles()).toHaveLength(1)
    const next = store.append([a], message(1000))
    expect(next).toBeGreaterThan(ids[ids.length - 1])
    await store.close()

    store = await openStore(dir, { segmentBytes })
    expect(store.recovered(a).map((m) => m.id)).toEqual([next])
    expect(store.recovered(b)).toEqual([])
    expect(store.append([b], message(1001))).toBeGreaterThan(next)
  })

  it('keeps a segment whose one message is still queued, and frees the ones after it', async () => {
    const dir = tempDir()
    const segmentBytes = 64 << 10
    let store = await openStore(dir, { segmentBytes })
    const q = store.putQueue(queueDef('q'))
    const ids: number[] = []
    for (let n = 0; n < 400; n++) ids.push(store.append([q], message(n, 1000)))
    for (const id of ids.slice(1)) store.remove(q, id)
    await store.sync()
    expect(store.diskBytes()).toBeLessThanOrEqual(3 * segmentBytes)
    await store.close()
    store = await openStore(dir, { segmentBytes })
    expect(store.recovered(q).map((m) => m.id)).toEqual([ids[0]])
  })

  it('one message left unacked does not pin the segments written after it', async () => {
    const dir = tempDir()
    const segmentBytes = 64 << 10
    let store = await openStore(dir, { segmentBytes })
    const q = store.putQueue(queueDef('q'))
    const stuck = store.append([q], message(0, 1000))
    store.delivered(q, stuck)
    let last = stuck
    for (let n = 1; n < 3000; n++) {
      const id = store.append([q], message(n, 1000))
      if (n > 1) store.remove(q, last === stuck ? id - 1 : last) // acked one behind, like a consumer
      last = id
      if (n % 100 === 0) await store.sync()
    }
    store.remove(q, last)
    await store.sync()
    await store.sync()
    expect(store.diskBytes()).toBeLessThanOrEqual(4 * segmentBytes)
    await store.close()
    store = await openStore(dir, { segmentBytes })
    expect(store.recovered(q).map((m) => [m.id, m.redelivered])).toEqual([[stuck, true]])
  })

  it('deleting a queue frees its segments', async () => {
    const dir = tempDir()
    const segmentBytes = 64 << 10
    const store = await openStore(dir, { segmentBytes })
    const q = store.putQueue(queueDef('q'))
    for (let n = 0; n < 400; n++) store.append([q], message(n, 1000))
    await store.sync()
    store.deleteQueue(q)
    store.putQueue(queueDef('other'))
    await store.sync()
    expect(store.diskBytes()).toBeLessThanOrEqual(segmentBytes)
  })
})

describe('MessageStore lock', () => {
  it('refuses a second open of the same directory, and opens again after close', async () => {
    const dir = tempDir()
    const store = await openStore(dir)
    await expect(MessageStore.open({ dir })).rejects.toThrow(`data directory ${dir} is in use by another Warren process (pid ${process.pid})`)
    await store.close()
    const again = await openStore(dir)
    expect(again.summary.queues).toBe(0)
  })

  it('takes over a lock left by a process that is gone', async () => {
    const dir = tempDir()
    const gone = spawnSync(process.execPath, ['-e', '']).pid as number
    writeFileSync(join(dir, LOCK_FILE), `${gone}\n`)
    const store = await openStore(dir)
    expect(store.summary.messages).toBe(0)
  })
})

describe('MessageStore read', () => {
  it('reads bodies back from disk once they are out of memory (and from the write buffer before)', async () => {
    const dir = tempDir()
    const store = await openStore(dir, { readCacheBytes: 4096 })
    const q = store.putQueue(queueDef('q'))
    const ids: number[] = []
    for (let n = 0; n < 500; n++) ids.push(store.append([q], message(n, 100 + n)))
    expect(store.read(ids[7]).body).toEqual(message(7, 107).body) // not written yet
    await store.sync()
    for (let n = 0; n < 500; n++) {
      const m = store.read(ids[n])
      expect(m.body).toEqual(message(n, 100 + n).body)
      expect(m.properties).toEqual(message(n).properties)
      expect(m.routingKey).toBe(`key.${n % 7}`)
    }
    store.remove(q, ids[3])
    expect(() => store.read(ids[3])).toThrow(/not in the store/)
  })
})
