import { OAuthError, quote } from '../../errors.js'
import type { GrantType } from '../registration/client-metadata.js'
import type { ClientRecord } from '../store/store.js'
import type { TokenResponse } from '../tokens/issue-tokens.js'
import type { RequestParameters } from '../tokens/request-parameters.js'
import { authorizationCodeGrant } from './authorization-code-grant.js'
import { clientCredentialsGrant } from './client-credentials-grant.js'
import type { GrantDeps, TokenRequestContext } from './grant-deps.js'
import { passwordGrant } from './password-grant.js'
import { refreshTokenGrant } from './refresh-token-grant.js'

type Grant = (
  deps: GrantDeps,
  client: ClientRecord,
  params: RequestParameters,
  context: TokenRequestContext,
) => Promise<TokenResponse>

const GRANTS: ReadonlyMap<string, Grant> = new Map<GrantType, Grant>([
  ['authorization_code', authorizationCodeGrant],
  ['refresh_token', refreshTokenGrant],
  ['client_credentials', clientCredentialsGrant],
  ['password', passwordGrant],
])

/** The grant types the token endpoint serves with these settings (for discovery). */
export function tokenEndpointGrantTypes(passwordGrantEnabled: boolean): GrantType[] {
  return [...GRANTS.keys()].filter(
    (grant): grant is GrantType => grant !== 'password' || passwordGrantEnabled,
  )
}

/**
 * RFC 6749 §3.2 / §5.2: dispatches an authenticated client's token request on grant_type.
 * A grant this server does not offer is unsupported_grant_type; one it offers but the client
 * did not register (RFC 7591 §2 grant_types) is unauthorized_client.
 */
export function exchangeGrant(
  deps: GrantDeps,
  client: ClientRecord,
  params: RequestParameters,
  context: TokenRequestContext,
): Promise<TokenResponse> {
  const grantType = params.get('grant_type')
  if (grantType === null) throw new OAuthError('invalid_request', 'grant_type is required')
  const grant = GRANTS.get(grantType)
  // RFC 9700 §2.4: the password grant exists only where the host turned it on.
  if (grant === undefined || (grantType === 'password' && !deps.passwordGrant)) {
    throw new OAuthError(
      'unsupported_grant_type',
      `grant_type ${quote(grantType)} is not supported; supported: ${tokenEndpointGrantTypes(deps.passwordGrant).join(', ')}`,
    )
  }
  if (!(client.metadata.grant_types as readonly string[]).includes(grantType)) {
    throw new OAuthError(
      'unauthorized_client',
      `this client is not registered for grant_type ${quote(grantType)}; its grant_types: ${client.metadata.grant_types.join(', ')}`,
    )
  }
  return grant(deps, client, params, context)
}
