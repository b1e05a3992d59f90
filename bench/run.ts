// `npm run bench`: every workload against Warren (CLI child process) and a private RabbitMQ node,
// alternately (A B A B ...) for --rounds rounds, plus the limit relay where it applies; prints
// medians, min-max and ratios; --write regenerates bench/RESULTS.md from the run.
//   npm run bench -- [--rounds N] [--only name[,name]] [--write] [--no-rabbit] [--cpu-prof DIR]
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { ROOT, startLimit, startRabbit, startWarren, stopAll, stopAllSync, type Broker, type BrokerKind } from './brokers.js'
import { median } from './stats.js'
import { WORKLOADS, type Metric, type Workload } from './workloads.js'

const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    only: { type: 'string' },
    write: { type: 'boolean', default: false },
    'no-rabbit': { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
  },
})
const rounds = Number(opts.rounds)
if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a positive integer')
const only = opts.only?.split(',')
const selected = only ? WORKLOADS.filter((w) => only.includes(w.name)) : WORKLOADS
if (selected.length === 0) throw new Error(`no workload named ${opts.only}; known: ${WORKLOADS.map((w) => w.name).join(', ')}`)
const kinds: BrokerKind[] = opts['no-rabbit'] ? ['warren'] : ['warren', 'rabbitmq']

type Samples = Map<string, number[]> // `${workload}|${metric}|${kind}` → one value per round
const samples: Samples = new Map()
const record = (w: Workload, kind: BrokerKind, values: Record<string, number>) => {
  for (const [metric, v] of Object.entries(values)) {
    const k = `${w.name}|${metric}|${kind}`
    if (!samples.has(k)) samples.set(k, [])
    samples.get(k)!.push(v)
  }
}

let sharedRabbit: Broker | undefined

async function brokerFor(w: Workload, kind: BrokerKind): Promise<{ broker?: Broker, owned: boolean }> {
  if (w.ownsBroker) return { owned: false }
  if (kind === 'warren') return { broker: await startWarren({ persistent: w.persistent, cpuProfDir: opts['cpu-prof'] }), owned: true }
  if (kind === 'limit') return { broker: await startLimit(), owned: true }
  if (w.freshRabbit) return { broker: await startRabbit(), owned: true }
  sharedRabbit ??= await startRabbit()
  return { broker: sharedRabbit, owned: false }
}

const fmt = (v: number, unit: string) => (unit === 'ms' ? v.toFixed(v < 10 ? 2 : 0) : unit === 'MB' ? v.toFixed(0) : Math.round(v).toLocaleString('en-US'))

/** One measurement; a failure is reported and retried once, then that round is left out of the medians. */
async function runOne(w: Workload, kind: BrokerKind, round: number): Promise<void> {
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      return await measure(w, kind, round, attempt)
    } catch (err) {
      console.log(`  round ${round} ${kind.padEnd(8)} FAILED (attempt ${attempt}): ${(err as Error).message}`)
      failures.push(`${w.name} ${kind} round ${round} attempt ${attempt}: ${(err as Error).message.split('\n')[0]}`)
    }
  }
}

const failures: string[] = []

async function measure(w: Workload, kind: BrokerKind, round: number, attempt: number): Promise<void> {
  const { broker, owned } = await brokerFor(w, kind)
  try {
    const values = await w.run({ kind, broker, tag: `${w.name.replace(/[^a-z0-9]+/gi, '-')}-${kind}-${round}-${attempt}` })
    record(w, kind, values)
    const extras = Object.keys(values).filter((k) => !w.metrics.some((m) => m.key === k)).map((k) => `${k} ${fmt(values[k], '')}`)
    console.log(`  round ${round} ${kind.padEnd(8)} ${[...w.metrics.map((m) => `${m.label} ${fmt(values[m.key], m.unit)}`), ...extras].join(', ')}`)
  } finally {
    if (owned && broker) await broker.stop()
  }
}

interface Row { workload: Workload, metric: Metric, cells: Map<BrokerKind, number[]> }

function rows(): Row[] {
  const out: Row[] = []
  for (const w of selected) {
    for (const m of w.metrics) {
      const cells = new Map<BrokerKind, number[]>()
      for (const kind of ['warren', 'rabbitmq', 'limit'] as BrokerKind[]) {
        const s = samples.get(`${w.name}|${m.key}|${kind}`)
        if (s?.length) cells.set(kind, s)
      }
      if (cells.size) out.push({ workload: w, metric: m, cells })
    }
  }
  return out
}

