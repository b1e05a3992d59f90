// Encodes outgoing frames for one socket and coalesces a turn's frames into one write (writev):
// small frames share a ByteWriter, large bodies go out as zero-copy slices. Knows no channel state.
//
// The ByteWriter's block is reused from turn to turn: a socket that keeps up takes each turn's
// bytes into the kernel during write(), so the block is free again at once. Allocating a block
// (or a copy) per turn made the C heap grow by the megabytes that waited for V8 to collect them,
// memory glibc then kept after the load (bench/SOAK.md).
//
//   method  := 01 channel(u16) size(u32) class(u16) method(u16) args... CE
//   header  := 02 channel(u16) size(u32) class(u16) weight(u16)=0 body-size(u64) property-flags... CE
//   body    := 03 channel(u16) size(u32) bytes... CE
import type { Socket } from 'node:net'
import { ByteWriter } from './byte-writer.js'
import { FrameType, FRAME_END, MethodId, writeMethod, type Method } from './codec.js'

const HEADER_BYTES = 7
/** Bodies at least this large are written as their own slice rather than copied. */
const ZERO_COPY_BYTES = 8 * 1024
const BASIC_CLASS_ID = 60

export class FrameWriter {
  private readonly out = new ByteWriter(64 * 1024)
  private readonly chunks: Buffer[] = []
  /** Bytes of `out` before this offset are already in `chunks`. */
  private chunkStart = 0
  private scheduled = false
  private readonly flushNow = () => this.flush()
  /** Someone saw isFull: tell them (onWritable) once the bytes have gone. */
  private wasFull = false

  constructor(
    private readonly socket: Socket,
    public frameMaxBytes: number,
    private readonly highWaterBytes: number,
    private readonly onWritable: () => void,
  ) {
    socket.on('drain', () => this.checkWritable())
  }

  /** True while more than the high-water mark waits for the socket, this turn's frames included. */
  get isFull(): boolean {
    const full = this.bufferedBytes > this.highWaterBytes
    if (full) this.wasFull = true
    return full
  }

  /** Bytes accepted but not yet handed to the kernel, including this turn's frames. */
  get bufferedBytes(): number {
    let pending = this.out.pos - this.chunkStart
    for (const c of this.chunks) pending += c.length
    return this.socket.writableLength + pending
  }

  method(channel: number, m: Method): void {
    const w = this.out
    const start = this.frameStart(FrameType.Method, channel)
    writeMethod(w, m)
    this.frameEnd(start)
  }

  /** A content-bearing method (deliver, get-ok, return) with its header and body frames. */
  content(channel: number, m: Method, rawProperties: Buffer, body: Buffer): void {
    this.method(channel, m)
    this.contentFrames(channel, rawProperties, body)
  }

  /**
   * basic.deliver and its content, written field by field: the hottest write skips building a
   * Method and its arguments object per delivery (bench/NOTES.md). Same bytes as content().
   */
  deliver(
    channel: number, consumerTag: string, deliveryTag: number, redelivered: boolean,
    exchange: string, routingKey: string, rawProperties: Buffer, body: Buffer,
  ): void {
    const w = this.out
    const start = this.frameStart(FrameType.Method, channel)
    w.u32(MethodId.BasicDeliver)
    w.shortstr(consumerTag)
    w.u64(deliveryTag)
    w.u8(redelivered ? 1 : 0)
    w.shortstr(exchange)
    w.shortstr(routingKey)
    this.frameEnd(start)
    this.contentFrames(channel, rawProperties, body)
  }

  private contentFrames(channel: number, rawProperties: Buffer, body: Buffer): void {
    const w = this.out
    const start = this.frameStart(FrameType.Header, channel)
    w.u16(BASIC_CLASS_ID)
    w.u16(0)
    w.u64(body.length)
    w.bytes(rawProperties)
    this.frameEnd(start)
    const maxPayload = this.frameMaxBytes - 8
    for (let at = 0; at < body.length; at += maxPayload) {
      // Most bodies fit one frame: no view of the whole body.
      const slice = at === 0 && body.length <= maxPayload ? body : body.subarray(at, Math.min(body.length, at + maxPayload))
      w.ensure(HEADER_BYTES)
      w.u8(FrameType.Body)
      w.u16(channel)
      w.u32(slice.length)
      if (slice.length >= ZERO_COPY_BYTES) {
        this.cutOut()
        this.chunks.push(slice)
      } else w.bytes(slice)
      w.u8(FRAME_END)
    }
    this.schedule()
  }

  heartbeat(): void {
    const w = this.out
    w.ensure(8)
    w.u8(FrameType.Heartbeat)
    w.u16(0)
    w.u32(0)
    w.u8(FRAME_END)
    this.schedule()
  }

  /** Raw bytes, such as the protocol header we answer a wrong header with. */
  raw(bytes: Buffer): void {
    this.out.bytes(bytes)
    this.schedule()
  }

  flush(): void {
    this.scheduled = false
    this.cutOut()
    const chunks = this.chunks
    if (chunks.length === 0 || this.socket.destroyed) {
      this.releaseOut(true)
      return
    }
    // Behind bytes that already wait, these wait too: they go as exact-size copies, so a slow
    // reader holds what it is owed and not a 64 KiB block per turn.
    const isQueued = this.socket.writableLength > 0
    if (isQueued) {
      const block = this.out.buf.buffer
      for (let i = 0; i < chunks.length; i++) if (chunks[i].buffer === block) chunks[i] = Buffer.from(chunks[i])
    }
    if (chunks.length === 1) this.socket.write(chunks[0])
    else {
      this.socket.cork()
      for (const c of chunks) this.socket.write(c)
      this.socket.uncork()
    }
    this.releaseOut(isQueued || this.socket.writableLength === 0)
    this.checkWritable()
  }

  /** Views of `out` written since the last cut become the next chunk. */
  private cutOut(): void {
    const w = this.out
    if (w.pos === this.chunkStart) return
    this.chunks.push(w.buf.subarray(this.chunkStart, w.pos))
    this.chunkStart = w.pos
  }

  /** Starts the next turn: on the same block when no write still reads it, else on a fresh one. */
  private releaseOut(isBlockFree: boolean): void {
    this.chunks.length = 0
    this.chunkStart = 0
    if (isBlockFree) this.out.pos = 0
    else this.out.detach()
  }

  private checkWritable(): void {
    if (!this.wasFull || this.socket.destroyed) return
    if (this.bufferedBytes > this.highWaterBytes) return // 'drain' will call again
    this.wasFull = false
    this.onWritable()
  }

  private frameStart(type: number, channel: number): number {
    const w = this.out
    w.ensure(HEADER_BYTES)
    w.u8(type)
    w.u16(channel)
    return w.reserve(4)
  }

  private frameEnd(sizeAt: number): void {
    const w = this.out
    w.patchU32(sizeAt, w.pos - sizeAt - 4)
    w.u8(FRAME_END)
    this.schedule()
  }

  private schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(this.flushNow)
  }
}
