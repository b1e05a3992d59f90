// The one door to spec/generated: method ids, typed arguments, readers and writers, properties and
// constants, re-exported with the small helpers the connection needs. Knows no channel state.
import { ByteReader } from './byte-reader.js'
import { ByteWriter } from './byte-writer.js'
import { readMethod, writeMethod, METHODS, MethodId, type Method } from '../../spec/generated/methods.js'
import { readBasicProperties, writeBasicProperties, type BasicProperties } from '../../spec/generated/properties.js'
import { FrameType } from '../../spec/generated/constants.js'
import { AmqpError, ReplyCode, frameError } from '../errors.js'
import { describeOctets } from './octets.js'
import { decodeText, encodeText } from '../byte-text.js'

export { FrameType, FRAME_END, FRAME_MIN_SIZE, PROTOCOL_VERSION, DEFAULT_PORT } from '../../spec/generated/constants.js'
export { MethodId, ClassId, METHODS } from '../../spec/generated/methods.js'
export type { Method, ArgsOf, MethodInfo } from '../../spec/generated/methods.js'
export type * from '../../spec/generated/methods.js'
export { BASIC_PROPERTY_NAMES, BASIC_PROPERTY_TYPES } from '../../spec/generated/properties.js'
export type { BasicProperties } from '../../spec/generated/properties.js'
export { readMethod, writeMethod, readBasicProperties, writeBasicProperties }

/**
 * A method frame naming a class or method that does not exist. RabbitMQ 3.10's reader crashes on
 * it (`unknown_method_id`) and drops the TCP connection without a close frame; we do the same.
 */
export class UnknownMethodError extends Error {
  constructor(readonly classId: number, readonly methodId: number) {
    super(`unknown method: class ${classId}, method ${methodId}`)
  }
}

/** A known method whose arguments do not decode: 501 against that method, as RabbitMQ reports it. */
export class MethodDecodeError extends AmqpError {
  constructor(readonly methodId: number, fields: Buffer) {
    super(ReplyCode.FrameError, `cannot decode <<${fields.join(',')}>>`.slice(0, 200), 'connection')
  }
}

/**
 * RabbitMQ checks shortstrs for UTF-8 in every method but basic.publish, whose exchange and routing
 * key it takes as bytes and hands back unchanged in these replies (which a client must then decode).
 */
const CARRIES_BYTES = new Set<number>([MethodId.BasicPublish, MethodId.BasicDeliver, MethodId.BasicReturn, MethodId.BasicGetOk])

/** Decodes a method frame payload (RabbitMQ's checks and texts: too short, unknown, undecodable). */
export function decodeMethod(payload: Buffer): Method {
  if (payload.length < 4) throw frameError(`type ${FrameType.Method}, ${describeOctets(payload)}: unknown_frame`)
  const id = payload.readUInt32BE(0)
  if (!METHODS.has(id)) throw new UnknownMethodError(id >>> 16, id & 0xffff)
  const r = new ByteReader(payload)
  let m: Method
  try {
    m = readMethod(r)!
  } catch (err) {
    if (err instanceof AmqpError) throw new MethodDecodeError(id, payload.subarray(4))
    throw err
  }
  // Bytes left over after the arguments are as undecodable to RabbitMQ as missing ones.
  if (r.pos !== payload.length) throw new MethodDecodeError(id, payload.subarray(4))
  if (r.hasMalformedText && !CARRIES_BYTES.has(id)) throw frameError('Malformed UTF-8 in shortstr')
  return m
}

export function encodeMethodPayload(m: Method): Buffer {
  const w = new ByteWriter(256)
  writeMethod(w, m)
  return w.takeCopy()
}

export function decodeProperties(raw: Buffer): BasicProperties {
  return readBasicProperties(new ByteReader(raw))
}

export function encodeProperties(p: BasicProperties): Buffer {
  const w = new ByteWriter(128)
  writeBasicProperties(w, p)
  return w.takeCopy()
}

/**
 * A reply text as it fits a shortstr: RabbitMQ cuts one longer than 255 bytes to its first 252
 * and appends "..." (rabbit_binary_generator), e.g. a NOT_FOUND naming a 255-character queue.
 */
export function fitReplyText(text: string): string {
  const bytes = encodeText(text)
  if (bytes.length <= 255) return text
  let cut = 252
  while (cut > 0 && (bytes[cut] & 0xc0) === 0x80) cut-- // do not split a UTF-8 sequence
  return decodeText(bytes, 0, cut) + '...'
}

export const methodName = (id: number): string => METHODS.get(id)?.name ?? `unknown(${id >>> 16},${id & 0xffff})`
export const classIdOf = (id: number): number => id >>> 16
export const methodIdOf = (id: number): number => id & 0xffff
