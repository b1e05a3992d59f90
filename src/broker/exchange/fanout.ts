// Fanout exchange: a message goes to every bound destination, whatever its routing key.
import type { Message } from '../message.js'
import type { Destination } from './exchange.js'
import { Exchange } from './exchange.js'

export class FanoutExchange extends Exchange {
  route(_message: Message, out: Destination[]): void {
    for (const b of this.bindings) out.push(b.destination)
  }
}
