import { invalidRedirectUri } from '../../errors.js'
import type { AddressAllowList } from '../fetch/address-allow-list.js'
import { validateRedirectUri } from '../redirect-uri/validate-redirect-uri.js'
import { checkAuthMethod } from './check-auth-method.js'
import {
  checkGrantAndResponseTypesAgree,
  checkGrantTypes,
  checkResponseTypes,
  impliedResponseTypes,
} from './check-grant-types.js'
import { checkClientName, checkWebUri, collectLocalized } from './check-human-readable.js'
import { checkJwks } from './check-jwks.js'
import type { ClientMetadata, GrantType } from './client-metadata.js'
import { metadataSchema, schemaIssueToError } from './metadata-schema.js'
import { resolveScope } from './resolve-scope.js'

/** What the operator allows dynamically registered clients to ask for. */
export interface RegistrationPolicy {
  readonly allowedGrantTypes: ReadonlySet<GrantType>
  /**
   * The grants this server can serve (servedGrantTypes in check-grant-types.ts): any other is
   * refused even when allowedGrantTypes lists it (docs/decisions.md A42).
   */
  readonly servedGrantTypes: ReadonlySet<GrantType>
  readonly requireHttpsRedirectUris: boolean
  /** null: any host. */
  readonly redirectUriHosts: readonly string[] | null
  readonly requireReverseDomainSchemes: boolean
  readonly allowedScopes: ReadonlySet<string>
  readonly defaultScopes: readonly string[]
  /**
   * Special-use addresses a jwks_uri literal may name (outboundFetch.allowPrivateAddresses,
   * docs/decisions.md B6); absent: none.
   */
  readonly allowPrivateAddresses?: AddressAllowList
}

/** Grants that send the user agent back to the client, so they need a redirect URI (§2). */
const REDIRECT_GRANTS: readonly GrantType[] = ['authorization_code', 'implicit']

/**
 * Turns a registration request body (a JSON object) into registered metadata, applying the
 * RFC 7591 §2 defaults and every rule of the policy, or throws the OAuthError that tells the
 * client what to fix. The same function serves registration and, later, RFC 7592 updates:
 * one validator, not two.
 */
export function validateClientMetadata(
  body: Readonly<Record<string, unknown>>,
  policy: RegistrationPolicy,
): ClientMetadata {
  // RFC 7592 §2.2 ¶3: the server MAY ignore null values; a null reads as "not sent".
  const present = Object.fromEntries(Object.entries(body).filter(([, value]) => value !== null))
  const parsed = metadataSchema.safeParse(present)
  if (!parsed.success) {
    const [first] = parsed.error.issues
    throw first === undefined
      ? invalidRedirectUri('request body is not valid')
      : schemaIssueToError(first)
  }
  const input = parsed.data

  // RFC 7591 §2 defaults: grant_types ["authorization_code"]; response_types follow the grants
  // (["code"] for the default), so a client_credentials-only client is not contradicted by a
  // default it never asked for.
  const grantTypes = checkGrantTypes(
    input.grant_types ?? ['authorization_code'],
    policy.allowedGrantTypes,
    policy.servedGrantTypes,
  )
  const responseTypes =
    input.response_types === undefined
      ? impliedResponseTypes(grantTypes)
      : checkResponseTypes(input.response_types)
  checkGrantAndResponseTypesAgree(grantTypes, responseTypes)

  const method = checkAuthMethod(input.token_endpoint_auth_method, grantTypes, {
    jwks: input.jwks !== undefined,
    jwksUri: input.jwks_uri !== undefined,
  })
  checkJwks(input.jwks, input.jwks_uri, policy.allowPrivateAddresses)

  const applicationType = input.application_type ?? 'web'
  const redirectUris = [...new Set(input.redirect_uris ?? [])]
  const needsRedirect = grantTypes.find((grant) => REDIRECT_GRANTS.includes(grant))
  // RFC 7591 §2 redirect_uris, §5; docs/decisions.md A10: invalid_redirect_uri.
  if (needsRedirect !== undefined && redirectUris.length === 0) {
    throw invalidRedirectUri(
      `redirect_uris is required for the ${needsRedirect} grant and must not be empty`,
    )
  }
  const rules = {
    applicationType,
    publicClient: method === 'none',
    implicit: grantTypes.includes('implicit'),
    requireHttps: policy.requireHttpsRedirectUris,
    allowedHosts: policy.redirectUriHosts,
    requireReverseDomainSchemes: policy.requireReverseDomainSchemes,
  }
  redirectUris.forEach((uri, index) => {
    validateRedirectUri(uri, `redirect_uris[${index}]`, rules)
  })

  if (input.client_name !== undefined) checkClientName(input.client_name, 'client_name')
  input.contacts?.forEach((contact, index) => {
    checkClientName(contact, `contacts[${index}]`)
  })
  for (const field of ['client_uri', 'logo_uri', 'tos_uri', 'policy_uri'] as const) {
    const value = input[field]
    if (value !== undefined) checkWebUri(value, field, policy.requireHttpsRedirectUris)
  }
  const localized = collectLocalized(present, policy.requireHttpsRedirectUris)
  const scope = resolveScope(input.scope, policy.allowedScopes, policy.defaultScopes)

  return {
    redirect_uris: redirectUris,
    token_endpoint_auth_method: method,
    grant_types: grantTypes,
    response_types: responseTypes,
    application_type: applicationType,
    scope,
    ...optional('client_name', input.client_name),
    ...optional('client_uri', input.client_uri),
    ...optional('logo_uri', input.logo_uri),
    ...optional('tos_uri', input.tos_uri),
    ...optional('policy_uri', input.policy_uri),
    ...optional(
      'contacts',
      input.contacts === undefined ? undefined : [...new Set(input.contacts)],
    ),
    ...optional('jwks_uri', input.jwks_uri),
    ...optional('jwks', input.jwks),
    ...optional('software_id', input.software_id),
    ...optional('software_version', input.software_version),
    ...localized,
  }
}

/** `{}` or `{ key: value }`: with exactOptionalPropertyTypes, absent must stay absent. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V }
}
