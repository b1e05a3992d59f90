// Channel class: open, close in both directions, flow, reuse after close, and the channel errors
// RabbitMQ raises for using channels in the wrong state.
import { scenario, type Scenario } from '../scenario.js'
import { CLOSE_OK, declareQueue, fill, get, publish } from './helpers.js'

export const channelScenarios: Scenario[] = [
  scenario('channel', 'channel-open-close', 'channel.open-ok, then a client channel.close gets close-ok', async (t) => {
    const c = await t.open()
    await c.closeChannel(1)
    await c.close()
  }),
  scenario('channel', 'channel-open-twice', 'channel.open on an open channel is a connection error', async (t) => {
    const c = await t.open()
    c.send(1, 'channel.open')
    await c.outcome(1)
  }),
  scenario('channel', 'channel-reopen-after-close', 'a closed channel number can be opened again', async (t) => {
    const c = await t.open()
    await c.closeChannel(1)
    await c.openChannel(1)
    await c.call(1, 'basic.qos', { prefetchCount: 5 })
    await c.close()
  }),
  scenario('channel', 'channel-use-unopened', 'a method on a channel never opened', async (t) => {
    const c = await t.open({ channel: 0 })
    c.send(7, 'queue.declare', { queue: t.q() })
    await c.outcome(7)
  }),
  scenario('channel', 'channel-use-after-close-ok', 'a method on a channel after its close-ok', async (t) => {
    const c = await t.open()
    await c.closeChannel(1)
    c.send(1, 'basic.qos', { prefetchCount: 1 })
    await c.outcome(1)
  }),
  scenario('channel', 'channel-close-ok-unsolicited', 'channel.close-ok on an open channel nobody is closing', async (t) => {
    const c = await t.open()
    c.send(1, 'channel.close-ok')
    await c.outcome(1, [])
  }),
  scenario('channel', 'channel-close-unopened', 'channel.close on a channel that was never opened', async (t) => {
    const c = await t.open({ channel: 0 })
    c.send(9, 'channel.close', CLOSE_OK)
    await c.outcome(9, 'channel.close-ok')
  }),
  scenario('channel', 'channel-close-ok-unopened', 'channel.close-ok on a channel that was never opened', async (t) => {
    const c = await t.open()
    c.send(9, 'channel.close-ok')
    await c.outcome(9, [])
  }),
  scenario('channel', 'channel-methods-while-closing', 'after the server sent channel.close, methods on it are dropped until close-ok', async (t) => {
    const c = await t.open()
    c.send(1, 'queue.declare', { queue: t.q('missing'), passive: true })
    await c.expect(1, 'channel.close')
    c.send(1, 'queue.declare', { queue: t.q('other'), passive: true })
    c.send(1, 'basic.qos', { prefetchCount: 1 })
    c.send(1, 'channel.close-ok')
    await c.openChannel(1)
    await c.close()
  }),
  scenario('channel', 'channel-flow-active-true', 'channel.flow active=true is answered with flow-ok active=true', async (t) => {
    const c = await t.open()
    await c.call(1, 'channel.flow', { active: true })
    await c.close()
  }),
  scenario('channel', 'channel-flow-active-false', 'channel.flow active=false (RabbitMQ does not implement it)', async (t) => {
    const c = await t.open()
    c.send(1, 'channel.flow', { active: false })
    await c.outcome(1, 'channel.flow-ok')
  }),
  scenario('channel', 'channel-flow-ok-from-client', 'channel.flow-ok sent without a flow from the server', async (t) => {
    const c = await t.open()
    c.send(1, 'channel.flow-ok', { active: true })
    c.send(1, 'basic.qos', { prefetchCount: 1 })
    await c.outcome(1, 'basic.qos-ok')
  }),
  scenario('channel', 'channel-open-ok-from-client', 'channel.open-ok (server-only) sent by a client', async (t) => {
    const c = await t.open()
    c.send(1, 'channel.open-ok')
    await c.outcome(1)
  }),
  scenario('channel', 'channel-open-with-out-of-band', 'channel.open with a non-empty reserved out-of-band field', async (t) => {
    const c = await t.open({ channel: 0 })
    await c.call(1, 'channel.open', { outOfBand: 'legacy' })
    await c.close()
  }),
  scenario('channel', 'channel-error-isolated', 'a channel error closes only that channel; others keep working', async (t) => {
    const c = await t.open()
    await c.openChannel(2)
    const q = t.q()
    await declareQueue(c, 2, q, { exclusive: true })
    c.send(1, 'queue.declare', { queue: t.q('missing'), passive: true })
    await c.channelClosed(1)
    publish(c, 2, q, 'still here')
    await get(c, 2, q, true)
    await c.close()
  }),
  scenario('channel', 'channel-close-requeues-unacked', 'closing a channel requeues its unacked messages (redelivered on the next get)', async (t) => {
    const c = await t.open()
    await c.openChannel(2)
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    await fill(c, 1, q, ['m1'])
    await get(c, 2, q)
    await c.closeChannel(2)
    await get(c, 1, q)
    await c.close()
  }),
  scenario('channel', 'channel-many-open', 'ten channels opened in one write each answer open-ok in order', async (t) => {
    const c = await t.open({ channel: 0 })
    for (let ch = 1; ch <= 10; ch++) c.send(ch, 'channel.open')
    await c.expect(10, 'channel.open-ok')
    await c.close()
  }),
  scenario('channel', 'channel-close-with-error-code', 'a client channel.close carrying an error code still gets close-ok', async (t) => {
    const c = await t.open()
    await c.call(1, 'channel.close', { replyCode: 406, replyText: 'client says so', classId: 50, methodId: 10 })
    await c.close()
  }),
]
