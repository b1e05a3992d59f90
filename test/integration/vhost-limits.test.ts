// Connection, channel and queue count limits as RabbitMQ 3.10 applies them: per-vhost
// max-connections and max-queues (rabbitmqctl set_vhost_limits; negative = none, max-connections 0
// refuses all), per-user max-connections and max-channels (set_user_limits) and the broker-wide
// connection limit (connection_max), each refusal with RabbitMQ's code and text.
import amqp from 'amqplib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeQuietly, closedWith, isExternalBroker, openChannel, startTestBroker, type TestBroker } from '../support/broker.js'
import { RawClient } from '../support/raw-client.js'

const FULL = { configure: '.*', write: '.*', read: '.*' }
const USERS = [
  { name: 'guest', password: 'guest', tags: ['administrator'], permissions: { '/': FULL, limited: FULL, open: FULL } },
  { name: 'nobody', password: 'pw', tags: [] },
]

/** The connection.close a raw handshake into `vhost` ended with (or undefined if it opened). */
async function openRefusal(port: number, vhost: string, username = 'guest', password = 'guest'): Promise<unknown> {
  const raw = await RawClient.open(port)
  try {
    await raw.handshake({ vhost, username, password })
    return undefined
  } catch {
    return raw.frames.at(-1)?.method?.args
  } finally {
    raw.destroy()
  }
}

const notAllowed = (replyText: string) => ({ replyCode: 530, replyText, classId: 10, methodId: 40 })

describe.skipIf(isExternalBroker())('per-vhost limits', () => {
  let broker: TestBroker
  const url = (vhost: string) => `amqp://guest:guest@127.0.0.1:${broker.port}/${encodeURIComponent(vhost)}`

  beforeAll(async () => {
    broker = await startTestBroker({ users: USERS, vhostLimits: { limited: { 'max-connections': 2, 'max-queues': 2 }, open: { 'max-connections': -1 } } })
  })
  afterAll(async () => { await broker?.close() })

  it('refuses the connection over max-connections with 530 at connection.open, and admits one once another closes', async () => {
    const a = await amqp.connect(url('limited'))
    const b = await amqp.connect(url('limited'))
    expect(await openRefusal(broker.port, 'limited')).toEqual(
      notAllowed("NOT_ALLOWED - access to vhost 'limited' refused for user 'guest': connection limit (2) is reached"))
    await a.close()
    const c = await amqp.connect(url('limited'))
    await closeQuietly(b)
    await closeQuietly(c)
  })

  it('checks the limit before the user\'s access to the vhost, as RabbitMQ does', async () => {
    broker.setVhostLimits('limited', { 'max-connections': 0 })
    try {
      expect(await openRefusal(broker.port, 'limited', 'nobody', 'pw')).toEqual(
        notAllowed("NOT_ALLOWED - access to vhost 'limited' refused for user 'nobody': connection limit (0) is reached"))
    } finally {
      broker.setVhostLimits('limited', { 'max-connections': 2, 'max-queues': 2 })
    }
  })

  it('max-connections 0 refuses every connection; a negative value is no limit', async () => {
    broker.setVhostLimits('open', { 'max-connections': 0 })
    expect(await openRefusal(broker.port, 'open')).toEqual(
      notAllowed("NOT_ALLOWED - access to vhost 'open' refused for user 'guest': connection limit (0) is reached"))
    broker.setVhostLimits('open', { 'max-connections': -1 })
    const conns = await Promise.all([1, 2, 3, 4].map(() => amqp.connect(url('open'))))
    for (const c of conns) await c.close()
  })

  it('refuses a new queue over max-queues with 406 naming it; redeclaring an existing one is fine', async () => {
    const conn = await amqp.connect(url('limited'))
    conn.on('error', () => {})
    try {
      const ch = await openChannel(conn)
      await ch.assertQueue('q1')
      await ch.assertQueue('q2', { exclusive: true })
      await ch.assertQueue('q1')
      await expect(ch.assertQueue('q3')).rejects.toMatchObject(
        closedWith(406, "PRECONDITION_FAILED - cannot declare queue 'q3': queue limit in vhost 'limited' (2) is reached"))
      const ch2 = await openChannel(conn)
      await expect(ch2.assertQueue('')).rejects.toThrow(
        /406 \(PRECONDITION-FAILED\) with message "PRECONDITION_FAILED - cannot declare queue 'amq\.gen-[\w-]+': queue limit in vhost 'limited' \(2\) is reached"/)
      const ch3 = await openChannel(conn)
      await ch3.deleteQueue('q1')
      await ch3.assertQueue('q3')
      await ch3.deleteQueue('q3')
      await ch3.deleteQueue('q2')
    } finally {
      await closeQuietly(conn)
    }
    expect(broker.queues('limited')).toEqual([])
  })

  it('applies limits changed at runtime, and clearing them lifts them', async () => {
    broker.setVhostLimits('limited', { 'max-queues': 0 })
    const conn = await amqp.connect(url('limited'))
    conn.on('error', () => {})
    try {
      const ch = await openChannel(conn)
      await expect(ch.assertQueue('r1')).rejects.toMatchObject(closedWith(406, "PRECONDITION_FAILED - cannot declare queue 'r1': queue limit in vhost 'limited' (0) is reached"))
      broker.clearVhostLimits('limited')
      const ch2 = await openChannel(conn)
      await ch2.assertQueue('r1')
      await ch2.deleteQueue('r1')
    } finally {
      await closeQuietly(conn)
      broker.setVhostLimits('limited', { 'max-connections': 2, 'max-queues': 2 })
    }
  })
})

