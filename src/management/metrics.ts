// Prometheus text exposition (format 0.0.4) at /metrics, with the names RabbitMQ's prometheus
// plugin uses: object counts, per-queue depth and consumers, message counters, memory, disk, alarms.
import { statfs } from 'node:fs/promises'
import type { ApiContext } from './context.js'
import { openConnections } from './context.js'

type Labels = Record<string, string>
interface Family { name: string; type: 'gauge' | 'counter'; help: string; samples: [Labels, number][] }

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

export async function metricsText(ctx: ApiContext, dataDir: string | undefined): Promise<string> {
  const families: Family[] = []
  const add = (name: string, type: Family['type'], help: string, samples: [Labels, number][]) => families.push({ name, type, help, samples })
  const one = (value: number): [Labels, number][] => [[{}, value]]

  let connections = 0, channels = 0
  for (const c of openConnections(ctx)) {
    connections++
    channels += c.channels.size
  }
  const ready: [Labels, number][] = [], unacked: [Labels, number][] = [], consumers: [Labels, number][] = []
  let queues = 0, totalConsumers = 0
  for (const vhost of ctx.broker.vhosts.values()) {
    for (const q of vhost.queues.values()) {
      const labels = { vhost: vhost.name, queue: q.name }
      queues++
      totalConsumers += q.consumerCount
      ready.push([labels, q.messageCount])
      unacked.push([labels, q.unackedCount])
      consumers.push([labels, q.consumerCount])
    }
  }
  add('rabbitmq_build_info', 'gauge', 'Warren and the RabbitMQ version it behaves as', [[{ rabbitmq_version: '3.10.0', product: 'warren', product_version: ctx.version }, 1]])
  add('rabbitmq_connections', 'gauge', 'Connections currently open', one(connections))
  add('rabbitmq_channels', 'gauge', 'Channels currently open', one(channels))
  add('rabbitmq_queues', 'gauge', 'Queues available', one(queues))
  add('rabbitmq_consumers', 'gauge', 'Consumers currently connected', one(totalConsumers))
  add('rabbitmq_queue_messages_ready', 'gauge', 'Messages ready to be delivered to consumers', ready)
  add('rabbitmq_queue_messages_unacked', 'gauge', 'Messages delivered to consumers but not yet acknowledged', unacked)
  add('rabbitmq_queue_consumers', 'gauge', 'Consumers on a queue', consumers)
  if (ctx.stats.isCounting) {
    add('rabbitmq_global_messages_received_total', 'counter', 'Messages published into queues', one(ctx.stats.totals.publish))
    add('rabbitmq_global_messages_delivered_total', 'counter', 'Messages delivered to consumers or basic.get', one(ctx.stats.totals.deliver))
    add('rabbitmq_global_messages_acknowledged_total', 'counter', 'Messages acknowledged by consumers', one(ctx.stats.totals.ack))
  }
  add('rabbitmq_process_resident_memory_bytes', 'gauge', 'Memory used by the broker process', one(process.memoryUsage().rss))
  add('warren_queue_memory_bytes', 'gauge', 'Message body bytes queues hold in memory (what the memory alarm watches)', one(ctx.broker.heldMessageBytes()))
  add('rabbitmq_alarms_memory_used_watermark', 'gauge', 'Whether the memory alarm is in effect (1) or not (0)', one(ctx.memoryAlarm?.isActive ? 1 : 0))
  if (dataDir !== undefined) {
    const disk = await freeBytes(dataDir)
    if (disk !== undefined) add('rabbitmq_disk_space_available_bytes', 'gauge', 'Disk space available where the data directory lives', one(disk))
  }
  return families.map(render).join('')
}

function render(f: Family): string {
  const lines = [`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`]
  for (const [labels, value] of f.samples) lines.push(`${f.name}${renderLabels(labels)} ${value}`)
  return lines.join('\n') + '\n'
}

function renderLabels(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
  return parts.length === 0 ? '' : `{${parts.join(',')}}`
}

async function freeBytes(dir: string): Promise<number | undefined> {
  try {
    const s = await statfs(dir)
    return s.bavail * s.bsize
  } catch {
    return undefined // no data directory yet (or in memory): the metric is left out
  }
}
