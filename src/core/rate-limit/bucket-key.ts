import { hashSecret } from '../crypto/hash-secret.js'

/**
 * Longest key a limiter keeps as it is. Keys come from requests (a username of up to a 64 KiB
 * form, an X-Forwarded-For entry), so they are bounded here, where every limiter stores them:
 * PostgreSQL refuses a btree index entry over 2,704 bytes (SQLSTATE 54000, a 500 before this),
 * and the in-process limiter would hold 100,000 keys of 64 KiB each. 128 characters take at
 * most 512 bytes of UTF-8, and every real address and username key fits.
 */
const MAX_PLAIN_KEY_LENGTH = 128

/**
 * The key a limiter stores for `key`: the key itself, or `sha256:` and its SHA-256 digest when
 * it is longer than MAX_PLAIN_KEY_LENGTH (43 characters of base64url). Distinct long keys keep
 * distinct buckets; the prefix keeps them apart from any short key.
 */
export function bucketKey(key: string): string {
  return key.length <= MAX_PLAIN_KEY_LENGTH ? key : `sha256:${hashSecret(key)}`
}
