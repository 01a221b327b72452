import { verifySecret } from '../crypto/hash-secret.js'
import { SECRET_AUTH_METHODS } from '../registration/client-metadata.js'
import type { ClientRecord, Store } from '../store/store.js'
import type { RequestParameters } from '../tokens/request-parameters.js'
import { invalidClient } from './client-auth-error.js'
import type { ClientKeySets } from './client-key-sets.js'
import { readPresentedCredentials } from './presented-credentials.js'
import { assertionClientId, verifyClientAssertion } from './verify-client-assertion.js'

export interface ClientAuthDeps {
  readonly store: Pick<Store, 'getClient' | 'consumeAssertionJti'>
  readonly issuer: string
  /** The token endpoint URL, also an accepted assertion audience (docs/decisions.md A25). */
  readonly tokenEndpoint: string
  readonly keySets: ClientKeySets
  readonly now: () => number
  /** options.clientAuthentication.assertionMaxLifetimeSeconds (RFC 7523 §3 ¶4). */
  readonly assertionMaxLifetimeSeconds: number
}

// A digest no secret hashes to, compared against when the client is unknown so that an unknown
// client_id costs the same work as a wrong secret.
const NO_SUCH_DIGEST = 'A'.repeat(43)

/**
 * Authenticates the client of a token, revocation or introspection request (RFC 6749 §2.3,
 * §3.2.1; RFC 7009 §2.1; RFC 7662 §2.1) and returns its registration. A client is held to its
 * registered token_endpoint_auth_method, except that a client holding a secret may present it
 * by Basic or in the body (docs/decisions.md A12). Failures are 401 invalid_client (docs/decisions.md A21, A38).
 */
export async function authenticateClient(
  deps: ClientAuthDeps,
  authorization: string | null,
  params: RequestParameters,
): Promise<ClientRecord> {
  const realm = deps.issuer
  const presented = readPresentedCredentials(authorization, params, realm)
  const challenge = { basic: presented.method === 'client_secret_basic', realm }

  const clientId =
    presented.method === 'private_key_jwt'
      ? (presented.clientId ??
        (presented.assertion === null ? null : assertionClientId(presented.assertion)))
      : presented.clientId
  if (clientId === null) {
    throw invalidClient('client_assertion does not name its client (sub)', challenge)
  }
  const client = await deps.store.getClient(clientId)

  if (presented.method === 'client_secret_basic' || presented.method === 'client_secret_post') {
    const digest = client?.clientSecretHash ?? NO_SUCH_DIGEST
    const matches = verifySecret(presented.clientSecret, digest)
    // One message for an unknown client and a wrong secret: either way the client must
    // re-register or fix its configuration, and the answer tells nobody which ids exist.
    if (client === null || client.clientSecretHash === null || !matches) {
      throw invalidClient('client authentication failed: unknown client or wrong secret', challenge)
    }
    if (!usesSecret(client)) {
      throw invalidClient(
        `this client must authenticate with ${client.metadata.token_endpoint_auth_method}, its registered token_endpoint_auth_method`,
        challenge,
      )
    }
    // RFC 7591 §3.2.1: client_secret_expires_at 0 means never; otherwise the secret dies then,
    // and the client re-registers (docs/decisions.md A38).
    if (client.clientSecretExpiresAt !== 0 && client.clientSecretExpiresAt <= deps.now()) {
      throw invalidClient('client_secret has expired; register the client again', challenge)
    }
    return client
  }

  if (client === null) {
    throw invalidClient('client authentication failed: unknown client', challenge)
  }
  const registered = client.metadata.token_endpoint_auth_method
  if (presented.method === 'none') {
    // RFC 6749 §3.2.1: a confidential client sending only its client_id is not authenticated.
    if (registered !== 'none') {
      throw invalidClient(
        `this client must authenticate with ${registered}, its registered token_endpoint_auth_method`,
        challenge,
      )
    }
    return client
  }

  // private_key_jwt (RFC 7523 §2.2): only for clients registered for it, whose keys verify it.
  if (presented.method !== 'private_key_jwt' || registered !== 'private_key_jwt') {
    throw invalidClient(
      `this client must authenticate with ${registered}, its registered token_endpoint_auth_method`,
      challenge,
    )
  }
  await verifyClientAssertion(
    {
      issuer: deps.issuer,
      tokenEndpoint: deps.tokenEndpoint,
      keySets: deps.keySets,
      consumeJti: (id, jti, expiresAt, now) =>
        deps.store.consumeAssertionJti(id, jti, expiresAt, now),
      now: deps.now,
      maxLifetimeSeconds: deps.assertionMaxLifetimeSeconds,
      realm,
    },
    client,
    presented.assertion,
    presented.assertionType,
  )
  return client
}

function usesSecret(client: ClientRecord): boolean {
  return SECRET_AUTH_METHODS.has(client.metadata.token_endpoint_auth_method)
}
