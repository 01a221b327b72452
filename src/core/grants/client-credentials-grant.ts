import { OAuthError } from '../../errors.js'
import { timeOrderedId } from '../crypto/time-ordered-id.js'
import { parseResourceIndicators } from '../resource/parse-resource-indicator.js'
import { checkRequestedScope } from '../scope/check-requested-scope.js'
import type { ClientRecord } from '../store/store.js'
import type { TokenResponse } from '../tokens/issue-tokens.js'
import { issueTokens } from '../tokens/issue-tokens.js'
import type { RequestParameters } from '../tokens/request-parameters.js'
import type { GrantDeps } from './grant-deps.js'

/**
 * RFC 6749 §4.4: the client acts for itself, so the token has no user (its subject is the
 * client) and no refresh token (§4.4.3). The scope lies within the client's registration
 * (§3.3); resources (RFC 8707 §2) are any the client names, the client being its own authority.
 */
export async function clientCredentialsGrant(
  deps: GrantDeps,
  client: ClientRecord,
  params: RequestParameters,
): Promise<TokenResponse> {
  // OAuth 2.1 §4.2: "The client credentials grant type MUST only be used by confidential
  // clients." Registration refuses `none` with it; a record that says otherwise is refused too.
  if (client.metadata.token_endpoint_auth_method === 'none') {
    throw new OAuthError(
      'unauthorized_client',
      'client_credentials is only for clients that authenticate (OAuth 2.1 §4.2)',
    )
  }
  const scope = checkRequestedScope(params.get('scope'), client.metadata.scope)
  const resources = parseResourceIndicators(params.getAll('resource'))
  const now = deps.now()
  const issued = await issueTokens(
    deps,
    {
      clientId: client.clientId,
      userId: null,
      grantId: timeOrderedId(),
      scope,
      resources,
      refresh: null,
    },
    now,
  )
  await deps.store.createTokens(issued.records)
  return issued.response
}
