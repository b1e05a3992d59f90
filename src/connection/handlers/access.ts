// Permission checks for channel methods: which access each method needs on which resource, as
// RabbitMQ's rabbit_channel asks for them. The broker holds the permissions and the refusal text.
import type { Access, ResourceKind } from '../../broker/broker.js'
import type { Channel } from '../channel.js'

export function checkAccess(ch: Channel, access: Access, kind: ResourceKind, name: string): void {
  // username is set once the connection is open, before any channel exists.
  ch.broker.checkAccess(ch.host.username ?? '', ch.vhost.name, access, kind, name)
}

/**
 * RabbitMQ's binding_action: write on the destination, then read on the source. A binding that
 * involves the default exchange is left to the vhost, which refuses it first (RabbitMQ's order).
 */
export function checkBindAccess(ch: Channel, destinationKind: ResourceKind, destination: string, source: string): void {
  checkAccess(ch, 'write', destinationKind, destination)
  if (source === '' || (destinationKind === 'exchange' && destination === '')) return
  checkAccess(ch, 'read', 'exchange', source)
}
