// Permission checks for channel methods: which access each method needs on which resource, and
// topic permissions on binding keys, as RabbitMQ's rabbit_channel asks for them. The broker holds
// the permissions and the refusal texts.
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
export function checkBindAccess(ch: Channel, destinationKind: ResourceKind, destination: string, source: string, bindingKey: string): void {
  checkAccess(ch, 'write', destinationKind, destination)
  if (source === '' || (destinationKind === 'exchange' && destination === '')) return
  checkAccess(ch, 'read', 'exchange', source)
  // RabbitMQ: then, if the source exists, topic read permission on the binding key (bind and unbind).
  if (ch.broker.topicPermissions.isEmpty) return
  const ex = ch.vhost.exchanges.get(source)
  if (ex) ch.broker.checkTopicAccess(ch.host.username ?? '', ch.vhost.name, ex, bindingKey, 'read')
}
