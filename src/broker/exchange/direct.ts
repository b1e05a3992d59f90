// Direct exchange: a message goes to destinations whose binding key equals its routing key.
import type { Message } from '../message.js'
import type { Binding, Destination } from './exchange.js'
import { Exchange } from './exchange.js'

export class DirectExchange extends Exchange {
  private readonly byKey = new Map<string, Destination[]>()

  route(message: Message, out: Destination[]): void {
    const found = this.byKey.get(message.routingKey)
    if (found) for (const d of found) out.push(d)
  }

  protected override added(b: Binding): void {
    const list = this.byKey.get(b.bindingKey)
    if (list) list.push(b.destination)
    else this.byKey.set(b.bindingKey, [b.destination])
  }

  protected override removed(b: Binding): void {
    const list = this.byKey.get(b.bindingKey)
    if (!list) return
    list.splice(list.indexOf(b.destination), 1)
    if (list.length === 0) this.byKey.delete(b.bindingKey)
  }
}
