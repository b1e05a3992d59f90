// A queue's ready messages: FIFO at the head; a requeued message returns to the place its seq gives
// it, before the head included (RabbitMQ 3.10+ classic queues requeue to the original position).
import { describe, it, expect } from 'vitest'
import { ReadyList } from '../../../src/broker/queue/ready-list.js'
import type { Message, QueuedMessage } from '../../../src/broker/message.js'
import { SeededRandom } from '../seeded-random.js'

const entry = (seq: number): QueuedMessage =>
  ({ message: { routingKey: `m${seq}` } as unknown as Message, seq, redelivered: false, expiresAtMs: 0, deliveryCount: 0 }) as QueuedMessage
const seqs = (list: ReadyList) => [...list].map((e) => e.seq)

function filled(...s: number[]): ReadyList {
  const list = new ReadyList()
  for (const n of s) list.push(entry(n))
  return list
}

describe('ReadyList FIFO', () => {
  it('starts empty', () => {
    const list = new ReadyList()
    expect(list.length).toBe(0)
    expect(list.peek()).toBeUndefined()
    expect(list.shift()).toBeUndefined()
    expect(seqs(list)).toEqual([])
  })

  it('shifts in push order, with peek showing the head', () => {
    const list = filled(1, 2, 3)
    expect(list.length).toBe(3)
    expect(list.peek()!.seq).toBe(1)
    expect(list.shift()!.seq).toBe(1)
    expect(list.peek()!.seq).toBe(2)
    expect(list.length).toBe(2)
    list.push(entry(4))
    expect([list.shift()!.seq, list.shift()!.seq, list.shift()!.seq]).toEqual([2, 3, 4])
    expect(list.length).toBe(0)
    expect(list.shift()).toBeUndefined()
  })

  it('returns the very objects pushed', () => {
    const e = entry(7)
    const list = new ReadyList()
    list.push(e)
    expect(list.shift()).toBe(e)
  })

  it('keeps order across many pushes and shifts (past the compaction threshold)', () => {
    const list = new ReadyList()
    let next = 0, expected = 0
    for (let round = 0; round < 30; round++) {
      for (let i = 0; i < 700; i++) list.push(entry(next++))
      for (let i = 0; i < 500; i++) expect(list.shift()!.seq).toBe(expected++)
      expect(list.length).toBe(next - expected)
      expect(list.peek()!.seq).toBe(expected)
    }
    expect(seqs(list)).toEqual(Array.from({ length: next - expected }, (_, i) => expected + i))
  })
})

describe('ReadyList.insertBySeq (requeue)', () => {
  it('puts a requeued message back before the head, where it came from', () => {
    const list = filled(1, 2, 3, 4, 5)
    const one = list.shift()!, two = list.shift()!, three = list.shift()!
    list.insertBySeq(two)
    expect(seqs(list)).toEqual([2, 4, 5])
    list.insertBySeq(one)
    expect(seqs(list)).toEqual([1, 2, 4, 5])
    list.insertBySeq(three)
    expect(seqs(list)).toEqual([1, 2, 3, 4, 5])
    expect(list.length).toBe(5)
    expect([1, 2, 3, 4, 5].map(() => list.shift()!.seq)).toEqual([1, 2, 3, 4, 5])
  })

  it('puts an entry older than everything at the front when nothing was shifted yet', () => {
    const list = filled(5, 6, 7)
    list.insertBySeq(entry(2))
    expect(seqs(list)).toEqual([2, 5, 6, 7])
    expect(list.peek()!.seq).toBe(2)
  })

  it('appends an entry newer than everything, and fills an empty list', () => {
    const list = filled(1, 2)
    list.insertBySeq(entry(9))
    expect(seqs(list)).toEqual([1, 2, 9])
    const empty = new ReadyList()
    empty.insertBySeq(entry(4))
    expect(seqs(empty)).toEqual([4])
    expect(empty.shift()!.seq).toBe(4)
  })

  it('inserts into gaps in the middle', () => {
    const list = filled(1, 3, 5, 7, 9)
    for (const s of [8, 2, 6, 4]) list.insertBySeq(entry(s))
    expect(seqs(list)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
  })

  it('restores the original order whatever order a batch is requeued in (basic.recover, channel close)', () => {
    const list = filled(...Array.from({ length: 20 }, (_, i) => i + 1))
    const delivered = Array.from({ length: 12 }, () => list.shift()!)
    for (const i of [11, 0, 5, 3, 9, 1, 10, 2, 8, 4, 7, 6]) list.insertBySeq(delivered[i])
    expect(seqs(list)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
  })

  it('emptied and refilled: a requeue lands before newer messages', () => {
    const list = filled(1, 2)
    const a = list.shift()!, b = list.shift()!
    expect(list.length).toBe(0)
    list.push(entry(3))
    list.insertBySeq(b)
    list.insertBySeq(a)
    expect(seqs(list)).toEqual([1, 2, 3])
  })

  it('keeps seq order under seeded random push / shift / requeue (seed 0x4eadf)', () => {
    const r = new SeededRandom(0x4eadf)
    const list = new ReadyList()
    const ready = new Set<number>()
    let unacked: QueuedMessage[] = []
    let next = 1
    for (let step = 0; step < 20_000; step++) {
      const op = r.int(0, 9)
      if (op < 4) {
        list.push(entry(next))
        ready.add(next++)
      } else if (op < 8) {
        const e = list.shift()
        if (e) {
          expect(ready.delete(e.seq), `step ${step}: shifted ${e.seq}, which was not ready`).toBe(true)
          let oldest = true
          for (const s of ready) if (s < e.seq) oldest = false
          expect(oldest, `step ${step}: shifted ${e.seq} while an older message was ready`).toBe(true)
          if (r.int(0, 2) > 0) unacked.push(e) // else: acked, gone for good
        } else expect(ready.size).toBe(0)
      } else if (unacked.length > 0) {
        // Requeue a random batch of unacked messages in random order.
        const n = r.int(1, unacked.length)
        for (let i = 0; i < n; i++) {
          const e = unacked.splice(r.int(0, unacked.length - 1), 1)[0]
          list.insertBySeq(e)
          ready.add(e.seq)
        }
      }
      if (step % 500 === 0 || step === 19_999) {
        const order = seqs(list)
        expect(order, `step ${step}`).toEqual([...ready].sort((a, b) => a - b))
        expect(list.length).toBe(ready.size)
      }
    }
    unacked = []
    expect(list.drain().map((e) => e.seq)).toEqual([...ready].sort((a, b) => a - b))
  })
})

describe('ReadyList drain and removeWhere', () => {
  it('drains everything oldest first and is then empty', () => {
    const list = filled(1, 2, 3, 4)
    list.shift()
    expect(list.drain().map((e) => e.seq)).toEqual([2, 3, 4])
    expect(list.length).toBe(0)
    expect(list.shift()).toBeUndefined()
    list.push(entry(5))
    expect(seqs(list)).toEqual([5])
  })

  it('removes matching entries, keeps the rest in order, and accepts requeues afterwards', () => {
    const list = filled(1, 2, 3, 4, 5, 6)
    const first = list.shift()!
    const dropped = list.removeWhere((e) => e.seq % 2 === 0)
    expect(dropped.map((e) => e.seq)).toEqual([2, 4, 6])
    expect(seqs(list)).toEqual([3, 5])
    expect(list.length).toBe(2)
    list.insertBySeq(first)
    list.insertBySeq(dropped[1])
    expect(seqs(list)).toEqual([1, 3, 4, 5])
  })
})
