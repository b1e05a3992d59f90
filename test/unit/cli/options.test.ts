// The command line's trust options: --max-connections (RabbitMQ's connection_max) and
// --loopback-users (RabbitMQ's loopback_users, a comma list; '' for none), flags and WARREN_* variables.
import { describe, expect, it } from 'vitest'
import { parseOptions } from '../../../src/cli/options.js'
import type { Config } from '../../../src/config.js'

const parse = async (argv: string[], env: NodeJS.ProcessEnv = {}) => (await parseOptions(argv, env)) as Config

describe('trust options', () => {
  it("defaults to no connection limit and guest as the only loopback user, as RabbitMQ", async () => {
    const c = await parse([])
    expect(c.maxConnections).toBeUndefined()
    expect(c.loopbackUsers).toEqual(['guest'])
  })

  it('reads --max-connections and a comma list of loopback users', async () => {
    const c = await parse(['--max-connections', '5', '--loopback-users', 'guest, ops'])
    expect(c.maxConnections).toBe(5)
    expect(c.loopbackUsers).toEqual(['guest', 'ops'])
  })

  it("takes an empty --loopback-users as none, and both from WARREN_* variables", async () => {
    expect((await parse(['--loopback-users', ''])).loopbackUsers).toEqual([])
    const c = await parse([], { WARREN_MAX_CONNECTIONS: '0', WARREN_LOOPBACK_USERS: '' })
    expect(c.maxConnections).toBe(0)
    expect(c.loopbackUsers).toEqual([])
  })

  it('refuses a negative connection limit', async () => {
    await expect(parse(['--max-connections', '-1'])).rejects.toThrow(/max connections/)
  })
})
