// confirm.select: puts the channel in confirm mode; acks and nacks come from Confirms.
import { MethodId, type Method } from '../../wire/codec.js'
import { AmqpError, preconditionFailed, ReplyCode } from '../../errors.js'
import type { Channel } from '../channel.js'
import { Confirms } from '../confirms.js'

export function dispatchConfirm(ch: Channel, m: Method): void {
  if (m.id !== MethodId.ConfirmSelect) throw new AmqpError(ReplyCode.CommandInvalid, 'unexpected confirm method from client')
  if (ch.tx) throw preconditionFailed('cannot switch from tx to confirm mode')
  ch.confirms ??= new Confirms({
    ack: (deliveryTag, multiple) => ch.send({ id: MethodId.BasicAck, args: { deliveryTag, multiple } }),
    // RabbitMQ's nacks carry requeue=true, the field's default.
    nack: (deliveryTag, multiple) => ch.send({ id: MethodId.BasicNack, args: { deliveryTag, multiple, requeue: true } }),
    sync: () => ch.broker.store?.sync() ?? Promise.resolve(),
    onSyncError: (err) => ch.log.error({ err }, 'store sync failed; nacking unconfirmed publishes'),
  })
  if (!m.args.nowait) ch.send({ id: MethodId.ConfirmSelectOk, args: {} })
}
