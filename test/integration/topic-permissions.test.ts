// Topic permissions as RabbitMQ 3.10 applies them (rabbitmqctl set_topic_permissions): on topic
// exchanges only, publish checks the routing key against the write pattern, and queue.bind/unbind
// and exchange.bind (source side) check the binding key against the read pattern, after expanding
// {username} and {vhost}; a user without topic permissions is not restricted. Refusals: 403.
import amqp from 'amqplib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeQuietly, closedWith, isExternalBroker, openChannel, openConfirmChannel, startTestBroker, type Connection, type TestBroker } from '../support/broker.js'

const FULL = { configure: '.*', write: '.*', read: '.*' }
const USERS = [
  { name: 'guest', password: 'guest', tags: ['administrator'], permissions: { '/': FULL } },
  { name: 'tp', password: 'pw', tags: [], permissions: { '/': FULL } },
  { name: 'free', password: 'pw', tags: [], permissions: { '/': FULL } },
]
// As rabbitmqctl set_topic_permissions -p / tp amq.topic '^w\.{username}\.' '^r\.{vhost}\.'
const TOPIC = [{ user: 'tp', vhost: '/', exchange: 'amq.topic', write: '^w\\.{username}\\.', read: '^r\\.{vhost}\\.' }]
const refused = (key: string, exchange = 'amq.topic') =>
  closedWith(403, `ACCESS_REFUSED - access to topic '${key}' in exchange '${exchange}' in vhost '/' refused for user 'tp'`)

describe.skipIf(isExternalBroker())('topic permissions', () => {
  let broker: TestBroker
  const url = (user: string) => `amqp://${user}:pw@127.0.0.1:${broker.port}`

  /** Runs `op` as `user` on a fresh connection; resolves to 'ok' or amqplib's error. */
  async function as(user: string, op: (conn: Connection) => Promise<unknown>): Promise<unknown> {
    const conn = await amqp.connect(url(user))
    conn.on('error', () => {})
    try {
      await op(conn)
      return 'ok'
    } catch (err) {
      return err
    } finally {
      await closeQuietly(conn)
    }
  }
  const publish = (user: string, exchange: string, key: string) => as(user, async (conn) => {
    const ch = await openConfirmChannel(conn)
    ch.publish(exchange, key, Buffer.from('m'))
    // A refused publish closes the channel: the close itself (code, text) is its 'error' event.
    await ch.waitForConfirms().catch((err: unknown) => { throw ch.errors[0] ?? err })
  })
  const bind = (user: string, key: string, exchange = 'amq.topic') => as(user, async (conn) => {
    const ch = await openChannel(conn)
    await ch.bindQueue('tq', exchange, key)
  })

  beforeAll(async () => {
    broker = await startTestBroker({ users: USERS, topicPermissions: TOPIC })
    const conn = await amqp.connect(broker.url)
    const ch = await conn.createChannel()
    await ch.assertQueue('tq')
    await ch.assertExchange('dst', 'fanout')
    await ch.assertExchange('other.topic', 'topic')
    await conn.close()
  })
  afterAll(async () => { await broker?.close() })

  it('allows a publish whose routing key matches the expanded write pattern', async () => {
    expect(await publish('tp', 'amq.topic', 'w.tp.x')).toBe('ok')
  })

  it('refuses a publish whose routing key does not match with 403 naming the topic, exchange, vhost and user', async () => {
    expect(await publish('tp', 'amq.topic', 'w.other.x')).toMatchObject(refused('w.other.x'))
  })

  it('does not check publishes to other exchanges or of users without topic permissions', async () => {
    expect(await publish('tp', 'other.topic', 'anything')).toBe('ok')
    expect(await publish('tp', 'amq.direct', 'anything')).toBe('ok')
    expect(await publish('free', 'amq.topic', 'anything')).toBe('ok')
  })

  it('checks queue.bind and queue.unbind binding keys against the read pattern', async () => {
    expect(await bind('tp', 'r./.x')).toBe('ok')
    expect(await as('tp', async (conn) => (await openChannel(conn)).unbindQueue('tq', 'amq.topic', 'r./.x'))).toBe('ok')
    expect(await bind('tp', 'x.y')).toMatchObject(refused('x.y'))
    expect(await as('tp', async (conn) => (await openChannel(conn)).unbindQueue('tq', 'amq.topic', 'x.y'))).toMatchObject(refused('x.y'))
  })

  it('checks exchange.bind against the source exchange only', async () => {
    expect(await as('tp', async (conn) => (await openChannel(conn)).bindExchange('dst', 'amq.topic', 'x.y'))).toMatchObject(refused('x.y'))
    expect(await as('tp', async (conn) => (await openChannel(conn)).bindExchange('amq.topic', 'dst', 'x.y'))).toBe('ok')
    expect(await as('tp', async (conn) => (await openChannel(conn)).unbindExchange('amq.topic', 'dst', 'x.y'))).toBe('ok')
  })

  it("an empty pattern matches no key; clearing the user's topic permissions lifts the restriction", async () => {
    broker.setTopicPermissions('tp', '/', { exchange: 'other.topic', write: '', read: '.*' })
    try {
      expect(await publish('tp', 'other.topic', 'a')).toMatchObject(refused('a', 'other.topic'))
    } finally {
      broker.clearTopicPermissions('tp', '/', 'other.topic')
    }
    expect(await publish('tp', 'other.topic', 'a')).toBe('ok')
    broker.clearTopicPermissions('tp', '/')
    try {
      expect(await publish('tp', 'amq.topic', 'w.other.x')).toBe('ok')
    } finally {
      broker.setTopicPermissions('tp', '/', TOPIC[0])
    }
  })
})
