// glibc's malloc_trim(0), through the optional native helper built at install (src/native): gives
// the free memory between live blocks of the C heap back to the kernel. Must not be needed: when
// the helper is missing (no C compiler at install, or not glibc) the broker runs the same and only
// keeps that memory resident, as any Node process does.
import { createRequire } from 'node:module'

interface MallocTrimAddon { mallocTrim(): boolean }

/** Where the helper is, seen from src/server (tests) and from dist/src/server (the build). */
const CANDIDATES = ['../native/build/Release/malloc_trim.node', '../../../src/native/build/Release/malloc_trim.node']

/** The trim function, or undefined when the helper was not built. */
export function loadMallocTrim(): (() => boolean) | undefined {
  const require = createRequire(import.meta.url)
  for (const path of CANDIDATES) {
    try {
      return (require(path) as MallocTrimAddon).mallocTrim
    } catch {
      // not built here; try the next place
    }
  }
  return undefined
}
