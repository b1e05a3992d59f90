// Parent side of the load generator: forks worker processes, hands them a job, starts them
// together with 'go', collects results. A worker that overruns its deadline is killed by its PID.
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Job, WorkerResult } from './jobs.js'

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url))

interface Message { type: string, [k: string]: unknown }

export class Worker {
  private inbox: Message[] = []
  private waiting: ((m: Message) => void) | undefined
  private exited = false

  private constructor(private readonly child: ChildProcess, private readonly label: string) {
    child.on('message', (m: Message) => {
      if (this.waiting) { const w = this.waiting; this.waiting = undefined; w(m) } else this.inbox.push(m)
    })
    child.on('exit', (code) => {
      this.exited = true
      const m = { type: 'exit', code }
      if (this.waiting) { const w = this.waiting; this.waiting = undefined; w(m) } else this.inbox.push(m)
    })
  }

  /** Forks a worker, gives it the job and waits until it says it is ready. */
  static async start(job: Job, label: string = job.role): Promise<Worker> {
    const child = fork(WORKER, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    const w = new Worker(child, label)
    child.send(job)
    await w.next('ready', 30_000)
    return w
  }

  go(): void {
    if (!this.exited) this.child.send('go')
  }

  /** The next message, which must be of `type`; a worker error or exit is thrown. */
  async next(type: string, timeoutMs: number): Promise<Message> {
    const m = await new Promise<Message>((resolve, reject) => {
      const queued = this.inbox.shift()
      if (queued) return resolve(queued)
      const timer = setTimeout(() => {
        this.waiting = undefined
        this.kill()
        reject(new Error(`${this.label} worker: no '${type}' within ${timeoutMs} ms`))
      }, timeoutMs)
      this.waiting = (msg) => { clearTimeout(timer); resolve(msg) }
    })
    if (m.type === type) return m
    if (m.type === 'error') throw new Error(`${this.label} worker failed: ${m.message as string}`)
    throw new Error(`${this.label} worker: expected '${type}', got ${JSON.stringify(m).slice(0, 200)}`)
  }

  async result<T extends WorkerResult>(timeoutMs: number): Promise<T> {
    return (await this.next('result', timeoutMs)).result as T
  }

  kill(): void {
    if (!this.exited && this.child.pid !== undefined) this.child.kill('SIGKILL')
  }
}

/** Starts every job, then sends 'go' to all of them at once. */
export async function startAll(jobs: Job[]): Promise<Worker[]> {
  const workers: Worker[] = []
  try {
    for (const j of jobs) workers.push(await Worker.start(j))
  } catch (err) {
    for (const w of workers) w.kill()
    throw err
  }
  return workers
}
