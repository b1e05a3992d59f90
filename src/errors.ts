// The one error type that handlers throw, and helpers for the reply codes RabbitMQ sends.
// A leaf: imports only the generated constants. The channel and connection decide what to close.
import { ReplyCode, isHardError, replyCodeName } from '../spec/generated/constants.js'

export { ReplyCode, replyCodeName, isHardError }

export class AmqpError extends Error {
  constructor(
    readonly replyCode: ReplyCode,
    readonly detail: string,
    readonly scope: 'channel' | 'connection' = isHardError(replyCode) ? 'connection' : 'channel',
  ) {
    // RabbitMQ's reply-text form; with no detail, the name alone (its 541 INTERNAL_ERROR).
    super(detail === '' ? replyCodeName(replyCode) : `${replyCodeName(replyCode)} - ${detail}`)
  }
  /** The reply text RabbitMQ would send: `NOT_FOUND - no queue 'q' in vhost '/'`. */
  get replyText(): string {
    return this.message
  }
}

export const accessRefused = (detail: string) => new AmqpError(ReplyCode.AccessRefused, detail)
export const notFound = (detail: string) => new AmqpError(ReplyCode.NotFound, detail)
export const resourceLocked = (detail: string) => new AmqpError(ReplyCode.ResourceLocked, detail)
export const preconditionFailed = (detail: string) => new AmqpError(ReplyCode.PreconditionFailed, detail)
export const frameError = (detail: string) => new AmqpError(ReplyCode.FrameError, detail)
export const commandInvalid = (detail: string) => new AmqpError(ReplyCode.CommandInvalid, detail)
export const channelError = (detail: string) => new AmqpError(ReplyCode.ChannelError, detail)
export const unexpectedFrame = (detail: string) => new AmqpError(ReplyCode.UnexpectedFrame, detail)
export const notAllowed = (detail: string) => new AmqpError(ReplyCode.NotAllowed, detail)
/** 540 for what RabbitMQ itself refuses with it (prefetch_size, immediate, channel.flow false, …), never for unbuilt work. */
export const notImplemented = (detail: string) => new AmqpError(ReplyCode.NotImplemented, detail)
export const internalError = (detail: string) => new AmqpError(ReplyCode.InternalError, detail)
