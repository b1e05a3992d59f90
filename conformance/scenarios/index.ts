// Every scenario, in the order run.ts and record.ts play them. Names are unique (checked here).
import type { Scenario } from '../scenario.js'
import { argumentScenarios } from './arguments.js'
import { basicScenarios } from './basic.js'
import { channelScenarios } from './channel.js'
import { confirmScenarios, txScenarios } from './confirm-tx.js'
import { connectionScenarios } from './connection.js'
import { contentScenarios } from './content.js'
import { exchangeScenarios } from './exchange.js'
import { limitScenarios } from './limits.js'
import { nameScenarios } from './names.js'
import { extensionScenarios } from './extensions.js'
import { permissionScenarios } from './permissions.js'
import { queueScenarios } from './queue.js'
import { routingScenarios } from './routing.js'

export const SCENARIOS: Scenario[] = [
  ...connectionScenarios,
  ...channelScenarios,
  ...exchangeScenarios,
  ...queueScenarios,
  ...basicScenarios,
  ...confirmScenarios,
  ...txScenarios,
  ...contentScenarios,
  ...argumentScenarios,
  ...routingScenarios,
  ...extensionScenarios,
  ...permissionScenarios,
  ...limitScenarios,
  ...nameScenarios,
]

const seen = new Set<string>()
for (const s of SCENARIOS) {
  if (seen.has(s.name)) throw new Error(`duplicate scenario name ${s.name}`)
  if (!/^[a-z0-9-]+$/.test(s.name)) throw new Error(`scenario name ${s.name} is not kebab-case`)
  seen.add(s.name)
}