function cell(values: number[] | undefined, unit: string): string {
  if (!values) return '–'
  const s = [...values].sort((a, b) => a - b)
  return `${fmt(median(s), unit)} (${fmt(s[0], unit)}–${fmt(s[s.length - 1], unit)})`
}

function table(): string {
  const lines = [
    '| workload | metric | better | Warren median (min–max) | RabbitMQ median (min–max) | Warren / RabbitMQ | limit relay median (min–max) | Warren / limit |',
    '|---|---|---|---|---|---|---|---|',
  ]
  for (const r of rows()) {
    const wv = r.cells.get('warren'), rv = r.cells.get('rabbitmq'), lv = r.cells.get('limit')
    const ratio = wv && rv ? `${(median(wv) / median(rv)).toFixed(2)}×` : '–'
    const vsLimit = wv && lv ? `${((median(wv) / median(lv)) * 100).toFixed(0)} %` : '–'
    lines.push(`| ${r.workload.name} | ${r.metric.label} | ${r.metric.better} | ${cell(wv, r.metric.unit)} | ${cell(rv, r.metric.unit)} | ${ratio} | ${cell(lv, r.metric.unit)} | ${vsLimit} |`)
  }
  return lines.join('\n')
}

function machine(): string[] {
  const sh = (cmd: string, args: string[]) => { try { return execFileSync(cmd, args, { encoding: 'utf8' }).trim() } catch { return 'unknown' } }
  const model = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown'
  return [
    `- nproc: ${sh('nproc', [])}; CPU: ${model}; memory: ${(Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]) / 1024 / 1024).toFixed(1)} GiB`,
    `- Node ${process.version}; RabbitMQ ${sh('dpkg-query', ['-W', '-f=${Version}', 'rabbitmq-server'])} (Debian package, default configuration, no plugins)`,
    `- kernel ${sh('uname', ['-r'])}`,
  ]
}

async function main(): Promise<void> {
  const started = Date.now()
  const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim()
  console.log(`${command}\n${rounds} rounds, order per round: ${kinds.join(' then ')}${' (limit relay first where relevant)'}`)
  for (const w of selected) {
    console.log(`\n${w.name}: ${w.sizes}`)
    for (let round = 1; round <= rounds; round++) {
      if (w.limit) await runOne(w, 'limit', round)
      for (const kind of kinds) await runOne(w, kind, round)
    }
  }
  const minutes = ((Date.now() - started) / 60_000).toFixed(1)
  const t = table()
  for (const f of failures) console.log(`failed: ${f}`)
  console.log(`\n${t}\n\nthroughput and rates: higher is better; latency, RSS and time: lower is better. Full run: ${minutes} min.`)
  if (opts.write) {
    const doc = [
      '# Warren vs RabbitMQ: benchmark results',
      '',
      `Generated by \`${command}\` on ${new Date().toISOString().slice(0, 10)} in ${minutes} minutes. Do not edit by hand; regenerate with \`npm run bench -- --write\`.`,
      '',
      ...machine(),
      '',
      `Each workload ran ${rounds} rounds, Warren and RabbitMQ alternately (A B A B …), each in its own process, with the load`,
      'generator (bench/loadgen/, raw AMQP on our codec) in separate child processes. Cells are median (min–max) over the rounds.',
      'Ratios are Warren / RabbitMQ medians: above 1× is better for throughput, below 1× is better for latency, RSS and time.',
      '"Warren / limit" is Warren as a fraction of the limit relay (bench/limit.ts): a Node process that only forwards',
      'publish frames as deliver frames, so no Node broker can exceed it on this machine.',
      '',
      t,
      '',
      ...(failures.length ? ['Failed measurements (retried once; a round that failed twice is missing from its cell):', '', ...failures.map((f) => `- ${f}`), ''] : []),
      '## Workloads',
      '',
      ...selected.map((w) => `- **${w.name}**: ${w.sizes}.`),
      '',
      'Warren runs as `node bin/warren.js --port 0 --host 127.0.0.1 --no-management --in-memory --log-level warn` (`--data-dir <fresh tmp>` for the',
      'persistent workloads), a fresh process per measurement. RabbitMQ runs as a private node (`rabbitmq-server -detached` with its own',
      'port, node name, data folder and cookie); one node serves all workloads except backlog and queues-10k, which get a fresh node',
      'each round so their RSS starts from the same point as Warren\'s. RSS is VmRSS of the broker process (beam.smp for RabbitMQ).',
      '',
    ].join('\n')
    writeFileSync(join(ROOT, 'bench', 'RESULTS.md'), doc)
    console.log('wrote bench/RESULTS.md')
  }
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => { stopAllSync(); process.exit(130) })

try {
  await main()
} finally {
  await stopAll()
}
