import { OAuthError } from '../../errors.js'
import { timeKeyedDigest } from '../crypto/time-keyed-token.js'
import type { ClientRecord, TokenRecord } from '../store/store.js'
import type { TokenResponse } from '../tokens/issue-tokens.js'
import { issueTokens } from '../tokens/issue-tokens.js'
import type { RequestParameters } from '../tokens/request-parameters.js'
import type { GrantDeps } from './grant-deps.js'
import { narrowResources } from './narrow-resources.js'
import { narrowScope } from './narrow-scope.js'

const UNUSABLE = 'refresh_token is unknown, expired, revoked or already used'

/**
 * RFC 6749 §6 with RFC 9700 §4.14.2 rotation: every refresh returns a new refresh token and
 * retires the old one, for every client (MCP asks it of public clients; doing it for all costs
 * nothing). A retired token presented again means two parties hold the family: the whole grant
 * is revoked, so the attacker's copy dies with the victim's (docs/decisions.md A22).
 */
export async function refreshTokenGrant(
  deps: GrantDeps,
  client: ClientRecord,
  params: RequestParameters,
): Promise<TokenResponse> {
  const presented = params.get('refresh_token')
  if (presented === null) throw new OAuthError('invalid_request', 'refresh_token is required')
  const tokenHash = timeKeyedDigest(presented)
  const now = deps.now()
  const token = await deps.store.findToken(tokenHash)

  // RFC 6749 §6: the refresh token must have been issued to the authenticated client (RFC 9700
  // §4.14.2 binds it to the client). Another client's token tells that client nothing.
  if (token === null || token.kind !== 'refresh' || token.clientId !== client.clientId) {
    throw new OAuthError('invalid_grant', UNUSABLE)
  }
  if (token.revokedAt !== null || token.rotatedAt !== null) {
    return reuse(deps, client, params, token, now)
  }
  if (token.expiresAt !== null && token.expiresAt <= now) {
    throw new OAuthError('invalid_grant', UNUSABLE)
  }

  const issued = await issueFrom(deps, client, params, token, now)
  const result = await deps.store.rotateRefreshToken(tokenHash, now, issued.records)
  if (result.status === 'rotated') return issued.response
  if (result.status === 'reused') return reuse(deps, client, params, result.token, now)
  throw new OAuthError('invalid_grant', UNUSABLE)
}

/**
 * The token was already exchanged (or revoked). Within the configured grace period after its
 * rotation (docs/decisions.md A22, off by default) the client is assumed to have lost the response and
 * gets a fresh pair of the same grant; otherwise the family is revoked (RFC 9700 §4.14.2).
 */
async function reuse(
  deps: GrantDeps,
  client: ClientRecord,
  params: RequestParameters,
  token: TokenRecord,
  now: number,
): Promise<TokenResponse> {
  const graceful =
    token.revokedAt === null &&
    token.rotatedAt !== null &&
    now - token.rotatedAt < deps.refreshTokenReuseGraceSeconds &&
    (token.expiresAt === null || token.expiresAt > now)
  if (graceful) {
    const issued = await issueFrom(deps, client, params, token, now)
    await deps.store.createTokens(issued.records)
    return issued.response
  }
  await deps.store.revokeGrant(token.grantId, now)
  if (token.revokedAt === null) {
    deps.onSecurityEvent({
      kind: 'refresh_token_reused',
      clientId: client.clientId,
      grantId: token.grantId,
    })
  }
  throw new OAuthError('invalid_grant', UNUSABLE)
}

/** The new pair: the access token may narrow scope and resources, the refresh token keeps all. */
function issueFrom(
  deps: GrantDeps,
  client: ClientRecord,
  params: RequestParameters,
  token: TokenRecord,
  now: number,
) {
  // RFC 6749 §6 / OAuth 2.1 §4.3.1: narrower scope is fine, wider is invalid_scope; RFC 8707
  // §2.2: resources within the grant, else invalid_target.
  const scope = narrowScope(params.get('scope'), token.scope)
  const resources = narrowResources(params.getAll('resource'), token.resources)
  return issueTokens(
    deps,
    {
      clientId: client.clientId,
      userId: token.userId,
      grantId: token.grantId,
      scope,
      resources,
      // OAuth 2.1 §4.3.3: the new refresh token keeps the scope of the one it replaces.
      refresh: { scope: token.scope, resources: token.resources },
    },
    now,
  )
}
