import { OAuthError, quote } from '../../errors.js'
import { parseResourceIndicators } from '../resource/parse-resource-indicator.js'
import { checkRequestedScope } from '../scope/check-requested-scope.js'
import { checkPkceChallenge } from './check-pkce-challenge.js'
import type { TrustedRedirect } from './identify-client-and-redirect.js'
import type { Prompt } from './parse-prompt.js'
import { parsePrompt } from './parse-prompt.js'
import type { AuthorizationParameters } from './read-authorization-parameters.js'

/** An authorization request that passed every check: what the user is asked to approve. */
export type AuthorizationRequest = TrustedRedirect & {
  readonly state: string | null
  /** Granted scope tokens, in request order (the registered scope when none was asked for). */
  readonly scopes: readonly string[]
  /** RFC 8707 resources, canonical, distinct and sorted; empty when none were requested. */
  readonly resources: readonly string[]
  readonly prompt: Prompt
} & (
    | {
        /** RFC 6749 §4.1: the authorization code grant. */
        readonly responseType: 'code'
        /** S256 challenge to bind to the code (RFC 7636 §4.4). */
        readonly codeChallenge: string
      }
    | {
        /** RFC 6749 §4.2: the implicit grant, where the host enabled it. */
        readonly responseType: 'token'
        readonly codeChallenge: null
      }
  )

export interface AuthorizationPolicy {
  /** options.authorization.implicit: the host enabled response_type=token at all. */
  readonly implicit: boolean
}

/** Where the response parameters go: the query (code) or the fragment (token, RFC 6749 §4.2.2). */
export type ResponseMode = 'query' | 'fragment'

/**
 * The response mode an error for these parameters is delivered in. RFC 6749 §4.2.2.1: a request
 * for the implicit grant gets its errors in the fragment, even when the grant is refused.
 */
export function responseModeOf(params: AuthorizationParameters): ResponseMode {
  return params.get('response_type') === 'token' ? 'fragment' : 'query'
}

/**
 * The second step, once the redirect URI is trusted: every error from here on goes back to the
 * client (RFC 6749 §4.1.2.1), with the state it sent. A duplicated state cannot be echoed
 * faithfully, so it is left out.
 */
export function stateOf(params: AuthorizationParameters): string | null {
  return params.get('state')
}

/**
 * Checks an authorization request whose client and redirect URI are already trusted (see
 * identifyClientAndRedirect), in the order a client is best told about: malformed request,
 * response type, the client's right to it, scope, PKCE, resource, prompt. Throws the OAuthError
 * to send back to the redirect URI.
 */
export function parseAuthorizationRequest(
  target: TrustedRedirect,
  params: AuthorizationParameters,
  policy: AuthorizationPolicy,
): AuthorizationRequest {
  const [duplicate] = params.duplicates
  if (duplicate !== undefined) {
    // OAuth 2.1 §3.1: "Request and response parameters MUST NOT be included more than once."
    throw new OAuthError('invalid_request', `${duplicate} is included more than once`)
  }
  const { client } = target
  const responseType = params.get('response_type')
  // RFC 6749 §3.1.1: response_type is REQUIRED.
  if (responseType === null) throw new OAuthError('invalid_request', 'response_type is required')
  if (responseType === 'code') {
    // RFC 6749 §4.1.2.1 unauthorized_client: the client is not registered for this grant.
    if (!client.metadata.grant_types.includes('authorization_code')) {
      throw new OAuthError(
        'unauthorized_client',
        'this client is not registered for the authorization_code grant',
      )
    }
  } else if (responseType === 'token') {
    // RFC 9700 §2.1.2 and OAuth 2.1 drop the implicit grant: only a host that enables it, for a
    // client registered for it, gets an access token in the redirect.
    if (!policy.implicit || !client.metadata.grant_types.includes('implicit')) {
      throw new OAuthError(
        'unsupported_response_type',
        policy.implicit
          ? 'this client is not registered for the implicit grant; use response_type code with PKCE'
          : 'response_type token (the implicit grant) is not supported; use response_type code with PKCE',
      )
    }
  } else {
    throw new OAuthError(
      'unsupported_response_type',
      `response_type ${quote(responseType)} is not supported; use code`,
    )
  }

  // RFC 6749 §3.3: within the registered scope; omitted means the registered scope.
  const scopes = checkRequestedScope(params.get('scope'), client.metadata.scope)
  const grant =
    responseType === 'code'
      ? {
          responseType: 'code' as const,
          codeChallenge: checkPkceChallenge(
            params.get('code_challenge'),
            params.get('code_challenge_method'),
          ),
        }
      : { responseType: 'token' as const, codeChallenge: null }
  // RFC 8707 §2: invalid_target for anything but absolute URIs without a fragment.
  const resources = parseResourceIndicators(params.getAll('resource'))
  const prompt = parsePrompt(params.get('prompt'))

  return { ...target, ...grant, state: stateOf(params), scopes, resources, prompt }
}
