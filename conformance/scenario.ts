// What a scenario is, the context it runs in (connections, unique names), and running one into a
// fixture: the normalised transcript of every connection plus the methods it sent. Knows no
// particular broker: the target is a host, a port and credentials.
import { RawClient, ScenarioAbort, type Credentials, type HandshakeOptions } from './raw-client.js'
import { normalise, type Transcripts } from './normalise.js'

export interface Target extends Credentials {
  host: string
  port: number
}

export interface Scenario {
  /** Kebab-case, unique; also the fixture's file name. */
  name: string
  /** connection, channel, exchange, queue, basic, confirm, tx, content, arguments, errors, routing, and the
   *  extension groups dead-letter, ttl, length, priority, single-active, alternate-exchange, reply-to,
   *  quorum, stream, headers, permissions, limits, and names. */
  group: string
  /** The RabbitMQ behaviour it pins, in a sentence. */
  about: string
  run(t: ScenarioContext): Promise<void>
  /** Whole-scenario limit (default 15 s). */
  timeoutMs?: number
}

export interface Fixture {
  scenario: string
  group: string
  about: string
  /** Every method the scenario sent, by name, sorted. */
  sent: string[]
  /** What the broker sent on each connection, normalised; connections are c1, c2, ... */
  transcript: Transcripts
}

export const scenario = (group: string, name: string, about: string, run: (t: ScenarioContext) => Promise<void>, timeoutMs?: number): Scenario =>
  ({ name, group, about, run, timeoutMs })

export class ScenarioContext {
  readonly clients: RawClient[] = []
  readonly queues = new Set<string>()
  readonly exchanges = new Set<string>()

  constructor(readonly target: Target, readonly name: string) {}

  /** A TCP connection and nothing else (no protocol header yet). */
  async connect(): Promise<RawClient> {
    const c = await RawClient.open(this.target.host, this.target.port, `c${this.clients.length + 1}`, this.target)
    this.clients.push(c)
    return c
  }

  /** A connection through the handshake, with channel 1 open (unless `channel: 0`). */
  async open(o: HandshakeOptions & { channel?: number } = {}): Promise<RawClient> {
    const c = await this.connect()
    await c.handshake(o)
    if (o.channel !== 0) await c.openChannel(o.channel ?? 1)
    return c
  }

  /** A queue name unique to this scenario (deleted after it). */
  q(suffix = ''): string {
    const n = `cf.${this.name}${suffix ? `.${suffix}` : ''}`
    this.queues.add(n)
    return n
  }

  /** An exchange name unique to this scenario (deleted after it). */
  x(suffix = ''): string {
    const n = `cfx.${this.name}${suffix ? `.${suffix}` : ''}`
    this.exchanges.add(n)
    return n
  }
}

/** Runs one scenario against a broker and returns its normalised fixture. Never throws. */
export async function runScenario(s: Scenario, target: Target): Promise<Fixture> {
  const t = new ScenarioContext(target, s.name)
  let timer: NodeJS.Timeout | undefined
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ScenarioAbort('scenario timed out')), s.timeoutMs ?? 15_000)
  })
  let failure: string | undefined
  try {
    await Promise.race([s.run(t), limit])
    // Every connection ends on a synchronous exchange, so nothing can trail in after the record ends.
    for (const c of t.clients) if (!c.isDone) await Promise.race([c.close(), limit])
  } catch (err) {
    failure = err instanceof ScenarioAbort ? err.message : `error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`
  } finally {
    clearTimeout(timer)
  }
  const raw: Transcripts = {}
  for (const c of t.clients) {
    c.destroy()
    raw[c.label] = [...c.transcript]
  }
  if (failure !== undefined) {
    const last = t.clients.at(-1)?.label ?? 'c1'
    ;(raw[last] ??= []).push({ aborted: failure })
  }
  await cleanUp(t)
  const sent = new Set<string>()
  for (const c of t.clients) for (const m of c.sent) sent.add(m)
  return { scenario: s.name, group: s.group, about: s.about, sent: [...sent].sort(), transcript: normalise(raw) }
}

/** Deletes the queues and exchanges the scenario named, on a fresh connection; errors are ignored. */
async function cleanUp(t: ScenarioContext): Promise<void> {
  if (t.queues.size === 0 && t.exchanges.size === 0) return
  let c: RawClient | undefined
  try {
    c = await RawClient.open(t.target.host, t.target.port, 'cleanup', t.target)
    await c.handshake()
    let ch = 0
    const fresh = async () => { ch += 1; await c!.openChannel(ch) }
    await fresh()
    const drop = async (method: string, args: Record<string, unknown>) => {
      try {
        await c!.call(ch, method, args)
      } catch (err) {
        if (!(err instanceof ScenarioAbort) || c!.isClosed) throw err
        c!.send(ch, 'channel.close-ok')
        await fresh()
      }
    }
    for (const queue of t.queues) await drop('queue.delete', { queue })
    for (const exchange of t.exchanges) await drop('exchange.delete', { exchange })
    await c.close()
  } catch {
    // cleaning up is best effort: a broker that refuses it fails the next scenario's own checks
  } finally {
    c?.destroy()
  }
}