describe.skipIf(isExternalBroker())('broker-wide connection limit', () => {
  let broker: TestBroker
  beforeAll(async () => { broker = await startTestBroker({ maxConnections: 2 }) })
  afterAll(async () => { await broker?.close() })

  it('refuses the connection over the limit with 530 at connection.open, across vhosts', async () => {
    const a = await amqp.connect(broker.url)
    const b = await amqp.connect(broker.url)
    expect(await openRefusal(broker.port, '/')).toEqual(notAllowed('NOT_ALLOWED - connection refused: node connection limit (2) is reached'))
    await a.close()
    const c = await amqp.connect(broker.url)
    await Promise.all([b.close(), c.close()])
  })

  it('does not count sockets that never finished the handshake', async () => {
    const idle = await Promise.all([1, 2, 3].map(() => RawClient.open(broker.port)))
    try {
      const a = await amqp.connect(broker.url)
      await a.close()
    } finally {
      for (const r of idle) r.destroy()
    }
  })
})

describe.skipIf(isExternalBroker())('per-user limits', () => {
  let broker: TestBroker
  const url = (user: string) => `amqp://${user}:pw@127.0.0.1:${broker.port}/`
  const channelLimit = (user: string, n: number) =>
    `NOT_ALLOWED - number of channels opened for user '${user}' has reached the maximum allowed user limit of (${n})`

  beforeAll(async () => {
    broker = await startTestBroker({
      users: [
        { name: 'one-conn', password: 'pw', tags: [], permissions: { '/': FULL }, limits: { 'max-connections': 1 } },
        { name: 'no-access', password: 'pw', tags: [], limits: { 'max-connections': 0 } },
        { name: 'two-chans', password: 'pw', tags: [], permissions: { '/': FULL }, limits: { 'max-channels': 2 } },
        { name: 'unlimited', password: 'pw', tags: [], permissions: { '/': FULL }, limits: { 'max-connections': -1, 'max-channels': -1 } },
      ],
    })
  })
  afterAll(async () => { await broker?.close() })

  it('refuses the user\'s connection over max-connections with 530 at connection.open, and admits one once another closes', async () => {
    const a = await amqp.connect(url('one-conn'))
    expect(await openRefusal(broker.port, '/', 'one-conn', 'pw')).toEqual(
      notAllowed("NOT_ALLOWED - connection refused for user 'one-conn': user connection limit (1) is reached"))
    await a.close()
    const b = await amqp.connect(url('one-conn'))
    await b.close()
  })

  it('checks the user\'s connection limit before its access to the vhost', async () => {
    expect(await openRefusal(broker.port, '/', 'no-access', 'pw')).toEqual(
      notAllowed("NOT_ALLOWED - connection refused for user 'no-access': user connection limit (0) is reached"))
  })

  it('counts the channels of all the user\'s connections and closes the connection over max-channels with 530', async () => {
    const a = await amqp.connect(url('two-chans'))
    const b = await amqp.connect(url('two-chans'))
    const closed = new Promise<Error>((resolve) => a.on('error', resolve))
    try {
      const first = await a.createChannel()
      await b.createChannel()
      // A closed channel no longer counts.
      await first.close()
      await a.createChannel()
      a.createChannel().catch(() => {})
      expect((await closed).message).toContain(`530 (NOT-ALLOWED) with message "${channelLimit('two-chans', 2)}"`)
      // The refused connection's channel is released with it: b may open one again.
      await b.createChannel()
    } finally {
      await closeQuietly(b)
    }
  })

  it('applies limits set at runtime; negative limits and cleared ones are none', async () => {
    const conns = await Promise.all([1, 2, 3].map(() => amqp.connect(url('unlimited'))))
    for (const c of conns) for (let i = 0; i < 3; i++) await c.createChannel()
    broker.setUserLimits('unlimited', { 'max-channels': 9 })
    const refused = new Promise<Error>((resolve) => conns[0].on('error', resolve))
    conns[0].createChannel().catch(() => {})
    expect((await refused).message).toContain(channelLimit('unlimited', 9))
    // Six channels remain open: a limit of 6 would refuse the next one, until it is cleared.
    broker.setUserLimits('unlimited', { 'max-channels': 6 })
    broker.clearUserLimits('unlimited')
    await conns[1].createChannel()
    for (const c of conns.slice(1)) await c.close()
  })
})
