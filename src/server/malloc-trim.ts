// glibc's heap controls, through the optional native helper built at install (src/native):
// malloc_trim(0), which gives the free memory between live blocks of the C heap back to the kernel,
// and fixed trim and mmap thresholds, so that freed large blocks and the top of worker threads'
// arenas go back too (bench/SOAK.md). Must not be needed: when the helper is missing (no C compiler
// at install, or not glibc) the broker runs the same and only keeps that memory resident.
import { createRequire } from 'node:module'

interface GlibcHeapAddon {
  mallocTrim(): boolean
  setThresholds(trimBytes: number, mmapBytes: number): boolean
}

/**
 * glibc's own starting values. Left alone, glibc raises both for good the first time it frees an
 * mmapped block (to that block's size, and twice it): after the store's 1 MiB buffers, every
 * thread's arena kept up to 2 MiB free at its top, 4 MiB more RSS after a soak than with these.
 */
const TRIM_THRESHOLD_BYTES = 128 * 1024
const MMAP_THRESHOLD_BYTES = 128 * 1024

/** Where the helper is, seen from src/server (tests) and from dist/src/server (the build). */
const CANDIDATES = ['../native/build/Release/malloc_trim.node', '../../../src/native/build/Release/malloc_trim.node']

function loadAddon(): GlibcHeapAddon | undefined {
  const require = createRequire(import.meta.url)
  for (const path of CANDIDATES) {
    try {
      return require(path) as GlibcHeapAddon
    } catch {
      // not built here; try the next place
    }
  }
  return undefined
}

/** The trim function, or undefined when the helper was not built. */
export function loadMallocTrim(): (() => boolean) | undefined {
  return loadAddon()?.mallocTrim
}

/** Fixes glibc's thresholds at its starting values; false where the helper is missing or not glibc. */
export function fixMallocThresholds(): boolean {
  return loadAddon()?.setThresholds(TRIM_THRESHOLD_BYTES, MMAP_THRESHOLD_BYTES) ?? false
}
