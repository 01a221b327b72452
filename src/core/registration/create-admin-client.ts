import { hashSecret } from '../crypto/hash-secret.js'
import { randomToken } from '../crypto/random-token.js'
import { parseResourceIndicators } from '../resource/parse-resource-indicator.js'
import type { ClientRecord, Store } from '../store/store.js'
import { SECRET_AUTH_METHODS } from './client-metadata.js'
import { newClientId } from './new-client-id.js'
import type { RegistrationPolicy } from './validate-client-metadata.js'
import { validateClientMetadata } from './validate-client-metadata.js'

export interface AdminClientInput {
  /** Client metadata as a registration body would carry it (RFC 7591 §2). */
  readonly metadata: Readonly<Record<string, unknown>>
  /** RFC 8707 resource this client serves (an API, an MCP server); it may introspect its tokens. */
  readonly resourceServer?: string
  /** Skip the consent screen (Django OAuth Toolkit's skip_authorization). */
  readonly trusted?: boolean
}

export interface AdminClient {
  readonly record: ClientRecord
  /** In clear, for the one answer that shows it; null for clients without a secret. */
  readonly clientSecret: string | null
}

/**
 * A client created by an administrator, stored: see buildAdminClient. Throws OAuthError for
 * metadata a registration would refuse.
 */
export async function createAdminClient(
  store: Store,
  input: AdminClientInput,
  policy: RegistrationPolicy,
  now: number,
): Promise<AdminClient> {
  const client = buildAdminClient(input, policy, now)
  const result = await store.createClient(client.record)
  if (!result.created) throw new Error('the client could not be stored')
  return client
}

/**
 * The record of an administrator's client: the same metadata validation as dynamic
 * registration (under the administrator's own policy), provenance `admin`, a secret that does
 * not expire (the administrator rotates it by re-creating), no RFC 7592 registration access
 * token (the administrator manages it).
 */
export function buildAdminClient(
  input: AdminClientInput,
  policy: RegistrationPolicy,
  now: number,
): AdminClient {
  const metadata = validateClientMetadata(input.metadata, policy)
  // RFC 8707 §2: stored in the canonical form requests are read in, so audiences compare equal.
  const resourceServer =
    input.resourceServer === undefined
      ? null
      : (parseResourceIndicators([input.resourceServer])[0] ?? null)
  const clientSecret = SECRET_AUTH_METHODS.has(metadata.token_endpoint_auth_method)
    ? randomToken()
    : null
  const record: ClientRecord = {
    clientId: newClientId(),
    clientSecretHash: clientSecret === null ? null : hashSecret(clientSecret),
    clientSecretExpiresAt: 0,
    clientIdIssuedAt: now,
    updatedAt: now,
    metadata,
    provenance: {
      origin: 'admin',
      authorizedBy: 'admin',
      ip: null,
      userAgent: null,
      initialAccessTokenId: null,
      softwareStatementIssuer: null,
      verifiedBySoftwareStatement: false,
    },
    registrationAccessTokenHash: null,
    registrationAccessTokenExpiresAt: null,
    version: 1,
    trusted: input.trusted === true,
    resourceServer,
  }
  return { record, clientSecret }
}
