// TLS: amqplib connects over TLS with a test CA; a client certificate logs in with EXTERNAL (the
// user its CN names); a client certificate from another CA is refused. Certificates are made with
// the openssl command into a temporary directory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import amqp from 'amqplib'
import { startBroker, type WarrenBroker } from '../../src/index.js'

const dir = mkdtempSync(join(tmpdir(), 'warren-tls-'))
const file = (name: string) => join(dir, name)
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })

/** A CA, and a certificate for `cn` signed by it (with `san` as subjectAltName when given). */
function makeCa(name: string): void {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', file(`${name}.key`), '-out', file(`${name}.pem`))
}
function makeCert(name: string, ca: string, cn: string, san?: string): void {
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`))
  const ext = file(`${name}.ext`)
  writeFileSync(ext, san ? `subjectAltName=${san}\n` : 'basicConstraints=CA:FALSE\n')
  openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file(`${ca}.pem`), '-CAkey', file(`${ca}.key`), '-CAcreateserial',
    '-days', '2', '-extfile', ext, '-out', file(`${name}.pem`))
}

describe('TLS', () => {
  let broker: WarrenBroker
  const read = (name: string) => readFileSync(file(name))

  beforeAll(async () => {
    makeCa('test-ca')
    makeCa('rogue-ca')
    makeCert('server', 'test-ca', 'localhost', 'IP:127.0.0.1,DNS:localhost')
    makeCert('client', 'test-ca', 'guest')
    makeCert('rogue', 'rogue-ca', 'guest')
    broker = await startBroker({
      port: 0, logLevel: 'silent', tlsPort: 0, tlsVerifyPeer: true,
      tlsCertFile: file('server.pem'), tlsKeyFile: file('server.key'), tlsCaFile: file('test-ca.pem'),
    })
  }, 60_000)
  afterAll(async () => {
    await broker?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const tlsUrl = () => `amqps://127.0.0.1:${broker.tlsPort}`

  it('serves amqplib over TLS with PLAIN, verifying the server against the test CA', async () => {
    const conn = await amqp.connect(tlsUrl().replace('amqps://', 'amqps://guest:guest@'), {
      ca: [read('test-ca.pem')], cert: read('client.pem'), key: read('client.key'),
    })
    const ch = await conn.createChannel()
    const q = await ch.assertQueue('', { exclusive: true })
    ch.sendToQueue(q.queue, Buffer.from('over tls'))
    const m = await new Promise<import('amqplib').ConsumeMessage>((resolve) => ch.consume(q.queue, (msg) => msg && resolve(msg)))
    expect(m.content.toString()).toBe('over tls')
    await conn.close()
  })

  it('logs in with EXTERNAL as the user the client certificate names', async () => {
    const conn = await amqp.connect(tlsUrl(), {
      credentials: amqp.credentials.external(), ca: [read('test-ca.pem')], cert: read('client.pem'), key: read('client.key'),
    })
    const ch = await conn.createChannel()
    await ch.checkExchange('amq.direct')
    await conn.close()
  })

  it('refuses a client certificate signed by another CA', async () => {
    await expect(amqp.connect(tlsUrl().replace('amqps://', 'amqps://guest:guest@'), {
      ca: [read('test-ca.pem')], cert: read('rogue.pem'), key: read('rogue.key'),
    })).rejects.toThrow()
    // The broker is unharmed: a good client still gets in.
    const conn = await amqp.connect(tlsUrl(), { credentials: amqp.credentials.external(), ca: [read('test-ca.pem')], cert: read('client.pem'), key: read('client.key') })
    await conn.close()
  })

  it('does not offer EXTERNAL on plain TCP (the socket is dropped, as RabbitMQ does)', async () => {
    await expect(amqp.connect(broker.url.replace('guest:guest@', ''), { credentials: amqp.credentials.external() })).rejects.toThrow()
  })
})
