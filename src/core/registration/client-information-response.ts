import type { ClientRecord } from '../store/store.js'

/** What this one response may show in clear: values only their hashes are kept of. */
export interface IssuedCredentials {
  /** A client_secret just issued or rotated; null otherwise (it cannot be read back). */
  readonly clientSecret: string | null
  /** RFC 7592 §3: the token to use next, new or as presented; null when management is off. */
  readonly registrationAccessToken: string | null
  readonly registrationClientUri: string | null
}

/**
 * RFC 7591 §3.2.1 and RFC 7592 §3 client information response: client_id, client_id_issued_at,
 * the secret when one was just issued, its expiry for any client that holds one, the
 * management credentials, and every registered metadata value as stored.
 */
export function clientInformationResponse(
  record: ClientRecord,
  issued: IssuedCredentials,
): Record<string, unknown> {
  return {
    client_id: record.clientId,
    client_id_issued_at: record.clientIdIssuedAt,
    ...(issued.clientSecret === null ? {} : { client_secret: issued.clientSecret }),
    ...(record.clientSecretHash === null
      ? {}
      : { client_secret_expires_at: record.clientSecretExpiresAt }),
    // RFC 7592 §3 (and OpenID Connect Registration §3.2): both or neither.
    ...(issued.registrationAccessToken === null || issued.registrationClientUri === null
      ? {}
      : {
          registration_access_token: issued.registrationAccessToken,
          registration_client_uri: issued.registrationClientUri,
        }),
    ...record.metadata,
  }
}
