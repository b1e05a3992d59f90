// Creating and deleting vhosts from the API and from definitions. The Broker has no method for
// this yet, so a vhost is added to its public map with the broker's own store and options.
import type { Broker } from '../broker/broker.js'
import { Vhost } from '../broker/vhost.js'

/** Adds a vhost unless it exists; true when created. */
export function addVhost(broker: Broker, name: string): boolean {
  if (broker.vhosts.has(name)) return false
  broker.vhosts.set(name, new Vhost(name, broker.store, broker.options.vhostOptions))
  return true
}

/** Deletes a vhost and everything in it (its queues' consumers are cancelled); false if absent. */
export function deleteVhost(broker: Broker, name: string): boolean {
  const vhost = broker.vhosts.get(name)
  if (!vhost) return false
  vhost.reset()
  broker.vhosts.delete(name)
  return true
}
