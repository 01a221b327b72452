import { OAuthError } from '../../errors.js'
import { timeKeyedDigest } from '../crypto/time-keyed-token.js'
import { parseScope } from '../scope/parse-scope.js'
import type { AuthorizationCodeRecord, ClientRecord } from '../store/store.js'
import type { IssuedTokens, TokenResponse } from '../tokens/issue-tokens.js'
import { issueTokens } from '../tokens/issue-tokens.js'
import type { RequestParameters } from '../tokens/request-parameters.js'
import type { GrantDeps } from './grant-deps.js'
import { offersRefreshTokens } from './grant-deps.js'
import { narrowResources } from './narrow-resources.js'
import { verifyPkce } from './verify-pkce.js'

const UNUSABLE = 'code is unknown, expired or already used'

/**
 * RFC 6749 §4.1.3 with OAuth 2.1 §4.1.3: redeems an authorization code, in the refresh grant's
 * shape: read the code, check it and make the tokens outside any transaction (signing a JWT must
 * not hold SQLite's one connection or a PostgreSQL row lock), then one atomic
 * redeemAuthorizationCode that consumes the code and stores the tokens together. The code is
 * single-use however many requests race for it, and a failed attempt (a wrong verifier, say)
 * burns it as well: nobody gets a second guess at the verifier.
 */
export async function authorizationCodeGrant(
  deps: GrantDeps,
  client: ClientRecord,
  params: RequestParameters,
): Promise<TokenResponse> {
  const code = params.get('code')
  if (code === null) throw new OAuthError('invalid_request', 'code is required')
  const codeHash = timeKeyedDigest(code)
  const now = deps.now()
  const record = await deps.store.findAuthorizationCode(codeHash)
  if (record === null) throw new OAuthError('invalid_grant', UNUSABLE)
  if (record.consumedAt !== null) return replay(deps, client, params, record, now)

  let issued: IssuedTokens
  try {
    issued = await checkAndIssue(deps, client, params, record, now)
  } catch (refusal) {
    // A refused attempt burns the code (redeemed with no tokens). One that lost the race to
    // another redemption meanwhile is a replay, as below.
    const burned = await deps.store.redeemAuthorizationCode(codeHash, now, [])
    if (burned.status === 'replayed') return replay(deps, client, params, burned.code, now)
    throw refusal
  }
  // The tokens commit with the code's consumption: a replay can only see the code used once the
  // tokens exist, and revokes them (RFC 6749 §4.1.2).
  const result = await deps.store.redeemAuthorizationCode(codeHash, now, issued.records)
  if (result.status === 'redeemed') return issued.response
  // Another request redeemed the code between the read and here: this one is the replay.
  if (result.status === 'replayed') return replay(deps, client, params, result.code, now)
  throw new OAuthError('invalid_grant', UNUSABLE)
}

/**
 * A code already redeemed (or burned) presented again. Same checks as a first redemption:
 * another client's attempt, or one without the right verifier, neither learns nor revokes
 * anything (OAuth 2.1 §4.1.3: an invalid replay SHOULD NOT revoke), so a stranger cannot revoke
 * a user's tokens.
 */
async function replay(
  deps: GrantDeps,
  client: ClientRecord,
  params: RequestParameters,
  record: AuthorizationCodeRecord,
  now: number,
): Promise<never> {
  if (record.clientId !== client.clientId) throw new OAuthError('invalid_grant', UNUSABLE)
  verifyPkce(params.get('code_verifier'), record.codeChallenge)
  // RFC 6749 §4.1.2 and §10.5: a code used twice means it leaked; "the authorization server
  // SHOULD revoke (when possible) all tokens previously issued based on that authorization code".
  await deps.store.revokeGrant(record.grantId, now)
  deps.onSecurityEvent({
    kind: 'authorization_code_replayed',
    clientId: client.clientId,
    grantId: record.grantId,
  })
  throw new OAuthError('invalid_grant', UNUSABLE)
}

/** The checks of a first redemption, and the tokens it earns. Throws OAuthError to refuse. */
async function checkAndIssue(
  deps: GrantDeps,
  client: ClientRecord,
  params: RequestParameters,
  record: AuthorizationCodeRecord,
  now: number,
): Promise<IssuedTokens> {
  // RFC 6749 §4.1.3: "ensure that the authorization code was issued to the authenticated
  // confidential client, or if the client is public, ensure that the code was issued to
  // client_id".
  if (record.clientId !== client.clientId) {
    throw new OAuthError('invalid_grant', UNUSABLE)
  }
  // RFC 7636 §4.6 / docs/decisions.md A20: every code carries an S256 challenge, so a verifier is always
  // required and a code issued without one (the downgrade of RFC 9700 §4.8.2) cannot exist.
  verifyPkce(params.get('code_verifier'), record.codeChallenge)
  // RFC 6749 §4.1.2: codes are short-lived (tokens.authorizationCodeTtlSeconds).
  if (record.expiresAt <= now) {
    throw new OAuthError('invalid_grant', UNUSABLE)
  }
  // RFC 6749 §4.1.3: redirect_uri is required when the authorization request carried it, and
  // must then be identical; sent otherwise, it must still name where the code went.
  const redirectUri = params.get('redirect_uri')
  if (record.redirectUriInRequest && redirectUri === null) {
    throw new OAuthError(
      'invalid_grant',
      'redirect_uri is required: the authorization request included one (RFC 6749 §4.1.3)',
    )
  }
  if (redirectUri !== null && redirectUri !== record.redirectUri) {
    throw new OAuthError(
      'invalid_grant',
      'redirect_uri must be identical to the one in the authorization request',
    )
  }
  const resources = narrowResources(params.getAll('resource'), record.resources)
  return issueTokens(
    deps,
    {
      clientId: client.clientId,
      userId: record.userId,
      grantId: record.grantId,
      scope: parseScope(record.scope),
      resources,
      refresh: offersRefreshTokens(client)
        ? { scope: record.scope, resources: record.resources }
        : null,
    },
    now,
  )
}
