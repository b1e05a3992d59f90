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
 * Fixed values (which also stop glibc adjusting them). Left alone, glibc raises both for good the
 * first time it frees an mmapped block: the mmap threshold to that block's size and the trim
 * threshold to twice it. After the store's 1 MiB buffers every thread's arena kept up to 2 MiB free
 * at its top, 4 MiB more RSS after a soak than with the trim threshold at glibc's starting 128 KiB.
 * The mmap threshold is fixed at the most glibc would raise it to: at its starting 128 KiB, every
 * body of 128 KiB or more was mapped and unmapped on its own, 15–20% more broker CPU per message.
 */
const TRIM_THRESHOLD_BYTES = 128 * 1024
const MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024

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

/** Fixes glibc's trim and mmap thresholds; false where the helper is missing or not glibc. */
export function fixMallocThresholds(): boolean {
  return loadAddon()?.setThresholds(TRIM_THRESHOLD_BYTES, MMAP_THRESHOLD_BYTES) ?? false
}
