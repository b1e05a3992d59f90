// Permission patterns as RabbitMQ matches them, and the broker's user, vhost and permission API.
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { VhostPermissions } from '../../../src/broker/permissions.js'
import { Broker } from '../../../src/broker/broker.js'

describe('VhostPermissions', () => {
  it.each([
    ['.*', 'anything', true],
    ['.*', '', true],
    ['', 'anything', false],
    ['c-.*', 'c-q', true],
    // RabbitMQ 3.10 matches unanchored (re:run(Name, Regexp)), verified against 3.10.8:
    ['c-.*', 'xc-q', true],
    ['c-q', 'c-q2', true],
    ['a|b', 'xax', true],
    ['^c-q$', 'c-q2', false],
    ['^c-', 'xc-q', false],
  ])('pattern %j on %j: %s', (pattern, name, allowed) => {
    expect(new VhostPermissions({ configure: pattern, write: '', read: '' }).allows('configure', name)).toBe(allowed)
  })
})

describe('Broker users and permissions', () => {
  it('defaults to guest/guest with full permissions on / only', () => {
    const b = new Broker({ vhosts: ['/', 'other'] })
    const guest = b.authenticate('guest', 'guest')!
    expect(guest).toBeDefined()
    expect(b.canAccess(guest, '/')).toBe(true)
    expect(b.canAccess(guest, 'other')).toBe(false)
    expect(b.permissionsOf('guest', '/')).toEqual({ configure: '.*', write: '.*', read: '.*' })
  })

  it('adds and deletes users, vhosts and permissions', () => {
    const b = new Broker()
    const u = b.addUser({ name: 'u', password: 'p', tags: ['monitoring'] })
    expect(b.canAccess(u, '/')).toBe(false)
    b.setPermissions('u', '/', { configure: '', write: 'w', read: '' })
    expect(b.canAccess(u, '/')).toBe(true)
    expect(() => b.checkAccess('u', '/', 'write', 'exchange', 'w')).not.toThrow()
    expect(() => b.checkAccess('u', '/', 'read', 'queue', 'w')).toThrow("ACCESS_REFUSED - access to queue 'w' in vhost '/' refused for user 'u'")
    expect(() => b.checkAccess('u', '/', 'write', 'exchange', '')).toThrow("access to exchange 'amq.default' in vhost '/'")
    expect(b.addVhost('v')).toBe(true)
    b.setPermissions('u', 'v', { configure: '.*', write: '.*', read: '.*' })
    expect(b.canAccess(u, 'v')).toBe(true)
    expect(b.deleteVhost('v')).toBe(true)
    expect(b.canAccess(u, 'v')).toBe(false)
    expect(b.addVhost('v')).toBe(true)
    expect(b.canAccess(u, 'v')).toBe(false) // a recreated vhost starts without permissions
    expect(b.deleteUser('u')).toBe(true)
    expect(b.authenticate('u', 'p')).toBeUndefined()
    expect(() => b.setPermissions('u', '/', { configure: '', write: '', read: '' })).toThrow()
  })

  it("verifies rabbit_password_hashing_sha256 hashes", () => {
    const salt = Buffer.from('a1b2c3d4', 'hex')
    const hash = Buffer.concat([salt, createHash('sha256').update(Buffer.concat([salt, Buffer.from('pässword', 'utf8')])).digest()]).toString('base64')
    const b = new Broker({ users: [{ name: 'h', password: '', passwordHash: hash, tags: [] }] })
    expect(b.authenticate('h', 'pässword')?.name).toBe('h')
    expect(b.authenticate('h', 'password')).toBeUndefined()
    expect(b.authenticate('h', '')).toBeUndefined()
  })

  it('refuses a user with neither password nor hash', () => {
    const b = new Broker({ users: [{ name: 'x', password: '', tags: [] }] })
    expect(b.authenticate('x', '')).toBeUndefined()
  })
})
