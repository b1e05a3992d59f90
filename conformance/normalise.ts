// THE normaliser: the only place where a transcript is changed before it is stored or compared.
// Each rule names a field RabbitMQ fills non-deterministically or per node; nothing else is touched.
//
//  1. Generated names: `amq.gen-…` (server-named queues), `amq.ctag-…` (server-made consumer tags)
//     and `amq.rabbitmq.reply-to.…` (direct reply-to) become `amq.gen-<1>`, `amq.ctag-<1>`,
//     `amq.rabbitmq.reply-to.<1>`, numbered by first appearance in the fixture, so "the same
//     name twice" and "two different names" are still checked. Applies to every string.
//  2. connection.start server-properties: every key is kept (the set of keys is checked) but each
//     value except `capabilities` becomes "<server property>": product, version, platform,
//     cluster_name, copyright and information name the build and the node. Capabilities stay exact.
//     connection.start `mechanisms` is sorted word by word: RabbitMQ lists its mechanisms in
//     registry (ETS) order, which changes from one node boot to the next ("AMQPLAIN PLAIN" or
//     "PLAIN AMQPLAIN"); the set is what a client can rely on.
//  3. The `time` of each x-death entry (when a message was dead-lettered) becomes "<timestamp>".
//  4. Erlang process ids in reply texts (`<0.1234.0>`, `<node.1.2.3>`) become `<pid>`.
//  5. Publisher confirms: RabbitMQ coalesces confirms by timing (one `multiple` ack or several
//     single ones for the same tags), so a run of consecutive basic.ack (or basic.nack) frames on a
//     channel becomes one entry listing the delivery tags it confirmed: `{"tags":"1-3"}`.
//
// Comparison (fixture.ts) is per connection and per channel: AMQP orders frames within a channel,
// not across channels of one connection, and RabbitMQ's channels are separate processes.
import { isMethod, type Entry, type Json, type MethodEntry } from './transcript.js'

const GENERATED = [
  { re: /amq\.gen-[A-Za-z0-9_-]+/g, prefix: 'amq.gen-' },
  { re: /amq\.ctag-[A-Za-z0-9_-]+/g, prefix: 'amq.ctag-' },
  { re: /amq\.rabbitmq\.reply-to\.[A-Za-z0-9+/=._-]+/g, prefix: 'amq.rabbitmq.reply-to.' },
]
const PID = /<[A-Za-z0-9_@.'-]*\.?\d+\.\d+\.\d+>/g

export type Transcripts = { [label: string]: Entry[] }

export function normalise(transcripts: Transcripts): Transcripts {
  const names = new Map<string, string>()
  const counters = new Map<string, number>()
  const rename = (s: string): string => {
    let out = s
    for (const g of GENERATED) {
      out = out.replace(g.re, (m) => {
        let n = names.get(m)
        if (!n) {
          const i = (counters.get(g.prefix) ?? 0) + 1
          counters.set(g.prefix, i)
          n = `${g.prefix}<${i}>`
          names.set(m, n)
        }
        return n
      })
    }
    return out.replace(PID, '<pid>')
  }
  const walk = (v: Json): Json => {
    if (typeof v === 'string') return rename(v)
    if (Array.isArray(v)) return v.map(walk)
    if (v && typeof v === 'object') {
      const o: { [k: string]: Json } = {}
      for (const [k, x] of Object.entries(v)) o[rename(k)] = walk(x)
      return o
    }
    return v
  }
  const out: Transcripts = {}
  for (const [label, entries] of Object.entries(transcripts)) {
    out[label] = mergeConfirms(entries.map((e) => fixEntry(walk(e as unknown as Json) as unknown as Entry)))
  }
  return out
}

function fixEntry(e: Entry): Entry {
  if (!isMethod(e)) return e
  if (e.method === 'connection.start') {
    const sp = e.args.serverProperties as { [k: string]: Json }
    const kept: { [k: string]: Json } = {}
    for (const k of Object.keys(sp).sort()) kept[k] = k === 'capabilities' ? sp[k] : '<server property>'
    e.args.serverProperties = kept
    if (typeof e.args.mechanisms === 'string') e.args.mechanisms = e.args.mechanisms.split(' ').sort().join(' ')
  }
  const deaths = (e.props?.headers as { [k: string]: Json } | undefined)?.['x-death']
  if (Array.isArray(deaths)) for (const d of deaths) if (d && typeof d === 'object' && !Array.isArray(d) && 'time' in d) d.time = '<timestamp>'
  return e
}

/** The channel an entry belongs to; connection-level entries (handshake, closed, ...) are channel 0. */
export const channelOf = (e: Entry): number => ('ch' in e ? e.ch : 0)

/** Rule 5: consecutive server confirms of one kind on one channel become one entry of tag ranges. */
function mergeConfirms(entries: Entry[]): Entry[] {
  const out: Entry[] = []
  const seen = new Map<number, Set<number>>() // per channel: tags confirmed so far (ack or nack)
  const runs = new Map<number, { entry: MethodEntry; tags: number[] }>() // per channel: the open run
  const flush = (ch: number) => {
    const run = runs.get(ch)
    if (run) run.entry.tags = ranges(run.tags)
    runs.delete(ch)
  }
  for (const e of entries) {
    const ch = channelOf(e)
    if (isMethod(e) && e.method === 'channel.open-ok') seen.delete(ch)
    if (!isMethod(e) || (e.method !== 'basic.ack' && e.method !== 'basic.nack')) {
      flush(ch)
      out.push(e)
      continue
    }
    const set = seen.get(ch) ?? new Set<number>()
    seen.set(ch, set)
    const tag = e.args.deliveryTag as number
    const fresh: number[] = []
    for (let t = e.args.multiple ? 1 : tag; t <= tag; t++) if (!set.has(t)) { set.add(t); fresh.push(t) }
    const run = runs.get(ch)
    if (run && run.entry.method === e.method) {
      run.tags.push(...fresh)
      continue
    }
    flush(ch)
    const entry: MethodEntry = { ch, method: e.method, args: e.method === 'basic.nack' ? { requeue: e.args.requeue } : {} }
    runs.set(ch, { entry, tags: fresh })
    out.push(entry)
  }
  for (const ch of [...runs.keys()]) flush(ch)
  return out
}

function ranges(tags: number[]): string {
  const sorted = [...new Set(tags)].sort((a, b) => a - b)
  const parts: string[] = []
  for (let i = 0; i < sorted.length; i++) {
    let j = i
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`)
    i = j
  }
  return parts.join(',')
}
