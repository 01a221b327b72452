import { OAuthError } from '../../errors.js'
import { timeOrderedId } from '../crypto/time-ordered-id.js'
import { parseResourceIndicators } from '../resource/parse-resource-indicator.js'
import { checkRequestedScope } from '../scope/check-requested-scope.js'
import type { ClientRecord } from '../store/store.js'
import type { TokenResponse } from '../tokens/issue-tokens.js'
import { issueTokens } from '../tokens/issue-tokens.js'
import type { RequestParameters } from '../tokens/request-parameters.js'
import type { GrantDeps, TokenRequestContext } from './grant-deps.js'
import { offersRefreshTokens } from './grant-deps.js'

/**
 * RFC 6749 §4.3, the resource owner password credentials grant. RFC 9700 §2.4 says it MUST NOT
 * be used and OAuth 2.1 drops it; it exists here only behind options.authorization.password, for
 * clients registered for it (the dispatcher checks both).
 */
export async function passwordGrant(
  deps: GrantDeps,
  client: ClientRecord,
  params: RequestParameters,
  context: TokenRequestContext,
): Promise<TokenResponse> {
  const username = params.get('username')
  const password = params.get('password')
  // RFC 6749 §4.3.2: both are REQUIRED.
  if (username === null) throw new OAuthError('invalid_request', 'username is required')
  if (password === null) throw new OAuthError('invalid_request', 'password is required')
  // Checked before the password, so a bad request costs no scrypt work.
  const scope = checkRequestedScope(params.get('scope'), client.metadata.scope)
  const resources = parseResourceIndicators(params.getAll('resource'))

  // RFC 6749 §4.3.2: "the authorization server MUST protect the endpoint against brute force
  // attacks": an attempt goes through the same throttle as the sign-in page (login-throttle.ts),
  // which counts it against the username and the address before any password work.
  const result = await deps.loginThrottle.signIn(
    { username, password, ip: context.ip },
    deps.now() * 1000,
  )
  switch (result.outcome) {
    case 'locked':
      throw tooManyFailures(result.retryAfterSeconds)
    case 'busy':
      // RFC 6749 §5.2 has no code for it; temporarily_unavailable (§4.1.2.1) is the one that says
      // what happened, with Retry-After (RFC 9110 §10.2.3).
      throw new OAuthError(
        'temporarily_unavailable',
        'the server is checking too many passwords at once; retry shortly',
        { retryAfterSeconds: result.retryAfterSeconds },
      )
    case 'wrong_credentials':
      // RFC 6749 §5.2: wrong resource owner credentials are invalid_grant.
      throw new OAuthError('invalid_grant', 'username or password is wrong')
  }
  const user = result.user
  const now = deps.now()
  const scopeText = scope.join(' ')
  const issued = await issueTokens(
    deps,
    {
      clientId: client.clientId,
      userId: user.id,
      grantId: timeOrderedId(),
      scope,
      resources,
      refresh: offersRefreshTokens(client) ? { scope: scopeText, resources } : null,
    },
    now,
  )
  await deps.store.createTokens(issued.records)
  return issued.response
}

/**
 * Still invalid_grant (RFC 6749 §5.2 has no code for it, and clients know this one), with
 * Retry-After saying when trying again makes sense.
 */
function tooManyFailures(seconds: number): OAuthError {
  return new OAuthError(
    'invalid_grant',
    `too many failed attempts for this username or address; retry in ${seconds} seconds`,
    { retryAfterSeconds: seconds },
  )
}
