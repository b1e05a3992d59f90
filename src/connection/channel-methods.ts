// The table of method handlers a channel dispatches to. Kept apart from channel.ts and handed to
// each channel by its connection, so channel.ts never imports the handlers that import it.
import { MethodId, classIdOf, type Method, type BasicPublish } from '../wire/codec.js'
import type { ContentCommand } from '../wire/content-assembler.js'
import { AmqpError, ReplyCode, commandInvalid } from '../errors.js'
import type { Channel, ChannelMethods } from './channel.js'
import { dispatchExchange } from './handlers/exchange.js'
import { dispatchQueue } from './handlers/queue.js'
import { dispatchBasic, publishCommand } from './handlers/basic.js'
import { dispatchConfirm } from './handlers/confirm.js'
import { dispatchTx } from './handlers/tx.js'
import { cancelReplies } from './handlers/direct-reply.js'

/** Methods a client may send on a channel; RabbitMQ answers any other with 503 "unimplemented method". */
const FROM_CLIENT = new Set<number>([
  MethodId.ExchangeDeclare, MethodId.ExchangeDelete, MethodId.ExchangeBind, MethodId.ExchangeUnbind,
  MethodId.QueueDeclare, MethodId.QueueBind, MethodId.QueueUnbind, MethodId.QueuePurge, MethodId.QueueDelete,
  MethodId.BasicQos, MethodId.BasicConsume, MethodId.BasicCancel, MethodId.BasicGet, MethodId.BasicAck,
  MethodId.BasicReject, MethodId.BasicRecoverAsync, MethodId.BasicRecover, MethodId.BasicNack,
  MethodId.ConfirmSelect, MethodId.TxSelect, MethodId.TxCommit, MethodId.TxRollback, MethodId.AccessRequest,
])

export const CHANNEL_METHODS: ChannelMethods = {
  dispatch(ch: Channel, m: Method): void {
    if (!FROM_CLIENT.has(m.id)) throw commandInvalid('unimplemented method')
    switch (classIdOf(m.id)) {
      case 40: return dispatchExchange(ch, m)
      case 50: return dispatchQueue(ch, m)
      case 60: return dispatchBasic(ch, m)
      case 85: return dispatchConfirm(ch, m)
      case 90: return dispatchTx(ch, m)
      case 30:
        // access.request is deprecated; RabbitMQ answers it with ticket 1.
        if (m.id === MethodId.AccessRequest) return ch.send({ id: MethodId.AccessRequestOk, args: { ticket: 1 } })
    }
    throw new AmqpError(ReplyCode.CommandInvalid, `unexpected method ${m.id >>> 16}.${m.id & 0xffff} on a channel`)
  },
  publish(ch: Channel, command: ContentCommand<BasicPublish>): void {
    publishCommand(ch, command)
  },
  release(ch: Channel): void {
    cancelReplies(ch)
  },
}
