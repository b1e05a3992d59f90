// The one door to spec/generated: method ids, typed arguments, readers and writers, properties and
// constants, re-exported with the small helpers the connection needs. Knows no channel state.
import { ByteReader } from './byte-reader.js'
import { ByteWriter } from './byte-writer.js'
import { readMethod, writeMethod, METHODS, type Method } from '../../spec/generated/methods.js'
import { readBasicProperties, writeBasicProperties, type BasicProperties } from '../../spec/generated/properties.js'
import { commandInvalid } from '../errors.js'

export { FrameType, FRAME_END, FRAME_MIN_SIZE, PROTOCOL_VERSION, DEFAULT_PORT } from '../../spec/generated/constants.js'
export { MethodId, ClassId, METHODS } from '../../spec/generated/methods.js'
export type { Method, ArgsOf, MethodInfo } from '../../spec/generated/methods.js'
export type * from '../../spec/generated/methods.js'
export { BASIC_PROPERTY_NAMES, BASIC_PROPERTY_TYPES } from '../../spec/generated/properties.js'
export type { BasicProperties } from '../../spec/generated/properties.js'
export { readMethod, writeMethod, readBasicProperties, writeBasicProperties }

/** Decodes a method frame payload; an unknown class or method is a connection error. */
export function decodeMethod(payload: Buffer): Method {
  const r = new ByteReader(payload)
  const m = readMethod(r)
  if (m === undefined) {
    throw commandInvalid(`unknown method: class ${payload.readUInt16BE(0)}, method ${payload.readUInt16BE(2)}`)
  }
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

export const methodName = (id: number): string => METHODS.get(id)?.name ?? `unknown(${id >>> 16},${id & 0xffff})`
export const classIdOf = (id: number): number => id >>> 16
export const methodIdOf = (id: number): number => id & 0xffff
