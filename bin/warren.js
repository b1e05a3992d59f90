#!/usr/bin/env node
// The `warren` command. The TypeScript sources are compiled to dist/ by `npm install` (prepare).
import { main } from '../dist/src/cli/main.js'

main().catch((err) => {
  process.stderr.write(`warren: ${err && err.stack ? err.stack : err}\n`)
  process.exit(1)
})
