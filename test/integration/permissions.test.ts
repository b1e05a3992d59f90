// Users and permissions as RabbitMQ 3.10 applies them: vhost access at connection.open, the
// loopback-only guest, and the permission matrix (configure / write / read for each method they
// govern), each refusal with RabbitMQ's code and text (recorded against RabbitMQ 3.10.8).
import { createHash } from 'node:crypto'
import { networkInterfaces } from 'node:os'
import amqp from 'amqplib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeQuietly, closedWith, isExternalBroker, startTestBroker, type TestBroker } from '../support/broker.js'
import { RawClient } from '../support/raw-client.js'

const FULL = { configure: '.*', write: '.*', read: '.*' }
const hashOf = (password: string, salt = Buffer.from([1, 2, 3, 4])): string =>
  Buffer.concat([salt, createHash('sha256').update(Buffer.concat([salt, Buffer.from(password, 'utf8')])).digest()]).toString('base64')

// tester may configure c-*, write w-* and read r-* (rabbitmqctl set_permissions tester 'c-.*' 'w-.*' 'r-.*').
const USERS = [
  { name: 'guest', password: 'guest', tags: ['administrator'], permissions: { '/': FULL } },
  { name: 'tester', password: 'pw', tags: [], permissions: { '/': { configure: 'c-.*', write: 'w-.*', read: 'r-.*' } } },
  { name: 'emptyperm', password: 'pw', tags: [], permissions: { '/': { configure: '', write: '', read: '' } } },
  { name: 'nobody', password: 'pw', tags: [] },
  { name: 'hashed', password: '', passwordHash: hashOf('s3cret'), tags: [], permissions: { '/': FULL } },
]

let broker: TestBroker
const url = (user: string, password = 'pw', host = '127.0.0.1', port = broker.port) => `amqp://${user}:${password}@${host}:${port}`

beforeAll(async () => {
  broker = await startTestBroker({ users: USERS })
  const conn = await amqp.connect(url('guest', 'guest'))
  const ch = await conn.createChannel()
  for (const q of ['c-q', 'w-q', 'r-q']) await ch.assertQueue(q)
  for (const x of ['c-x', 'w-x', 'r-x']) await ch.assertExchange(x, 'direct')
  await conn.close()
})
afterAll(async () => { await broker?.close() })

/** Runs `op` on a fresh channel of tester's; resolves to 'ok' or the error amqplib gave. */
async function asTester(op: (ch: amqp.Channel) => Promise<unknown>, user = 'tester'): Promise<unknown> {
  const conn = await amqp.connect(url(user))
  conn.on('error', () => {})
  const ch = await conn.createChannel()
  ch.on('error', () => {})
  try {
    await op(ch)
    return 'ok'
  } catch (err) {
    return err
  } finally {
    await closeQuietly(conn)
  }
}

const refused = (kind: 'queue' | 'exchange', name: string) =>
  closedWith(403, `ACCESS_REFUSED - access to ${kind} '${name}' in vhost '/' refused for user 'tester'`)

/** amqplib rejects basic.get with the channel.close frame itself, other methods with an Error. */
function asError(result: unknown): unknown {
  const frame = result as { fields?: { replyCode: number; replyText: string } }
  if (!frame.fields) return result
  return { code: frame.fields.replyCode, message: `with message "${frame.fields.replyText}"` }
}

/** A publish is answered only by a channel.close; a round trip after it shows whether one came. */
const publish = (exchange: string) => async (ch: amqp.Channel) => {
  ch.publish(exchange, 'k', Buffer.from('m'))
  await ch.checkQueue('r-q')
}

