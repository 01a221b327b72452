import { invalidClientMetadata, quote } from '../../errors.js'
import type { GrantType, ResponseType } from './client-metadata.js'
import { GRANT_TYPES, RESPONSE_TYPES, SAML2_BEARER } from './client-metadata.js'

const KNOWN_GRANTS: ReadonlySet<string> = new Set(GRANT_TYPES)
const KNOWN_RESPONSE_TYPES: ReadonlySet<string> = new Set(RESPONSE_TYPES)

/**
 * RFC 7591 §2: grant_types values are the grant_type strings of the token endpoint; a value the
 * server does not support is refused, never silently dropped (RFC 7591 §3.2.2, seed review).
 * The allow-list is the operator's: password, implicit, client_credentials and jwt-bearer are
 * off unless listed (RFC 9700 §2.4 and §2.1.2; docs/decisions.md A39 for anonymous client_credentials).
 */
export function checkGrantTypes(
  requested: readonly string[],
  allowed: ReadonlySet<GrantType>,
): GrantType[] {
  const out: GrantType[] = []
  for (const value of new Set(requested)) {
    if (value === SAML2_BEARER || !KNOWN_GRANTS.has(value)) {
      throw invalidClientMetadata(
        `grant_types value ${quote(value)} is not supported by this server`,
      )
    }
    const grant = value as GrantType
    if (!allowed.has(grant)) {
      throw invalidClientMetadata(
        `grant_types value ${quote(value)} is not allowed for dynamic registration on this server; allowed: ${[...allowed].join(', ')}`,
      )
    }
    out.push(grant)
  }
  return out
}

export function checkResponseTypes(requested: readonly string[]): ResponseType[] {
  const out: ResponseType[] = []
  for (const value of new Set(requested)) {
    if (!KNOWN_RESPONSE_TYPES.has(value)) {
      throw invalidClientMetadata(
        `response_types value ${quote(value)} is not supported by this server; supported: ${RESPONSE_TYPES.join(', ')}`,
      )
    }
    out.push(value as ResponseType)
  }
  return out
}

/** RFC 7591 §2.1: which response type each grant goes with. */
const RESPONSE_TYPE_OF: Partial<Record<GrantType, ResponseType>> = {
  authorization_code: 'code',
  implicit: 'token',
}
const GRANT_OF: Record<ResponseType, GrantType> = { code: 'authorization_code', token: 'implicit' }

/** The response types implied by the grants, used when the client sends none. */
export function impliedResponseTypes(grants: readonly GrantType[]): ResponseType[] {
  return grants.flatMap((grant) => {
    const responseType = RESPONSE_TYPE_OF[grant]
    return responseType === undefined ? [] : [responseType]
  })
}

/**
 * RFC 7591 §2.1: "the authorization server SHOULD ensure that [grant_types and response_types]
 * are consistent": code ⇔ authorization_code, token ⇔ implicit.
 */
export function checkGrantAndResponseTypesAgree(
  grants: readonly GrantType[],
  responseTypes: readonly ResponseType[],
): void {
  for (const responseType of responseTypes) {
    const grant = GRANT_OF[responseType]
    if (!grants.includes(grant)) {
      throw invalidClientMetadata(
        `response_types value '${responseType}' requires grant_types to include '${grant}' (RFC 7591 §2.1)`,
      )
    }
  }
  for (const grant of grants) {
    const responseType = RESPONSE_TYPE_OF[grant]
    if (responseType !== undefined && !responseTypes.includes(responseType)) {
      throw invalidClientMetadata(
        `grant_types value '${grant}' requires response_types to include '${responseType}' (RFC 7591 §2.1)`,
      )
    }
  }
}
