// The data directory's lock: `warren.lock` holds the owner's pid; one store per directory, in any
// process. A lock whose pid is not alive is stale and taken over. Must not touch other files.
//
//   warren.lock:  "<pid>\n"   created whole and atomically (written to a private name, then linked)
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const LOCK_FILE = 'warren.lock'

/** Thrown when another live process (or another store in this one) holds the directory. */
export class DataDirectoryInUseError extends Error {
  constructor(readonly dir: string, readonly pid: number) {
    super(`data directory ${dir} is in use by another Warren process (pid ${pid})`)
    this.name = 'DataDirectoryInUseError'
  }
}

export class LockFile {
  private constructor(private readonly path: string, private readonly content: string) {}

  /** Takes the lock of `dir` (which must exist) or throws DataDirectoryInUseError. */
  static acquire(dir: string): LockFile {
    const path = join(dir, LOCK_FILE)
    const content = `${process.pid}\n`
    const draft = join(dir, `${LOCK_FILE}.${process.pid}.${Math.random().toString(36).slice(2)}`)
    writeFileSync(draft, content, { flag: 'wx' })
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          linkSync(draft, path) // fails with EEXIST if held: creation and content in one step
          return new LockFile(path, content)
        } catch (err) {
          if (codeOf(err) !== 'EEXIST') throw err
        }
        const owner = readOwner(path)
        if (owner !== undefined && isAlive(owner)) throw new DataDirectoryInUseError(dir, owner)
        // Stale (its process is gone) or vanished meanwhile: remove it and try again.
        // Two processes taking over the same stale lock in the same instant could both remove it;
        // the retry's link still lets only one of them create the new one.
        try {
          unlinkSync(path)
        } catch (err) {
          if (codeOf(err) !== 'ENOENT') throw err
        }
      }
      throw new DataDirectoryInUseError(dir, readOwner(path) ?? -1)
    } finally {
      unlinkSync(draft)
    }
  }

  /** Removes the lock if it is still ours. */
  release(): void {
    try {
      if (readFileSync(this.path, 'utf8') === this.content) unlinkSync(this.path)
    } catch (err) {
      if (codeOf(err) !== 'ENOENT') throw err
    }
  }
}

function readOwner(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10)
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  } catch (err) {
    if (codeOf(err) === 'ENOENT') return undefined
    throw err
  }
}

/** Signal 0 tests for existence; EPERM means it exists but belongs to someone else. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return codeOf(err) === 'EPERM'
  }
}

const codeOf = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | null)?.code
