// The jobs a load-generator child process runs and the results it reports (IPC messages).

export type Job =
  | { role: 'publish', port: number, exchange: string, routingKeys: string[], bodyBytes: number, persistent: boolean,
      count: number, timeCapMs: number, batch: number, confirmWindow: number }
  | { role: 'consume', port: number, queues: string[], prefetch: number, countPerQueue: number, timeCapMs: number, latency: boolean }
  | { role: 'rate-publish', port: number, routingKey: string, bodyBytes: number, ratePerSecond: number, count: number, timeCapMs: number }
  | { role: 'churn', port: number, count: number, concurrency: number, timeCapMs: number }
  | { role: 'declare', port: number, prefix: string, count: number, channels: number, timeCapMs: number }

/** Times are wall-clock milliseconds (performance.timeOrigin + performance.now()). */
export interface PublishResult { sent: number, confirmed: number, nacked: number, started: number, publishedAt: number, ended: number }
export interface ConsumeResult { received: number, started: number, first: number, last: number, latencies?: number[], error?: string }
export interface ChurnResult { opened: number, failures: number, started: number, ended: number }
export interface DeclareResult { declared: number, started: number, ended: number }
export type WorkerResult = PublishResult | ConsumeResult | ChurnResult | DeclareResult
