// A private RabbitMQ node for recording fixtures: installed with apt-get when missing, started on
// spare loopback ports with its own node name, cookie and temporary data folder, stopped after.
// Never touches another node: every command names ours (-n) and uses our HOME (its cookie).
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CONFORMANCE_TOPIC_PERMISSIONS, CONFORMANCE_USERS, CONFORMANCE_VHOSTS } from './users.js'

const BIN = '/usr/lib/rabbitmq/bin'

export interface RabbitNode {
  port: number
  nodeName: string
  version: string
  stop(): void
}

function hasRabbit(): boolean {
  return existsSync(join(BIN, 'rabbitmq-server')) || spawnSync('sh', ['-c', 'command -v rabbitmq-server'], { stdio: 'ignore' }).status === 0
}

/** Installs the Debian package rabbitmq-server when it is not there (needs root). */
export function ensureInstalled(log: (s: string) => void): void {
  if (hasRabbit()) return
  log('rabbitmq-server not found: installing it with apt-get')
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env, timeout: 300_000 })
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'rabbitmq-server'], { stdio: 'inherit', env, timeout: 600_000 })
  // The package starts the system service; we leave it alone and run our own node beside it.
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

/** Resolves once the port answers a protocol header with connection.start; bounded by deadline. */
async function waitForAmqp(port: number, deadlineMs: number): Promise<void> {
  for (let attempt = 0; Date.now() < deadlineMs && attempt < 600; attempt++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port })
      const done = (v: boolean) => { s.destroy(); clearTimeout(timer); resolve(v) }
      const timer = setTimeout(() => done(false), 2000)
      s.once('connect', () => s.write(Buffer.from('AMQP\x00\x00\x09\x01', 'latin1')))
      s.once('data', (d: Buffer) => done(d.length > 7 && d[0] === 1))
      s.once('error', () => done(false))
      s.once('close', () => done(false))
    })
    if (ok) return
    // The node is still booting: wait a little before the next connection attempt.
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`RabbitMQ did not accept AMQP connections on port ${port} in time`)
}

export async function startRabbit(log: (s: string) => void): Promise<RabbitNode> {
  ensureInstalled(log)
  const dir = mkdtempSync(join(tmpdir(), 'warren-conformance-rabbit-'))
  const port = await freePort(), distPort = await freePort()
  const nodeName = `warren-conformance-${process.pid}@localhost`
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n')
  writeFileSync(join(dir, 'rabbitmq.conf'), 'log.console = false\n')
  const env = {
    ...process.env,
    HOME: dir,
    RABBITMQ_NODENAME: nodeName,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_PID_FILE: join(dir, 'pid'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
  }
  writeFileSync(env.RABBITMQ_CONF_ENV_FILE, '')
  log(`starting RabbitMQ node ${nodeName} on 127.0.0.1:${port} (data in ${dir})`)
  execFileSync(join(BIN, 'rabbitmq-server'), ['-detached'], { env, stdio: 'ignore', timeout: 60_000 })
  const ctl = (...args: string[]) => execFileSync(join(BIN, 'rabbitmqctl'), ['-n', nodeName, ...args], { env, timeout: 60_000 }).toString()
  let stopped = false
  const stop = () => {
    if (stopped) return
    stopped = true
    try {
      ctl('stop', env.RABBITMQ_PID_FILE) // with the pid file, stop returns once the node process has exited
    } catch (err) {
      log(`rabbitmqctl stop failed: ${String(err)}`)
    }
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
    } catch (err) {
      log(`could not remove ${dir}: ${String(err)}`)
    }
  }
  try {
    await waitForAmqp(port, Date.now() + 90_000)
    ctl('await_startup')
    for (const u of CONFORMANCE_USERS) {
      ctl('add_user', u.name, u.password)
      if (u.permissions) ctl('set_permissions', '-p', '/', u.name, u.permissions.configure, u.permissions.write, u.permissions.read)
      if (u.limits) ctl('set_user_limits', u.name, JSON.stringify(u.limits))
    }
    for (const [vhost, limits] of Object.entries(CONFORMANCE_VHOSTS)) {
      ctl('add_vhost', vhost)
      ctl('set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*')
      ctl('set_vhost_limits', '-p', vhost, JSON.stringify(limits))
    }
    for (const t of CONFORMANCE_TOPIC_PERMISSIONS) ctl('set_topic_permissions', '-p', t.vhost, t.user, t.exchange, t.write, t.read)
    const version = ctl('eval', 'rabbit_misc:version().').trim().replace(/"/g, '')
    return { port, nodeName, version, stop }
  } catch (err) {
    stop()
    throw err
  }
}
