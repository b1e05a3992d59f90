// Confirm and tx classes: publisher confirms (single, many, unroutable, mandatory returns,
// nacks from reject-publish), mode switching errors, and transactions (commit, rollback, acks in tx).
import { scenario, type Scenario } from '../scenario.js'
import { declareQueue, get, publish, publishAll } from './helpers.js'

export const confirmScenarios: Scenario[] = [
  scenario('confirm', 'confirm-select', 'confirm.select-ok; selecting twice is fine', async (t) => {
    const c = await t.open()
    await c.call(1, 'confirm.select')
    await c.call(1, 'confirm.select')
    await c.close()
  }),
  scenario('confirm', 'confirm-select-nowait', 'confirm.select nowait: no reply, confirms still sent', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    c.send(1, 'confirm.select', { nowait: true })
    publish(c, 1, q, 'confirmed')
    await c.confirms(1, 1)
    await c.close()
  }),
  scenario('confirm', 'confirm-single-publish', 'one publish to a queue: basic.ack delivery-tag 1', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    await c.call(1, 'confirm.select')
    publish(c, 1, q, 'one')
    await c.confirms(1, 1)
    await c.close()
  }),
  scenario('confirm', 'confirm-many-publishes', 'five publishes are all confirmed (tags 1-5, possibly with multiple)', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    await c.call(1, 'confirm.select')
    publishAll(c, 1, q, ['1', '2', '3', '4', '5'])
    await c.confirms(1, 5)
    await c.close()
  }),
  scenario('confirm', 'confirm-unroutable', 'an unroutable publish is confirmed immediately', async (t) => {
    const c = await t.open()
    await c.call(1, 'confirm.select')
    publish(c, 1, 'cf-nowhere', 'dropped', {}, 'amq.direct')
    await c.confirms(1, 1)
    await c.close()
  }),
  scenario('confirm', 'confirm-mandatory-return-then-ack', 'mandatory unroutable in confirm mode: basic.return before basic.ack', async (t) => {
    const c = await t.open()
    await c.call(1, 'confirm.select')
    publish(c, 1, 'cf-nowhere', 'back', {}, 'amq.direct', { mandatory: true })
    await c.confirms(1, 1)
    await c.close()
  }),
  scenario('confirm', 'confirm-persistent-durable', 'a persistent message to a durable queue is confirmed', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { durable: true })
    await c.call(1, 'confirm.select')
    publish(c, 1, q, 'kept', { deliveryMode: 2 })
    await c.confirms(1, 1)
    await c.call(1, 'queue.delete', { queue: q })
    await c.close()
  }),
  scenario('confirm', 'confirm-reject-publish-nack', 'x-overflow reject-publish: the publish over the limit is nacked', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true, arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } })
    await c.call(1, 'confirm.select')
    publish(c, 1, q, 'fits')
    await c.confirms(1, 1)
    publish(c, 1, q, 'rejected')
    await c.confirms(1, 2)
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('confirm', 'confirm-missing-exchange', 'publishing to a missing exchange in confirm mode: channel closed 404, no confirm', async (t) => {
    const c = await t.open()
    await c.call(1, 'confirm.select')
    publish(c, 1, 'k', 'x', {}, t.x('missing'))
    await c.outcome(1)
  }),
  scenario('confirm', 'confirm-tags-per-channel', 'delivery tags for confirms count per channel', async (t) => {
    const c = await t.open()
    await c.openChannel(2)
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    await c.call(1, 'confirm.select')
    await c.call(2, 'confirm.select')
    publish(c, 1, q, 'a')
    await c.confirms(1, 1)
    publish(c, 2, q, 'b')
    await c.confirms(2, 1)
    publish(c, 1, q, 'c')
    await c.confirms(1, 2)
    await c.close()
  }),
  scenario('confirm', 'confirm-after-tx', 'confirm.select on a transactional channel: 406', async (t) => {
    const c = await t.open()
    await c.call(1, 'tx.select')
    c.send(1, 'confirm.select')
    await c.outcome(1, 'confirm.select-ok')
  }),
  scenario('confirm', 'confirm-select-ok-from-client', 'confirm.select-ok (server-only) sent by a client', async (t) => {
    const c = await t.open()
    c.send(1, 'confirm.select-ok')
    await c.outcome(1, [])
  }),
  scenario('confirm', 'confirm-fanout-two-queues', 'a message routed to two queues gets one confirm', async (t) => {
    const c = await t.open()
    const a = t.q('a'), b = t.q('b'), x = t.x()
    await c.call(1, 'exchange.declare', { exchange: x, type: 'fanout' })
    for (const q of [a, b]) {
      await declareQueue(c, 1, q, { exclusive: true })
      await c.call(1, 'queue.bind', { queue: q, exchange: x })
    }
    await c.call(1, 'confirm.select')
    publish(c, 1, '', 'both', {}, x)
    await c.confirms(1, 1)
    await c.close()
  }),
]

