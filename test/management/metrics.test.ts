// /metrics: Prometheus text exposition that a strict parser of format 0.0.4 accepts, with the
// right per-queue ready/unacked counts and object totals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, connectAmqp, eventually, startManagedBroker, type ManagedBroker } from './support.js'

interface Sample { name: string; labels: Record<string, string>; value: number }

/** A strict parser of the text format: HELP/TYPE before samples, one TYPE per family, valid names and labels. */
function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = []
  const typed = new Map<string, string>()
  expect(text.endsWith('\n')).toBe(true)
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line)
    if (meta) {
      if (meta[1] === 'TYPE') {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(meta[3])
        expect(typed.has(meta[2]), `second TYPE for ${meta[2]}`).toBe(false)
        typed.set(meta[2], meta[3])
      }
      continue
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.eE+]+|NaN|\+Inf|-Inf)$/.exec(line)
    expect(m, `malformed line: ${line}`).not.toBeNull()
    const [, name, rawLabels, value] = m!
    expect(typed.has(name), `sample before TYPE: ${name}`).toBe(true)
    if (typed.get(name) === 'counter') expect(name.endsWith('_total')).toBe(true)
    const labels: Record<string, string> = {}
    if (rawLabels) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/gy
      let l: RegExpExecArray | null, consumed = 0
      while ((l = re.exec(rawLabels))) {
        labels[l[1]] = l[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\')
        consumed = re.lastIndex
        if (consumed === rawLabels.length) break
      }
      expect(consumed, `malformed labels: ${rawLabels}`).toBe(rawLabels.length)
    }
    samples.push({ name, labels, value: Number(value) })
  }
  return samples
}

let b: ManagedBroker
beforeAll(async () => { b = await startManagedBroker() })
afterAll(async () => { await b.close() })

describe('/metrics', () => {
  it('reports ready and unacked per queue, totals and memory in the text format', async () => {
    const conn = await connectAmqp(b)
    const ch = await conn.createChannel()
    await ch.assertQueue('m-q')
    await ch.assertQueue('odd "name"\\')
    for (let i = 0; i < 4; i++) ch.sendToQueue('m-q', Buffer.from(`m${i}`))
    ch.sendToQueue('odd "name"\\', Buffer.from('x'))
    await eventually(() => b.broker.vhost('/')!.queues.get('m-q')!.messageCount === 4)
    await ch.prefetch(1)
    await ch.consume('m-q', () => {})
    await eventually(() => b.broker.vhost('/')!.queues.get('m-q')!.unackedCount === 1)

    const r = await call(b, '/metrics', { noAuth: true })
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
    const samples = parsePrometheus(r.text)
    const value = (name: string, labels: Record<string, string> = {}) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value
    expect(value('rabbitmq_queue_messages_ready', { vhost: '/', queue: 'm-q' })).toBe(3)
    expect(value('rabbitmq_queue_messages_unacked', { vhost: '/', queue: 'm-q' })).toBe(1)
    expect(value('rabbitmq_queue_consumers', { vhost: '/', queue: 'm-q' })).toBe(1)
    expect(value('rabbitmq_queue_messages_ready', { vhost: '/', queue: 'odd "name"\\' })).toBe(1)
    expect(value('rabbitmq_connections')).toBe(1)
    expect(value('rabbitmq_channels')).toBe(1)
    expect(value('rabbitmq_queues')).toBe(2)
    expect(value('rabbitmq_consumers')).toBe(1)
    expect(value('rabbitmq_process_resident_memory_bytes')).toBeGreaterThan(0)
    expect(value('rabbitmq_alarms_memory_used_watermark')).toBe(0)
    await conn.close()
  })

  it('takes only GET', async () => {
    expect((await call(b, '/metrics', { method: 'POST', noAuth: true })).status).toBe(405)
  })
})
