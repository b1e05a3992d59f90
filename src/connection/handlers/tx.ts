// tx.select / commit / rollback: publishes and acks wait in a TxBuffer until commit; commit-ok is
// sent only after persistent messages are fsynced; rollback discards publishes and restores acks.
import { MethodId, type Method } from '../../wire/codec.js'
import { AmqpError, preconditionFailed, ReplyCode } from '../../errors.js'
import type { Channel } from '../channel.js'
import { applySettlement, routeMessage } from './basic.js'

export function dispatchTx(ch: Channel, m: Method): void {
  switch (m.id) {
    case MethodId.TxSelect:
      if (ch.confirms) throw preconditionFailed('cannot switch from confirm to tx mode')
      ch.tx ??= { publishes: [], settlements: [] }
      return ch.send({ id: MethodId.TxSelectOk, args: {} })
    case MethodId.TxCommit: {
      const tx = requireTx(ch)
      ch.tx = { publishes: [], settlements: [] }
      let needsSync = false
      for (const p of tx.publishes) {
        if (p.exchange.isDeleted) continue
        routeMessage(ch, p.exchange, p.message, p.mandatory)
        if (p.message.storeId >= 0) needsSync = true
      }
      for (const s of tx.settlements) applySettlement(ch, s.deliveries, s.how)
      const store = ch.broker.store
      if (!needsSync || !store) return ch.send({ id: MethodId.TxCommitOk, args: {} })
      ch.hold(store.sync().then(() => ch.send({ id: MethodId.TxCommitOk, args: {} })), MethodId.TxCommit)
      return
    }
    case MethodId.TxRollback: {
      const tx = requireTx(ch)
      ch.tx = { publishes: [], settlements: [] }
      ch.unacked.restore(tx.settlements.flatMap((s) => s.deliveries))
      return ch.send({ id: MethodId.TxRollbackOk, args: {} })
    }
  }
  throw new AmqpError(ReplyCode.CommandInvalid, 'unexpected tx method from client')
}

function requireTx(ch: Channel) {
  if (!ch.tx) throw preconditionFailed('channel is not transactional')
  return ch.tx
}
