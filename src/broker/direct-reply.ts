// Direct reply-to (RabbitMQ's amq.rabbitmq.reply-to pseudo-queue): replies published to the default
// exchange with routing key `amq.rabbitmq.reply-to.<key>` go straight to the requesting channel's
// consumer, bypassing queues. The broker keeps only the registry; channels implement the target.
import { randomBytes } from 'node:crypto'
import type { Message } from './message.js'

export const REPLY_TO_QUEUE = 'amq.rabbitmq.reply-to'
const REPLY_TO_PREFIX = REPLY_TO_QUEUE + '.'

export interface ReplyTarget {
  deliverReply(message: Message): void
}

export class DirectReplyRegistry {
  private readonly targets = new Map<string, ReplyTarget>()

  /** A fresh routing key naming this target; replies to it reach `target` until unregistered. */
  register(target: ReplyTarget): string {
    const key = REPLY_TO_PREFIX + randomBytes(18).toString('base64url')
    this.targets.set(key, target)
    return key
  }

  unregister(key: string): void {
    this.targets.delete(key)
  }

  static isReplyKey(routingKey: string): boolean {
    return routingKey.startsWith(REPLY_TO_PREFIX)
  }

  /** Delivers a reply; false when its requester is gone (the reply is dropped, as RabbitMQ does). */
  deliver(routingKey: string, message: Message): boolean {
    const target = this.targets.get(routingKey)
    if (!target) return false
    target.deliverReply(message)
    return true
  }
}
