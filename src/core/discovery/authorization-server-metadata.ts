import type { ResolvedOptions } from '../../options.js'
import {
  ASSERTION_SIGNING_ALGS,
  TOKEN_ENDPOINT_AUTH_METHODS,
} from '../registration/client-metadata.js'

/**
 * RFC 8414 §2 authorization server metadata, listing only what works on this server now:
 * the registration endpoint when registration is enabled, and the grant types, response types
 * and client authentication methods a registration may ask for. Members with no values are
 * omitted (§3.2), never sent as empty arrays.
 */
export function authorizationServerMetadata(options: ResolvedOptions): Record<string, unknown> {
  const registration = options.registration
  const grants = [...registration.policy.allowedGrantTypes]
  const responseTypes = [
    ...(grants.includes('authorization_code') ? ['code'] : []),
    ...(grants.includes('implicit') ? ['token'] : []),
  ]
  const metadata: Record<string, unknown> = { issuer: options.issuer }
  if (registration.mode !== 'disabled') {
    metadata.registration_endpoint = endpointUrl(options, '/register')
  }
  if (options.scopes.length > 0) metadata.scopes_supported = [...options.scopes]
  if (responseTypes.length > 0) metadata.response_types_supported = responseTypes
  if (grants.length > 0) metadata.grant_types_supported = grants
  metadata.token_endpoint_auth_methods_supported = [...TOKEN_ENDPOINT_AUTH_METHODS]
  // RFC 8414 §2: required once private_key_jwt is listed, and must not contain `none`.
  metadata.token_endpoint_auth_signing_alg_values_supported = [...ASSERTION_SIGNING_ALGS]
  return metadata
}

/** An endpoint under the issuer: `https://as.example/tenant` + `/register`. */
export function endpointUrl(options: ResolvedOptions, path: string): string {
  const url = new URL(options.issuer)
  url.pathname = `${options.basePath}${path}`
  return url.toString()
}

/** RFC 8414 §3: the well-known string goes between the host and the issuer's path. */
export function metadataPath(options: ResolvedOptions): string {
  return `/.well-known/oauth-authorization-server${options.basePath}`
}

/** RFC 7592 §3: where a client manages its registration (decision A30: a path per client). */
export function registrationClientUri(options: ResolvedOptions, clientId: string): string {
  return endpointUrl(options, `/register/${encodeURIComponent(clientId)}`)
}
