// Frame encoding for the load generator, built on our codec (ByteWriter, writeMethod,
// writeBasicProperties). Publish batches are encoded once and written many times; nothing here
// touches a socket.
//
//   frame := type(u8) channel(u16) size(u32) payload CE
import { ByteWriter } from '../../src/wire/byte-writer.js'
import { FrameType, FRAME_END, MethodId, writeMethod, writeBasicProperties, type Method, type BasicProperties } from '../../src/wire/codec.js'

const BASIC_CLASS_ID = 60

function frameStart(w: ByteWriter, type: number, channel: number): number {
  w.u8(type)
  w.u16(channel)
  return w.reserve(4)
}

function frameEnd(w: ByteWriter, sizeAt: number): void {
  w.patchU32(sizeAt, w.pos - sizeAt - 4)
  w.u8(FRAME_END)
}

/** Appends one method frame to w. */
export function putMethod(w: ByteWriter, channel: number, m: Method): void {
  const at = frameStart(w, FrameType.Method, channel)
  writeMethod(w, m)
  frameEnd(w, at)
}

/** One method frame as its own buffer (control traffic, not the hot path). */
export function methodFrame(channel: number, m: Method): Buffer {
  const w = new ByteWriter(256)
  putMethod(w, channel, m)
  return w.takeCopy()
}

/** Appends basic.publish + content header + body frames (body must fit one frame). */
export function putPublish(w: ByteWriter, channel: number, exchange: string, routingKey: string, props: BasicProperties, body: Buffer): void {
  putMethod(w, channel, { id: MethodId.BasicPublish, args: { ticket: 0, exchange, routingKey, mandatory: false, immediate: false } })
  const at = frameStart(w, FrameType.Header, channel)
  w.u16(BASIC_CLASS_ID)
  w.u16(0)
  w.u64(body.length)
  writeBasicProperties(w, props)
  frameEnd(w, at)
  const bodyAt = frameStart(w, FrameType.Body, channel)
  w.bytes(body)
  frameEnd(w, bodyAt)
}

/**
 * `count` publishes in one buffer, routing keys taken in turn from `routingKeys` starting at
 * `keyOffset`: one socket write sends the whole batch.
 */
export function publishBatch(channel: number, exchange: string, routingKeys: readonly string[], keyOffset: number,
  props: BasicProperties, body: Buffer, count: number): Buffer {
  const w = new ByteWriter(count * (body.length + 96))
  for (let i = 0; i < count; i++) putPublish(w, channel, exchange, routingKeys[(keyOffset + i) % routingKeys.length], props, body)
  return w.takeCopy()
}

/** basic.ack with multiple=true, hand-encoded: 8-byte header + 13-byte payload + end octet. */
export function ackFrame(channel: number, deliveryTag: number, multiple: boolean): Buffer {
  const b = Buffer.allocUnsafe(21)
  b[0] = FrameType.Method
  b.writeUInt16BE(channel, 1)
  b.writeUInt32BE(13, 3)
  b.writeUInt32BE(MethodId.BasicAck, 7)
  b.writeUInt32BE(Math.floor(deliveryTag / 0x1_0000_0000), 11)
  b.writeUInt32BE(deliveryTag % 0x1_0000_0000, 15)
  b[19] = multiple ? 1 : 0
  b[20] = FRAME_END
  return b
}
