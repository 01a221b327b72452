import { invalidClientMetadata, OAuthError, quote } from '../../errors.js'
import { hashSecret, verifySecret } from '../crypto/hash-secret.js'
import { randomToken } from '../crypto/random-token.js'
import type { ClientRecord, ClientUpdateEffects } from '../store/store.js'
import { SECRET_AUTH_METHODS } from './client-metadata.js'
import { identityChanges } from './identity-changes.js'
import type { RegisterClientDeps } from './register-client.js'
import { resolveRegistrationMetadata } from './register-client.js'
import { issueRegistrationAccessToken } from './registration-access-token.js'

/** RFC 7592 §2.2: members only the server sets; a client that sends them is refused (A4). */
const SERVER_ONLY_MEMBERS = [
  'registration_access_token',
  'registration_client_uri',
  'client_id_issued_at',
  'client_secret_expires_at',
] as const

export interface UpdateClientRequest {
  readonly current: ClientRecord
  /** The token the request presented, echoed back when it is not rotated. */
  readonly presentedToken: string
  readonly body: unknown
  /** The client asked for a new client_secret (registrar's `?rotate_client_secret=true`). */
  readonly rotateSecret: boolean
}

export interface UpdatedClient {
  readonly record: ClientRecord
  readonly clientSecret: string | null
  readonly registrationAccessToken: string
  /** The members that say who the client is that this update changed (identity-changes.ts). */
  readonly identityChanges: readonly string[]
  /** What Store.updateClient must do with the write, in its transaction (A41). */
  readonly effects: ClientUpdateEffects
}

/**
 * Builds the replacement record for an RFC 7592 §2.2 PUT. Replace semantics (docs/decisions.md A3): the
 * body is validated exactly as a registration is, so fields left out fall back to their RFC
 * 7591 defaults or disappear. The caller writes it with Store.updateClient against
 * `current.version`, passing `effects`.
 *
 * docs/decisions.md A41: whoever holds the registration access token (a bearer credential that
 * by default never expires) must not inherit what was given to the client as it was. Changing
 * who it is or where its codes go clears administrator trust and users' remembered consents;
 * dropping client authentication revokes the refresh tokens it holds, which needed its
 * credential to use and would not any more. The statement's verdict is recomputed from the body.
 */
export async function prepareClientUpdate(
  deps: Pick<RegisterClientDeps, 'registration' | 'verifySoftwareStatement' | 'now'>,
  request: UpdateClientRequest,
): Promise<UpdatedClient> {
  const { current, body } = request
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidClientMetadata(
      'request body must be a JSON object of client metadata (RFC 7592 §2.2)',
    )
  }
  const input = body as Readonly<Record<string, unknown>>

  for (const member of SERVER_ONLY_MEMBERS) {
    if (member in input) {
      throw invalidClientMetadata(
        `${member} must not be sent in an update; the server sets it (RFC 7592 §2.2)`,
      )
    }
  }
  // RFC 7592 §2.2: the body MUST include client_id, equal to the current one (docs/decisions.md A5).
  if (input.client_id !== current.clientId) {
    throw invalidClientMetadata(
      input.client_id === undefined
        ? 'client_id is required in an update and must equal the client_id of this registration'
        : `client_id ${quote(input.client_id)} does not match this registration`,
    )
  }
  // RFC 7592 §2.2: a client_secret, if sent, MUST match; the client never picks its own (A6).
  if (input.client_secret !== undefined && input.client_secret !== null) {
    const matches =
      typeof input.client_secret === 'string' &&
      current.clientSecretHash !== null &&
      verifySecret(input.client_secret, current.clientSecretHash)
    if (!matches) {
      throw invalidClientMetadata(
        'client_secret does not match the current secret; leave it out to keep it',
      )
    }
  }

  const { metadata, statement } = await resolveRegistrationMetadata(deps, input)
  const now = deps.now()
  const needsSecret = SECRET_AUTH_METHODS.has(metadata.token_endpoint_auth_method)
  // A new secret when asked for, or when the client moves to a method that needs one it lacks.
  const newSecret =
    needsSecret && (request.rotateSecret || current.clientSecretHash === null)
      ? randomToken()
      : null
  if (request.rotateSecret && !needsSecret) {
    throw invalidClientMetadata(
      `rotate_client_secret applies only to clients that authenticate with a secret, not ${metadata.token_endpoint_auth_method}`,
    )
  }
  const lifetime = deps.registration.clientSecretExpiresInSeconds
  const management = deps.registration.management
  const token = management.rotateOnUpdate ? issueRegistrationAccessToken(management, now) : null
  const changed = identityChanges(current.metadata, metadata)
  const stopsAuthenticating =
    current.metadata.token_endpoint_auth_method !== 'none' &&
    metadata.token_endpoint_auth_method === 'none'

  const record: ClientRecord = {
    ...current,
    clientSecretHash: !needsSecret
      ? null
      : newSecret === null
        ? current.clientSecretHash
        : hashSecret(newSecret),
    clientSecretExpiresAt: !needsSecret
      ? 0
      : newSecret === null
        ? current.clientSecretExpiresAt
        : lifetime === 0
          ? 0
          : now + lifetime,
    updatedAt: now,
    metadata,
    provenance: { ...current.provenance, ...statement },
    registrationAccessTokenHash: token?.hash ?? current.registrationAccessTokenHash,
    registrationAccessTokenExpiresAt:
      token === null ? current.registrationAccessTokenExpiresAt : token.expiresAt,
    version: current.version + 1,
    // An administrator trusted the client as it was; `registrar client trust` again if still so.
    trusted: current.trusted && changed.length === 0,
  }
  return {
    record,
    clientSecret: newSecret,
    registrationAccessToken: token?.token ?? request.presentedToken,
    identityChanges: changed,
    effects: {
      deleteConsents: changed.length > 0,
      revokeRefreshTokensAt: stopsAuthenticating ? now : null,
    },
  }
}

/** The store refused the write: the client changed (or went) since it was read. */
export function concurrentUpdateError(): OAuthError {
  return new OAuthError(
    'invalid_request',
    'the registration was changed by another request at the same time; read it again and retry',
    { status: 409 },
  )
}
