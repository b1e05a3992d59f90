// The default exchange (""): routes to the queue named by the routing key. Bindings to it are
// implicit and may not be changed (403, RabbitMQ).
import type { Message } from '../message.js'
import type { Destination } from './exchange.js'
import type { Queue } from '../queue/queue.js'
import { Exchange } from './exchange.js'

export class DefaultExchange extends Exchange {
  constructor(vhost: string, private readonly queues: ReadonlyMap<string, Queue>) {
    super(vhost, '', 'direct', { isDurable: true, isAutoDelete: false, isInternal: false, arguments: {} })
  }

  route(message: Message, out: Destination[]): void {
    const q = this.queues.get(message.routingKey)
    if (q) out.push(q)
  }
}