export const txScenarios: Scenario[] = [
  scenario('tx', 'tx-select', 'tx.select-ok; selecting twice is fine', async (t) => {
    const c = await t.open()
    await c.call(1, 'tx.select')
    await c.call(1, 'tx.select')
    await c.close()
  }),
  scenario('tx', 'tx-commit-without-select', 'tx.commit on a non-transactional channel: 406', async (t) => {
    const c = await t.open()
    c.send(1, 'tx.commit')
    await c.outcome(1, 'tx.commit-ok')
  }),
  scenario('tx', 'tx-rollback-without-select', 'tx.rollback on a non-transactional channel: 406', async (t) => {
    const c = await t.open()
    c.send(1, 'tx.rollback')
    await c.outcome(1, 'tx.rollback-ok')
  }),
  scenario('tx', 'tx-publish-commit', 'published messages are invisible until commit', async (t) => {
    const c = await t.open()
    await c.openChannel(2)
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    await c.call(1, 'tx.select')
    publishAll(c, 1, q, ['t1', 't2'])
    await c.call(2, 'queue.declare', { queue: q, passive: true })
    await c.call(1, 'tx.commit')
    await c.call(2, 'queue.declare', { queue: q, passive: true })
    await c.close()
  }),
  scenario('tx', 'tx-publish-rollback', 'rollback discards uncommitted publishes', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    await c.call(1, 'tx.select')
    publish(c, 1, q, 'gone')
    await c.call(1, 'tx.rollback')
    await c.call(1, 'tx.commit')
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('tx', 'tx-ack-commit', 'an ack inside a transaction takes effect at commit', async (t) => {
    const c = await t.open()
    await c.openChannel(2)
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    publish(c, 1, q, 'm')
    await c.call(1, 'tx.select')
    await get(c, 1, q)
    c.send(1, 'basic.ack', { deliveryTag: 1 })
    await c.call(1, 'tx.commit')
    await c.call(1, 'basic.recover', { requeue: true })
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('tx', 'tx-ack-rollback', 'a rolled-back ack leaves the message unacked (recover brings it back)', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    publish(c, 1, q, 'm')
    await c.call(1, 'tx.select')
    await get(c, 1, q)
    c.send(1, 'basic.ack', { deliveryTag: 1 })
    await c.call(1, 'tx.rollback')
    await c.call(1, 'basic.recover', { requeue: true })
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('tx', 'tx-reject-requeue-commit', 'a requeueing reject inside a transaction happens at commit', async (t) => {
    const c = await t.open()
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    publish(c, 1, q, 'm')
    await c.call(1, 'tx.select')
    await get(c, 1, q)
    c.send(1, 'basic.reject', { deliveryTag: 1, requeue: true })
    await get(c, 1, q, true)
    await c.call(1, 'tx.commit')
    await get(c, 1, q, true)
    await c.close()
  }),
  scenario('tx', 'tx-mandatory-unroutable', 'a mandatory unroutable publish in a transaction: when is basic.return sent', async (t) => {
    const c = await t.open()
    await c.call(1, 'tx.select')
    publish(c, 1, 'cf-nowhere', 'back', {}, 'amq.direct', { mandatory: true })
    await c.call(1, 'tx.commit')
    await c.close()
  }),
  scenario('tx', 'tx-publish-missing-exchange', 'publish to a missing exchange in a transaction fails at publish', async (t) => {
    const c = await t.open()
    await c.call(1, 'tx.select')
    publish(c, 1, 'k', 'x', {}, t.x('missing'))
    c.send(1, 'tx.commit')
    await c.outcome(1, 'tx.commit-ok')
  }),
  scenario('tx', 'tx-after-confirm', 'tx.select on a confirm channel: 406', async (t) => {
    const c = await t.open()
    await c.call(1, 'confirm.select')
    c.send(1, 'tx.select')
    await c.outcome(1, 'tx.select-ok')
  }),
  scenario('tx', 'tx-commit-empty', 'committing and rolling back an empty transaction', async (t) => {
    const c = await t.open()
    await c.call(1, 'tx.select')
    await c.call(1, 'tx.commit')
    await c.call(1, 'tx.rollback')
    await c.close()
  }),
  scenario('tx', 'tx-select-ok-from-client', 'tx.select-ok (server-only) sent by a client', async (t) => {
    const c = await t.open()
    c.send(1, 'tx.select-ok')
    await c.outcome(1, [])
  }),
  scenario('tx', 'tx-commit-ok-from-client', 'tx.commit-ok (server-only) sent by a client', async (t) => {
    const c = await t.open()
    c.send(1, 'tx.commit-ok')
    await c.outcome(1, [])
  }),
  scenario('tx', 'tx-rollback-ok-from-client', 'tx.rollback-ok (server-only) sent by a client', async (t) => {
    const c = await t.open()
    c.send(1, 'tx.rollback-ok')
    await c.outcome(1, [])
  }),
  scenario('tx', 'tx-close-channel-discards', 'closing a channel discards its uncommitted publishes', async (t) => {
    const c = await t.open()
    await c.openChannel(2)
    const q = t.q()
    await declareQueue(c, 1, q, { exclusive: true })
    await c.call(2, 'tx.select')
    publish(c, 2, q, 'never')
    await c.closeChannel(2)
    await get(c, 1, q, true)
    await c.close()
  }),
]
