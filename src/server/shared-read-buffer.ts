// Plain TCP connections read into one buffer that all of them share.
//
// Left to itself, Node allocates a fresh 64 KiB buffer for every socket read and then shrinks it
// to the bytes read: an allocation and a reallocation on the hottest path. (It is not what keeps
// the C heap large after a load: bench/SOAK.md measured the same residue either way.)
// With `onread`, Node reads into a buffer we supply instead. One
// buffer serves every connection because each read's callback runs to completion before the next
// read begins, and a connection copies whatever it keeps past that callback (frame-reader's
// straddling frames, content-assembler's bodies and properties, held frames in channel.ts).
// Measured in bench/NOTES.md: about 10% less broker CPU per message at 16 B and 1 KiB.
//
// Node offers `onread` only for sockets it creates, not for those a server accepts, so the
// accepted socket's handle moves into a new Socket built around it. That reads Node's `_handle`
// field, which is not public; where it is missing the accepted socket is used as it is.
import { Socket, type SocketConstructorOpts } from 'node:net'

const READ_BYTES = 64 * 1024
let sharedBuffer: Buffer | undefined

/**
 * The accepted socket (from a server created with `pauseOnConnect: true`, so nothing has been
 * read yet) as a socket that reads into the shared buffer and emits each read as a 'data' view
 * of it, valid only until the listener returns.
 */
export function withSharedReadBuffer(accepted: Socket): Socket {
  const holder = accepted as unknown as { _handle?: object | null }
  const handle = holder._handle
  if (!handle) {
    accepted.resume()
    return accepted
  }
  holder._handle = null
  // Closes only the emptied wrapper: the server stops counting it, the handle lives on below.
  accepted.destroy()
  sharedBuffer ??= Buffer.allocUnsafe(READ_BYTES)
  const socket: Socket = new Socket({
    handle,
    readable: true,
    writable: true,
    onread: { buffer: sharedBuffer, callback: (bytes: number, buf: Uint8Array) => void socket.emit('data', (buf as Buffer).subarray(0, bytes)) },
  } as SocketConstructorOpts)
  return socket
}
