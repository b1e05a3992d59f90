// What RabbitMQ checks in a published message's properties before routing it: user-id must name
// the authenticated user, and expiration must be a non-negative integer. Reads only those fields.
import { internalError, preconditionFailed } from '../../errors.js'
import { propertiesCodec } from '../../wire/basic-properties.js'

const FLAG_EXPIRATION = 1 << 8
const FLAG_USER_ID = 1 << 4

const FLAG_HEADERS = 1 << 13

/**
 * Checks the properties RabbitMQ checks. Messages with a headers table are decoded here, once (the
 * view keeps the result): a table that does not decode is RabbitMQ's 541, not a later surprise.
 */
export function checkPublishedProperties(raw: Buffer, username: string | undefined, view = propertiesCodec.view(raw)): void {
  const flags = raw.length >= 2 ? (raw[0] << 8) | raw[1] : 0
  if ((flags & (FLAG_EXPIRATION | FLAG_USER_ID | FLAG_HEADERS)) === 0) return
  let props
  try {
    props = view.all
  } catch {
    throw internalError('')
  }
  if (props.userId !== undefined && props.userId !== username) {
    throw preconditionFailed(`user_id property set to '${props.userId}' but authenticated user was '${username}'`)
  }
  const expiration = props.expiration
  if (expiration !== undefined) {
    if (!/^-?\d+$/.test(expiration)) throw preconditionFailed(`invalid expiration '${expiration}': no_integer`)
    const n = Number(expiration)
    if (n < 0) throw preconditionFailed(`invalid expiration '${expiration}': {value_negative,${n}}`)
  }
}
