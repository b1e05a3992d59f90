// The `warren` command: --port 0 prints the bound port, accepts AMQP connections, closes them with
// 320 CONNECTION_FORCED on SIGTERM and exits 0; a usage error exits 2.
import { describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import amqp from 'amqplib'
import { startChildBroker } from '../support/child-broker.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

describe('warren command', () => {
  it('prints the port it bound with --port 0, serves a client, and exits 0 on SIGTERM', async () => {
    const broker = await startChildBroker(['--in-memory'])
    expect(broker.port).toBeGreaterThan(0)
    const conn = await amqp.connect(broker.url)
    const closed = new Promise<Error | undefined>((resolve) => {
      conn.on('error', (e: Error) => resolve(e))
      conn.on('close', (e?: Error) => resolve(e))
    })
    const ch = await conn.createChannel()
    await ch.assertQueue('cli-q', { durable: false })
    broker.process.kill('SIGTERM')
    expect(await broker.exited).toBe(0)
    expect(String(await closed)).toMatch(/CONNECTION_FORCED/)
  })

  it('exits 1 naming the port that is taken, even when it is the management API\'s', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '0.0.0.0', resolve))
    const taken = (blocker.address() as { port: number }).port
    try {
      const r = spawnSync(process.execPath, ['bin/warren.js', '--port', '0', '--in-memory', '--management-port', String(taken)], { cwd: root, encoding: 'utf8', timeout: 10_000 })
      expect({ status: r.status, stderr: r.stderr.trim() }).toEqual({ status: 1, stderr: `warren: cannot start: port ${taken} is in use` })
    } finally {
      blocker.close()
    }
  })

  it('exits 2 on an unknown option and on a bad value', () => {
    for (const args of [['--no-such-option'], ['--port', 'many'], ['--log-level', 'loud']]) {
      const r = spawnSync(process.execPath, ['bin/warren.js', ...args], { cwd: root, encoding: 'utf8', timeout: 10_000 })
      expect({ args, status: r.status }).toEqual({ args, status: 2 })
      expect(r.stderr).toMatch(/^warren: /)
    }
  })

  it('reads WARREN_* environment variables', async () => {
    const broker = await startChildBroker([], 10_000, { WARREN_IN_MEMORY: 'true', WARREN_LOG_LEVEL: 'silent' })
    const conn = await amqp.connect(broker.url)
    await conn.close()
    broker.process.kill('SIGINT')
    expect(await broker.exited).toBe(0)
  })
})
