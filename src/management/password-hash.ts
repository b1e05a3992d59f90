// RabbitMQ's password hashes (rabbit_password_hashing_sha256 / _sha512 / _md5): base64 of a
// 4-byte salt followed by hash(salt ++ password), so exported users load into RabbitMQ unchanged.
import { createHash, randomBytes } from 'node:crypto'

export const DEFAULT_HASHING_ALGORITHM = 'rabbit_password_hashing_sha256'

const DIGESTS: Record<string, string> = {
  rabbit_password_hashing_sha256: 'sha256',
  rabbit_password_hashing_sha512: 'sha512',
  rabbit_password_hashing_md5: 'md5',
}

export function hashPassword(password: string, salt: Buffer = randomBytes(4), algorithm = DEFAULT_HASHING_ALGORITHM): string {
  const digest = DIGESTS[algorithm] ?? 'sha256'
  const hash = createHash(digest).update(Buffer.concat([salt, Buffer.from(password, 'utf8')])).digest()
  return Buffer.concat([salt, hash]).toString('base64')
}

/** Whether a RabbitMQ password hash is of this password (false for an unknown algorithm). */
export function matchesHash(password: string, passwordHash: string, algorithm = DEFAULT_HASHING_ALGORITHM): boolean {
  if (!(algorithm in DIGESTS)) return false
  const bytes = Buffer.from(passwordHash, 'base64')
  if (bytes.length < 5) return false
  return hashPassword(password, bytes.subarray(0, 4), algorithm) === passwordHash
}

/** A salt fixed per user, so every export of the same users is equal (RabbitMQ's stored hash is fixed too). */
export function userSalt(name: string): Buffer {
  return createHash('sha256').update(`warren-user:${name}`).digest().subarray(0, 4)
}
