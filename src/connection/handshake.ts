// The opening handshake's pure parts: the protocol header check, connection.start's server
// properties, SASL PLAIN/AMQPLAIN response parsing, and tune negotiation as RabbitMQ does it.
import { ByteReader } from '../wire/byte-reader.js'
import { readFieldTable, type FieldTable } from '../wire/field-table.js'
import { FRAME_MIN_SIZE } from '../wire/codec.js'
import { AmqpError, ReplyCode, accessRefused } from '../errors.js'
import type { Config } from '../config.js'

export const PROTOCOL_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]) // "AMQP" 0 0 9 1
export const MECHANISMS = ['PLAIN', 'AMQPLAIN'] as const

export function isProtocolHeader(bytes: Buffer): boolean {
  return bytes.length >= 8 && bytes.subarray(0, 8).equals(PROTOCOL_HEADER)
}

export function serverProperties(version: string): FieldTable {
  return {
    capabilities: {
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

/** Parses a SASL response; undefined when the mechanism is one we do not offer. */
export function parseCredentials(mechanism: string, response: Buffer): Credentials | undefined {
  if (mechanism === 'PLAIN') {
    // authzid NUL authcid NUL passwd (RFC 4616)
    const parts = response.toString('utf8').split('\0')
    if (parts.length !== 3) throw accessRefused('Login was refused using authentication mechanism PLAIN. For details see the broker logfile.')
    return { username: parts[1], password: parts[2] }
  }
  if (mechanism === 'AMQPLAIN') {
    // A field table's contents without its length prefix (RabbitMQ's AMQPLAIN).
    const framed = Buffer.allocUnsafe(4 + response.length)
    framed.writeUInt32BE(response.length, 0)
    response.copy(framed, 4)
    const table = readFieldTable(new ByteReader(framed))
    return { username: String(table.LOGIN ?? ''), password: String(table.PASSWORD ?? '') }
  }
  return undefined
}

export interface Tuned { channelMax: number; frameMaxBytes: number; heartbeatSeconds: number }

/** Applies the client's tune-ok to what we proposed; 0 means "no limit" and takes ours. */
export function negotiateTune(config: Config, ok: { channelMax: number; frameMax: number; heartbeat: number }): Tuned {
  if (ok.frameMax !== 0 && ok.frameMax < FRAME_MIN_SIZE) {
    throw new AmqpError(ReplyCode.NotAllowed, `frame_max=${ok.frameMax} < ${FRAME_MIN_SIZE} min size`, 'connection')
  }
  if (ok.frameMax > config.frameMaxBytes) {
    throw new AmqpError(ReplyCode.NotAllowed, `frame_max=${ok.frameMax} > ${config.frameMaxBytes} max size`, 'connection')
  }
  if (ok.channelMax > config.channelMax) {
    throw new AmqpError(ReplyCode.NotAllowed, `channel_max=${ok.channelMax} > ${config.channelMax} max size`, 'connection')
  }
  return {
    channelMax: ok.channelMax === 0 ? config.channelMax : ok.channelMax,
    frameMaxBytes: ok.frameMax === 0 ? config.frameMaxBytes : ok.frameMax,
    heartbeatSeconds: ok.heartbeat,
  }
}
