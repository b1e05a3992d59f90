// Topic exchange: binding keys with `*` and `#` compiled into a TopicMatcher, plus an lru-cache of
// routing key -> destinations, cleared whenever a binding changes.
import { LRUCache } from 'lru-cache'
import type { Message } from '../message.js'
import type { Binding, Destination } from './exchange.js'
import { Exchange, type ExchangeOptions } from './exchange.js'
import { TopicMatcher } from './topic-matcher.js'

const CACHE_ENTRIES = 10_000

export class TopicExchange extends Exchange {
  private readonly matcher = new TopicMatcher<Destination>()
  private readonly cache = new LRUCache<string, Destination[]>({ max: CACHE_ENTRIES })

  constructor(vhost: string, name: string, options: ExchangeOptions) {
    super(vhost, name, 'topic', options)
  }

  route(message: Message, out: Destination[]): void {
    let found = this.cache.get(message.routingKey)
    if (found === undefined) {
      found = [...new Set(this.matcher.match(message.routingKey))]
      this.cache.set(message.routingKey, found)
    }
    for (const d of found) out.push(d)
  }

  protected override added(b: Binding): void {
    this.matcher.add(b.bindingKey, b.destination)
    this.cache.clear()
  }

  protected override removed(b: Binding): void {
    this.matcher.remove(b.bindingKey, b.destination)
    this.cache.clear()
  }
}
