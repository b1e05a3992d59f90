import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  // The package's own name resolves to its source, so tests can import it as users do.
  resolve: { alias: { warrenmq: fileURLToPath(new URL('./src/index.ts', import.meta.url)) } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests open real sockets; forks keep each file's broker in its own process.
    pool: 'forks',
  },
})
