// Limit bookkeeping: LimitTable (vhost and user limits as set, negative = none) and ConnectionLimits
// (open connections per node, vhost and user; open channels per user), with RabbitMQ's order of
// refusals: node, then vhost, then user.
import { describe, expect, it } from 'vitest'
import { ConnectionLimits, LimitTable, checkUserLimits, checkVhostLimits, type UserLimitName } from '../../../src/broker/limits.js'
import { AmqpError } from '../../../src/errors.js'

const refusal = (fn: () => void): string => {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(AmqpError)
    return `${(err as AmqpError).replyCode} ${(err as AmqpError).message}`
  }
  return 'allowed'
}

describe('LimitTable', () => {
  it('sets, replaces, clears one or all, and reports negative limits as set but not in force', () => {
    const t = new LimitTable<UserLimitName>()
    t.set('u', { 'max-connections': 2, 'max-channels': -1 })
    expect(t.get('u')).toEqual({ 'max-connections': 2, 'max-channels': -1 })
    expect(t.effective('u', 'max-connections')).toBe(2)
    expect(t.effective('u', 'max-channels')).toBeUndefined()
    t.set('u', { ...t.get('u'), 'max-channels': 0 })
    expect(t.effective('u', 'max-channels')).toBe(0)
    expect(t.clear('u', 'max-connections')).toBe(true)
    expect(t.clear('u', 'max-connections')).toBe(false)
    expect(t.all()).toEqual([['u', { 'max-channels': 0 }]])
    expect(t.clear('u', 'max-channels')).toBe(true)
    expect(t.all()).toEqual([])
    expect(t.get('u')).toEqual({})
  })
})

describe('limit validation', () => {
  it('accepts integers for known names only, per kind', () => {
    expect(() => checkUserLimits({ 'max-connections': 1, 'max-channels': -1 })).not.toThrow()
    expect(() => checkUserLimits({ 'max-queues': 1 })).toThrow("unrecognised user limit 'max-queues'")
    expect(() => checkUserLimits({ 'max-channels': 1.5 })).toThrow("user limit 'max-channels' must be an integer")
    expect(() => checkVhostLimits({ 'max-channels': 1 })).toThrow("unrecognised vhost limit 'max-channels'")
  })
})

describe('ConnectionLimits', () => {
  it('refuses in RabbitMQ\'s order: node limit, then vhost limit, then user limit', () => {
    const limits = new ConnectionLimits(2)
    expect(refusal(() => limits.check('v', 'u', 0, 0))).toBe("530 NOT_ALLOWED - access to vhost 'v' refused for user 'u': connection limit (0) is reached")
    expect(refusal(() => limits.check('v', 'u', undefined, 0))).toBe("530 NOT_ALLOWED - connection refused for user 'u': user connection limit (0) is reached")
    limits.opened('v', 'u')
    limits.opened('w', 'x')
    expect(refusal(() => limits.check('v', 'u', 0, 0))).toBe('530 NOT_ALLOWED - connection refused: node connection limit (2) is reached')
    limits.closed('w', 'x')
    expect(refusal(() => limits.check('w', 'u', 5, 1))).toBe("530 NOT_ALLOWED - connection refused for user 'u': user connection limit (1) is reached")
    expect(refusal(() => limits.check('w', 'x', 5, 1))).toBe('allowed')
  })

  it('counts a user\'s channels across connections, and frees them on close', () => {
    const limits = new ConnectionLimits(undefined)
    limits.channelsOpened('u')
    limits.channelsOpened('u')
    expect(refusal(() => limits.checkChannel('u', 2))).toBe(
      "530 NOT_ALLOWED - number of channels opened for user 'u' has reached the maximum allowed user limit of (2)")
    expect(refusal(() => limits.checkChannel('other', 2))).toBe('allowed')
    limits.channelsClosed('u', 2)
    expect(refusal(() => limits.checkChannel('u', 1))).toBe('allowed')
    expect(refusal(() => limits.checkChannel('u', 0))).toContain('maximum allowed user limit of (0)')
  })
})
