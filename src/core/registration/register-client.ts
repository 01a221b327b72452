import { invalidBearerToken, invalidClientMetadata, OAuthError } from '../../errors.js'
import { hashSecret } from '../crypto/hash-secret.js'
import { randomToken } from '../crypto/random-token.js'
import type { SoftwareStatementVerifier } from '../software-statement/verify-software-statement.js'
import type { ClientProvenance, ClientRecord, Store } from '../store/store.js'
import type { ClientMetadata } from './client-metadata.js'
import { SECRET_AUTH_METHODS } from './client-metadata.js'
import { newClientId } from './new-client-id.js'
import { issueRegistrationAccessToken } from './registration-access-token.js'
import type { RegistrationSettings } from './registration-settings.js'
import { validateClientMetadata } from './validate-client-metadata.js'

export interface RegisterClientDeps {
  readonly store: Store
  readonly registration: RegistrationSettings
  /** With no trusted issuers configured, every well-formed statement is unapproved. */
  readonly verifySoftwareStatement: SoftwareStatementVerifier
  /** Epoch seconds. */
  readonly now: () => number
}

/** Who is registering, as far as the HTTP layer could tell; recorded as provenance. */
export interface RegistrationRequestContext {
  readonly ip: string | null
  readonly userAgent: string | null
  readonly authorizedBy: ClientProvenance['authorizedBy']
  readonly initialAccessTokenId: string | null
}

export interface RegisteredClient {
  readonly record: ClientRecord
  /** The secret in clear, for the one response that shows it; null for clients without one. */
  readonly clientSecret: string | null
  /** RFC 7592 §3, in clear for this one response; null when management is off. */
  readonly registrationAccessToken: string | null
}

/**
 * RFC 7591 §3.1–§3.2: validates a registration request body, applies the software statement,
 * and stores the client (with its initial access token's use, in one transaction).
 */
export async function registerClient(
  deps: RegisterClientDeps,
  body: unknown,
  context: RegistrationRequestContext,
): Promise<RegisteredClient> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    // docs/decisions.md A11: a body that is JSON but not an object is invalid metadata.
    throw invalidClientMetadata(
      'request body must be a JSON object of client metadata (RFC 7591 §3.1)',
    )
  }
  const { metadata, statement } = await resolveRegistrationMetadata(
    deps,
    body as Readonly<Record<string, unknown>>,
  )

  const now = deps.now()
  const clientSecret = SECRET_AUTH_METHODS.has(metadata.token_endpoint_auth_method)
    ? randomToken()
    : null
  const lifetime = deps.registration.clientSecretExpiresInSeconds
  // RFC 7592 §3: with management on, every registration gets its own registration access token.
  const registrationAccessToken = deps.registration.management.enabled
    ? issueRegistrationAccessToken(deps.registration.management, now)
    : null
  const record: ClientRecord = {
    clientId: newClientId(),
    clientSecretHash: clientSecret === null ? null : hashSecret(clientSecret),
    // RFC 7591 §3.2.1: 0 means the secret never expires.
    clientSecretExpiresAt: clientSecret === null || lifetime === 0 ? 0 : now + lifetime,
    clientIdIssuedAt: now,
    updatedAt: now,
    metadata,
    provenance: {
      origin: 'dynamic',
      authorizedBy: context.authorizedBy,
      ip: context.ip,
      userAgent: context.userAgent,
      initialAccessTokenId: context.initialAccessTokenId,
      ...statement,
    },
    registrationAccessTokenHash: registrationAccessToken?.hash ?? null,
    registrationAccessTokenExpiresAt: registrationAccessToken?.expiresAt ?? null,
    version: 1,
    // Trust comes only from an administrator, never from self-asserted metadata (RFC 7591 §5).
    trusted: false,
    resourceServer: null,
  }

  const result = await deps.store.createClient(
    record,
    context.initialAccessTokenId === null
      ? undefined
      : { consumeInitialAccessToken: { id: context.initialAccessTokenId, now } },
  )
  if (!result.created) {
    // Another registration took the token's last use between our check and this write.
    throw invalidBearerToken(
      'the initial access token is invalid, expired, revoked or used up',
      true,
    )
  }
  return { record, clientSecret, registrationAccessToken: registrationAccessToken?.token ?? null }
}

/** What the software statement says about the client, recorded in its provenance. */
export type StatementProvenance = Pick<
  ClientProvenance,
  'softwareStatementIssuer' | 'verifiedBySoftwareStatement'
>

/**
 * The part of registration that RFC 7592 §2.2 updates repeat: apply the software statement,
 * validate, and echo the statement. One path for both, so the rules cannot drift apart (and an
 * update recomputes whether the statement vouches for the client).
 */
export async function resolveRegistrationMetadata(
  deps: Pick<RegisterClientDeps, 'registration' | 'verifySoftwareStatement'>,
  body: Readonly<Record<string, unknown>>,
): Promise<{ readonly metadata: ClientMetadata; readonly statement: StatementProvenance }> {
  const statement = await applySoftwareStatement(deps, body)
  const metadata = validateClientMetadata(statement.merged, deps.registration.policy)
  return {
    metadata:
      statement.raw === null ? metadata : { ...metadata, software_statement: statement.raw },
    statement: {
      softwareStatementIssuer: statement.issuer,
      verifiedBySoftwareStatement: statement.vouchesForRedirects,
    },
  }
}

interface AppliedStatement {
  readonly merged: Readonly<Record<string, unknown>>
  readonly raw: string | null
  readonly issuer: string | null
  /** The statement asserted redirect_uris itself, so the body could not choose them (A41). */
  readonly vouchesForRedirects: boolean
}

/**
 * RFC 7591 §2.3 and §3.1.1: the statement's claims take precedence over the same members in
 * the body (docs/decisions.md A31), and the statement itself is echoed byte for byte (§3.2.1).
 */
async function applySoftwareStatement(
  deps: Pick<RegisterClientDeps, 'registration' | 'verifySoftwareStatement'>,
  body: Readonly<Record<string, unknown>>,
): Promise<AppliedStatement> {
  const raw = body.software_statement
  if (raw === undefined || raw === null) {
    if (deps.registration.softwareStatement.required) {
      throw new OAuthError(
        'invalid_software_statement',
        'software_statement is required by this server: register with a statement signed by a trusted issuer',
      )
    }
    return { merged: body, raw: null, issuer: null, vouchesForRedirects: false }
  }
  const verified = await deps.verifySoftwareStatement(raw)
  // docs/decisions.md A41: a statement vouches for a client only if it names where the client's
  // codes go. Otherwise anyone can copy a vendor's public statement next to their own
  // redirect_uris and borrow its client_name and logo_uri.
  const vouchesForRedirects = Array.isArray(verified.claims.redirect_uris)
  if (!vouchesForRedirects && deps.registration.softwareStatement.requireRedirectUris) {
    throw new OAuthError(
      'invalid_software_statement',
      'software_statement must assert redirect_uris: this server accepts a statement only for the redirect URIs it names (RFC 7591 §2.3)',
    )
  }
  return {
    // Statement claims win (RFC 7591 §2.3, A31), so asserted redirect_uris cannot be replaced.
    merged: { ...body, ...verified.claims },
    raw: raw as string,
    issuer: verified.issuer,
    vouchesForRedirects,
  }
}
