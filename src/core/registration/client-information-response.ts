import type { ClientRecord } from '../../store/store.js'

/**
 * RFC 7591 §3.2.1 client information response: client_id, client_id_issued_at, the secret and
 * its expiry when one was just issued, and every registered metadata value as stored. The
 * secret is passed in, never read back: only its hash is kept.
 */
export function clientInformationResponse(
  record: ClientRecord,
  issuedSecret: string | null,
): Record<string, unknown> {
  return {
    client_id: record.clientId,
    client_id_issued_at: record.clientIdIssuedAt,
    ...(issuedSecret === null
      ? {}
      : { client_secret: issuedSecret, client_secret_expires_at: record.clientSecretExpiresAt }),
    ...record.metadata,
  }
}
