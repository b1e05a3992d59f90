// The optional native helper (src/native, built by `npm install` where a C compiler is present)
// loads from the source tree and the build; malloc_trim answers and mallopt takes the thresholds. On glibc Linux, where the
// soak's memory figures depend on it, a missing build fails here rather than going unnoticed.
import { describe, expect, it } from 'vitest'
import { fixMallocThresholds, loadMallocTrim } from '../../../src/server/malloc-trim.js'

const isGlibc = process.platform === 'linux' && Boolean((process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime)

describe('loadMallocTrim', () => {
  it.runIf(isGlibc)('finds the helper built at install, and a trim answers', () => {
    const trim = loadMallocTrim()
    expect(trim).toBeTypeOf('function')
    expect(typeof trim!()).toBe('boolean')
    expect(fixMallocThresholds()).toBe(true) // mallopt accepted both thresholds
  })

  it.skipIf(isGlibc)('answers false or is absent where there is no glibc heap to trim', () => {
    const trim = loadMallocTrim()
    expect(trim === undefined || trim() === false).toBe(true)
    expect(fixMallocThresholds()).toBe(false)
  })
})