describe.skipIf(isExternalBroker())('permission matrix', () => {
  const cases: [string, (ch: amqp.Channel) => Promise<unknown>, ((ch: amqp.Channel) => Promise<unknown>), ['queue' | 'exchange', string]][] = [
    ['configure: exchange.declare', (ch) => ch.assertExchange('c-x2', 'fanout', { autoDelete: true }), (ch) => ch.assertExchange('w-x2', 'fanout'), ['exchange', 'w-x2']],
    ['configure: exchange.delete', (ch) => ch.deleteExchange('c-gone'), (ch) => ch.deleteExchange('w-x'), ['exchange', 'w-x']],
    ['configure: queue.declare', (ch) => ch.assertQueue('c-q2', { autoDelete: true }), (ch) => ch.assertQueue('w-q2'), ['queue', 'w-q2']],
    ['configure: queue.delete', (ch) => ch.deleteQueue('c-gone'), (ch) => ch.deleteQueue('w-q'), ['queue', 'w-q']],
    ['write+read: queue.bind (queue refused)', (ch) => ch.bindQueue('w-q', 'r-x', 'k'), (ch) => ch.bindQueue('r-q', 'r-x', 'k'), ['queue', 'r-q']],
    ['write+read: queue.bind (exchange refused)', (ch) => ch.bindQueue('w-q', 'r-x', 'k2'), (ch) => ch.bindQueue('w-q', 'w-x', 'k'), ['exchange', 'w-x']],
    ['write+read: queue.unbind (queue refused)', (ch) => ch.unbindQueue('w-q', 'r-x', 'k'), (ch) => ch.unbindQueue('r-q', 'r-x', 'k'), ['queue', 'r-q']],
    ['write+read: queue.unbind (exchange refused)', (ch) => ch.unbindQueue('w-q', 'r-x', 'k2'), (ch) => ch.unbindQueue('w-q', 'w-x', 'k'), ['exchange', 'w-x']],
    ['write+read: exchange.bind (destination refused)', (ch) => ch.bindExchange('w-x', 'r-x', 'k'), (ch) => ch.bindExchange('r-x', 'r-x', 'k'), ['exchange', 'r-x']],
    ['write+read: exchange.bind (source refused)', (ch) => ch.bindExchange('w-x', 'r-x', 'k2'), (ch) => ch.bindExchange('w-x', 'w-x', 'k'), ['exchange', 'w-x']],
    ['write+read: exchange.unbind', (ch) => ch.unbindExchange('w-x', 'r-x', 'k'), (ch) => ch.unbindExchange('r-x', 'r-x', 'k'), ['exchange', 'r-x']],
    ['write: basic.publish', publish('w-x'), publish('r-x'), ['exchange', 'r-x']],
    ['write: basic.publish to the default exchange (checked as amq.default)', publish('w-x'), publish(''), ['exchange', 'amq.default']],
    ['read: basic.consume', (ch) => ch.consume('r-q', () => {}), (ch) => ch.consume('w-q', () => {}), ['queue', 'w-q']],
    ['read: basic.get', (ch) => ch.get('r-q'), (ch) => ch.get('w-q'), ['queue', 'w-q']],
    ['read: queue.purge', (ch) => ch.purgeQueue('r-q'), (ch) => ch.purgeQueue('w-q'), ['queue', 'w-q']],
  ]
  for (const [name, allowed, denied, [kind, resource]] of cases) {
    it(`${name}: allowed, then refused with 403`, async () => {
      expect(await asTester(allowed)).toBe('ok')
      expect(asError(await asTester(denied))).toMatchObject(refused(kind, resource))
    })
  }

  it('checks the permission before existence: a missing queue or exchange is refused, not 404', async () => {
    expect(await asTester((ch) => ch.deleteQueue('w-nosuch'))).toMatchObject(refused('queue', 'w-nosuch'))
    expect(await asTester((ch) => ch.consume('w-nosuch', () => {}))).toMatchObject(refused('queue', 'w-nosuch'))
    expect(await asTester(publish('r-nosuch'))).toMatchObject(refused('exchange', 'r-nosuch'))
  })

  it('checks configure before the reserved amq. prefix', async () => {
    expect(await asTester((ch) => ch.assertExchange('amq.zzz', 'direct'))).toMatchObject(refused('exchange', 'amq.zzz'))
  })

  it('checks the exchange type before configure: an unknown type closes the connection with 503', async () => {
    const conn = await amqp.connect(url('tester'))
    const closed = new Promise<Error>((resolve) => conn.on('error', resolve))
    const ch = await conn.createChannel()
    ch.on('error', () => {})
    await expect(ch.assertExchange('w-x3', 'nosuchtype')).rejects.toThrow()
    expect(await closed).toMatchObject(closedWith(503, "COMMAND_INVALID - unknown exchange type 'nosuchtype'"))
  })

  it('does not check passive declares', async () => {
    expect(await asTester((ch) => ch.checkQueue('r-q'))).toBe('ok')
    expect(await asTester((ch) => ch.checkExchange('r-x'))).toBe('ok')
  })

  it('checks configure on the generated name of a server-named queue', async () => {
    // emptyperm's '' is '^$', so no generated name can match it ('c-.*' might, unanchored).
    expect(await asTester((ch) => ch.assertQueue(''), 'emptyperm')).toMatchObject({
      code: 403, message: expect.stringMatching(/ACCESS_REFUSED - access to queue 'amq\.gen-[\w-]{22}' in vhost '\/' refused for user 'emptyperm'/),
    })
    expect(broker.queues().filter((q) => q.name.startsWith('amq.gen-'))).toEqual([])
  })

  it('a new queue with a dead-letter exchange needs read on the queue and write on the exchange', async () => {
    expect(await asTester((ch) => ch.assertQueue('c-q3', { deadLetterExchange: 'c-x' }))).toMatchObject(refused('queue', 'c-q3'))
  })

  it('a new exchange with an alternate exchange needs read on the exchange and write on the alternate', async () => {
    expect(await asTester((ch) => ch.assertExchange('c-x4', 'direct', { alternateExchange: 'w-x' }))).toMatchObject(refused('exchange', 'c-x4'))
  })

  it('matches patterns unanchored, as RabbitMQ 3.10 does: c-.* also allows xc-q', async () => {
    expect(await asTester((ch) => ch.assertQueue('xc-q', { autoDelete: true }))).toBe('ok')
  })
})

