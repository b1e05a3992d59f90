// The opening handshake's pure parts: the protocol header check, connection.start's server
// properties, SASL PLAIN/AMQPLAIN response parsing, and tune negotiation as RabbitMQ does it.
import { ByteReader } from '../wire/byte-reader.js'
import { readFieldTable, type FieldTable } from '../wire/field-table.js'
import { FRAME_MIN_SIZE } from '../wire/codec.js'
import type { Config } from '../config.js'

export const PROTOCOL_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]) // "AMQP" 0 0 9 1
// RabbitMQ lists its mechanisms in this order.
export const MECHANISMS = ['AMQPLAIN', 'PLAIN'] as const

/**
 * The dialect a protocol header asks for, as RabbitMQ 3.10 reads them: 0-9-1, and 0-9 written
 * (1,1,0,9), get 0-9-1; 0-8 (1,1,8,0) and the old-style 0-9-1 (1,1,9,1) get connection.start 8-0
 * without capabilities. Anything else is refused with our own header.
 */
export type Dialect = '0-9-1' | '0-8'

export function dialectOf(bytes: Buffer): Dialect | undefined {
  if (bytes.length < 8 || bytes.toString('latin1', 0, 4) !== 'AMQP') return undefined
  const v = [bytes[4], bytes[5], bytes[6], bytes[7]].join('.')
  if (v === '0.0.9.1' || v === '1.1.0.9') return '0-9-1'
  if (v === '1.1.8.0' || v === '1.1.9.1') return '0-8'
  return undefined
}

/** The handshake failed in a way RabbitMQ answers by closing the socket, without a close frame. */
export class DropConnection extends Error {}

export function serverProperties(version: string, dialect: Dialect = '0-9-1'): FieldTable {
  return {
    capabilities: dialect === '0-8' ? {} : {
      publisher_confirms: true,
      exchange_exchange_bindings: true,
      'basic.nack': true,
      consumer_cancel_notify: true,
      'connection.blocked': true,
      consumer_priorities: true,
      authentication_failure_close: true,
      per_consumer_qos: true,
      direct_reply_to: true,
    },
    cluster_name: 'warren',
    copyright: 'Warren contributors',
    information: 'Warren, an AMQP 0-9-1 broker for Node.js',
    platform: `Node.js ${process.version}`,
    product: 'Warren',
    version,
  }
}

export interface Credentials { username: string; password: string }

/** Parses a SASL response; a mechanism we do not offer, or a malformed response, drops the socket (RabbitMQ). */
export function parseCredentials(mechanism: string, response: Buffer): Credentials {
  if (mechanism === 'PLAIN') {
    // authzid NUL authcid NUL passwd (RFC 4616)
    const parts = response.toString('utf8').split('\0')
    if (parts.length !== 3) throw new DropConnection('malformed PLAIN response')
    return { username: parts[1], password: parts[2] }
  }
  if (mechanism === 'AMQPLAIN') {
    // A field table's contents without its length prefix (RabbitMQ's AMQPLAIN).
    const framed = Buffer.allocUnsafe(4 + response.length)
    framed.writeUInt32BE(response.length, 0)
    response.copy(framed, 4)
    let table: FieldTable
    try {
      table = readFieldTable(new ByteReader(framed))
    } catch {
      throw new DropConnection('malformed AMQPLAIN response')
    }
    return { username: String(table.LOGIN ?? ''), password: String(table.PASSWORD ?? '') }
  }
  throw new DropConnection(`unsupported authentication mechanism '${mechanism}'`)
}

export interface Tuned { channelMax: number; frameMaxBytes: number; heartbeatSeconds: number }

/**
 * Applies the client's tune-ok to what we proposed. RabbitMQ refuses frame-max 0 (unlimited) or
 * outside [4096, ours], and channel-max above ours, by closing the socket without a close frame.
 */
export function negotiateTune(config: Config, ok: { channelMax: number; frameMax: number; heartbeat: number }): Tuned {
  if (ok.frameMax < FRAME_MIN_SIZE) throw new DropConnection(`frame_max=${ok.frameMax} < ${FRAME_MIN_SIZE} min size`)
  if (ok.frameMax > config.frameMaxBytes) throw new DropConnection(`frame_max=${ok.frameMax} > ${config.frameMaxBytes} max size`)
  // channel-max 0 would mean "no limit", more than ours: refused alike.
  if (ok.channelMax === 0 || ok.channelMax > config.channelMax) throw new DropConnection(`channel_max=${ok.channelMax} > ${config.channelMax} max size`)
  return {
    channelMax: ok.channelMax,
    frameMaxBytes: ok.frameMax === 0 ? config.frameMaxBytes : ok.frameMax,
    heartbeatSeconds: ok.heartbeat,
  }
}
