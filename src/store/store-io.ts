// The asynchronous file operations behind group commit (positional writev, fdatasync, unlink,
// directory fsync), injectable so tests can count fsyncs and make them fail. No policy here:
// callers decide what to write and when; everything synchronous uses node:fs directly.
import { fdatasync, fsync, unlink, writev } from 'node:fs'

export interface StoreIo {
  /** Writes all of `buffers` at `position` (a short write is retried by the caller). */
  writev(fd: number, buffers: Buffer[], position: number, done: (err: Error | null, bytesWritten: number) => void): void
  fdatasync(fd: number, done: (err: Error | null) => void): void
  /** fsync of a directory, so that file creation and removal are durable. */
  fsyncDir(fd: number, done: (err: Error | null) => void): void
  unlink(path: string, done: (err: Error | null) => void): void
}

export const nodeIo: StoreIo = {
  writev: (fd, buffers, position, done) => writev(fd, buffers, position, done),
  fdatasync: (fd, done) => fdatasync(fd, done),
  fsyncDir: (fd, done) => fsync(fd, done),
  unlink: (path, done) => unlink(path, done),
}