describe.skipIf(isExternalBroker())('login and vhost access', () => {
  it('refuses connection.open with 530 to a user without permissions on the vhost', async () => {
    const raw = await RawClient.open(broker.port)
    await expect(raw.handshake({ username: 'nobody', password: 'pw' })).rejects.toThrow(/got method 10.50/)
    expect(raw.frames.at(-1)?.method?.args).toEqual({
      replyCode: 530, replyText: "NOT_ALLOWED - access to vhost '/' refused for user 'nobody'", classId: 10, methodId: 40,
    })
    raw.destroy()
  })

  it("lets in a user whose permissions are all '' (it has permissions, that grant nothing)", async () => {
    const conn = await amqp.connect(url('emptyperm'))
    await conn.close()
  })

  it('logs in a user known by its rabbit_password_hashing_sha256 hash, and refuses a wrong password', async () => {
    const conn = await amqp.connect(url('hashed', 's3cret'))
    await conn.close()
    await expect(amqp.connect(url('hashed', 'wrong'))).rejects.toThrow(/ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN/)
  })
})

/** This machine's first non-loopback IPv4 address, to connect from something other than loopback. */
function externalAddress(): string | undefined {
  return Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address
}

describe.skipIf(isExternalBroker() || !externalAddress())('loopback users', () => {
  it('refuses guest from a non-loopback address as a wrong password is refused, and lets it in from loopback', async () => {
    const open = await startTestBroker({ host: '0.0.0.0', users: USERS })
    try {
      await expect(amqp.connect(url('guest', 'guest', externalAddress(), open.port))).rejects.toThrow(
        /403 \(ACCESS-REFUSED\) with message "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile."/,
      )
      const local = await amqp.connect(url('guest', 'guest', '127.0.0.1', open.port))
      await local.close()
      const other = await amqp.connect(url('tester', 'pw', externalAddress(), open.port))
      await other.close()
    } finally {
      await open.close()
    }
  })

  it('lets guest in from anywhere when loopbackUsers is empty', async () => {
    const open = await startTestBroker({ host: '0.0.0.0', users: USERS, loopbackUsers: [] })
    try {
      const conn = await amqp.connect(url('guest', 'guest', externalAddress(), open.port))
      await conn.close()
    } finally {
      await open.close()
    }
  })
})
