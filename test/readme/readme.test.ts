// README.md shows test/readme/example.test.ts verbatim, so the example users copy is one that passes.
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'

it("README's vitest example is test/readme/example.test.ts, word for word", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  const example = readFileSync(new URL('./example.test.ts', import.meta.url), 'utf8')
  expect(readme).toContain('```ts\n' + example + '```')
})
