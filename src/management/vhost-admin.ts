// Creating and deleting vhosts from the API and from definitions, through the broker.
import type { Broker } from '../broker/broker.js'

/** Adds a vhost unless it exists; true when created. */
export function addVhost(broker: Broker, name: string): boolean {
  return broker.addVhost(name)
}

/** Deletes a vhost and everything in it (its queues' consumers are cancelled); false if absent. */
export function deleteVhost(broker: Broker, name: string): boolean {
  return broker.deleteVhost(name)
}
