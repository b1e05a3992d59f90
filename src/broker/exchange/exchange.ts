// The common shape of every exchange: identity, flags, arguments and its bindings. Each type
// decides only which destinations a message goes to. Routing across exchanges lives in vhost.ts.
import type { Message } from '../message.js'
import type { Queue } from '../queue/queue.js'
import { sameArguments } from '../field-equality.js'

export type Destination = Queue | Exchange

/** A binding's identity is source, destination, binding key and arguments, as in RabbitMQ. */
export interface Binding {
  readonly source: Exchange
  readonly destination: Destination
  readonly bindingKey: string
  readonly arguments: Record<string, unknown>
}

export function sameBinding(a: Binding, b: Omit<Binding, 'source'>): boolean {
  return a.destination === b.destination && a.bindingKey === b.bindingKey && sameArguments(a.arguments, b.arguments)
}

export interface ExchangeOptions {
  readonly isDurable: boolean
  readonly isAutoDelete: boolean
  readonly isInternal: boolean
  readonly arguments: Record<string, unknown>
}

export abstract class Exchange {
  readonly bindings: Binding[] = []
  isDeleted = false

  constructor(
    readonly vhost: string,
    readonly name: string,
    readonly type: string,
    readonly options: ExchangeOptions,
  ) {}

  get isDurable(): boolean { return this.options.isDurable }
  get isAutoDelete(): boolean { return this.options.isAutoDelete }
  get isInternal(): boolean { return this.options.isInternal }
  get alternateExchange(): string | undefined {
    const ae = this.options.arguments['alternate-exchange']
    return typeof ae === 'string' ? ae : undefined
  }

  /** Adds a binding; false if an identical one exists (binding is idempotent). */
  bind(binding: Binding): boolean {
    if (this.bindings.some((b) => sameBinding(b, binding))) return false
    this.bindings.push(binding)
    this.added(binding)
    return true
  }

  unbind(binding: Omit<Binding, 'source'>): Binding | undefined {
    const at = this.bindings.findIndex((b) => sameBinding(b, binding))
    if (at < 0) return undefined
    const [removed] = this.bindings.splice(at, 1)
    this.removed(removed)
    return removed
  }

  /** Removes every binding to a destination (it was deleted). */
  unbindAll(destination: Destination): Binding[] {
    const gone = this.bindings.filter((b) => b.destination === destination)
    for (const b of gone) this.unbind(b)
    return gone
  }

  /** Appends the destinations this exchange picks for the message (duplicates allowed). */
  abstract route(message: Message, out: Destination[]): void
  protected added(_binding: Binding): void {}
  protected removed(_binding: Binding): void {}
}
