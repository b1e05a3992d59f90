// Connections, channels and consumers as RabbitMQ 3.10's management API shows them
// (GET /api/connections, /api/channels, /api/consumers). Reads connection state; changes none.
import type { Connection } from '../../connection/connection.js'
import type { Channel } from '../../connection/channel.js'
import type { ChannelConsumer } from '../../connection/channel-consumer.js'
import type { ByteRate } from '../byte-rates.js'
import { withRate } from '../message-stats.js'

/** RabbitMQ's connection name: `peer:port -> local:port`. */
export function connectionName(c: Connection): string {
  const s = c.socket
  return `${s.remoteAddress ?? '?'}:${s.remotePort ?? 0} -> ${s.localAddress ?? '?'}:${s.localPort ?? 0}`
}

export function connectionJson(c: Connection, node: string, rate: ByteRate): Record<string, unknown> {
  const s = c.socket
  return {
    name: connectionName(c),
    node,
    vhost: c.vhost.name,
    user: c.username ?? '',
    user_who_performed_action: c.username ?? '',
    state: 'running',
    type: 'network',
    protocol: 'AMQP 0-9-1',
    auth_mechanism: 'PLAIN',
    ssl: false,
    host: s.localAddress ?? '',
    port: s.localPort ?? 0,
    peer_host: s.remoteAddress ?? '',
    peer_port: s.remotePort ?? 0,
    connected_at: c.openedAtMs,
    channels: c.channels.size,
    channel_max: c.config.channelMax,
    frame_max: c.config.frameMaxBytes,
    timeout: c.config.heartbeatSeconds,
    ...withRate('recv_oct', s.bytesRead, rate.recv),
    ...withRate('send_oct', s.bytesWritten, rate.send),
    send_pend: s.writableLength, // bytes written but not yet flushed to the socket
    client_properties: {},
  }
}

function channelName(c: Connection, ch: Channel): string {
  return `${connectionName(c)} (${ch.id})`
}

export function channelJson(c: Connection, ch: Channel, node: string): Record<string, unknown> {
  return {
    name: channelName(c, ch),
    number: ch.id,
    node,
    vhost: c.vhost.name,
    user: c.username ?? '',
    state: ch.state === 'open' ? (ch.isFlowActive ? 'running' : 'flow') : ch.state,
    connection_details: { name: connectionName(c), peer_host: c.socket.remoteAddress ?? '', peer_port: c.socket.remotePort ?? 0 },
    consumer_count: ch.consumers.size,
    messages_unacknowledged: ch.unacked.size,
    messages_unconfirmed: 0,
    messages_uncommitted: ch.tx?.publishes.length ?? 0,
    acks_uncommitted: ch.tx?.settlements.reduce((n, s) => n + (s.how === 'ack' ? s.deliveries.length : 0), 0) ?? 0,
    prefetch_count: ch.consumerPrefetch,
    global_prefetch_count: ch.channelPrefetch,
    confirm: ch.confirms !== undefined,
    transactional: ch.tx !== undefined,
    user_who_performed_action: c.username ?? '',
  }
}

export function consumerJson(c: Connection, ch: Channel, consumer: ChannelConsumer, node: string): Record<string, unknown> {
  return {
    consumer_tag: consumer.consumerTag,
    queue: { name: consumer.queue.name, vhost: consumer.queue.vhost },
    channel_details: {
      name: channelName(c, ch), number: ch.id, node, connection_name: connectionName(c),
      peer_host: c.socket.remoteAddress ?? '', peer_port: c.socket.remotePort ?? 0, user: c.username ?? '',
    },
    ack_required: !consumer.isNoAck,
    prefetch_count: consumer.prefetchCount,
    exclusive: consumer.queue.hasExclusiveConsumer(),
    active: true,
    activity_status: 'up',
    arguments: {},
  }
}
