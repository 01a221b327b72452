import { invalidClientMetadata, quote } from '../../errors.js'
import { tokenEndpointGrantTypes } from '../grants/exchange-grant.js'
import type { GrantType, ResponseType } from './client-metadata.js'
import { GRANT_TYPES, RESPONSE_TYPES, SAML2_BEARER } from './client-metadata.js'

const KNOWN_GRANTS: ReadonlySet<string> = new Set(GRANT_TYPES)
const KNOWN_RESPONSE_TYPES: ReadonlySet<string> = new Set(RESPONSE_TYPES)

/** The switches that turn a grant on, as the host has set them (authorization.implicit, .password). */
export interface GrantSwitches {
  readonly implicit: boolean
  readonly password: boolean
}

/**
 * The grants this server can serve with these switches: what the token endpoint dispatches,
 * plus implicit, which the authorization endpoint serves (response_type=token). Discovery's
 * grant_types_supported lists the same set (RFC 8414 §2); jwt-bearer (RFC 7523 §2.1) is in
 * neither, because no grant implements it.
 */
export function servedGrantTypes(switches: GrantSwitches): ReadonlySet<GrantType> {
  const served = new Set<GrantType>(tokenEndpointGrantTypes(switches.password))
  if (switches.implicit) served.add('implicit')
  return served
}

/** The option that turns each switched grant on, named in refusals so an operator knows where to look. */
const SWITCH_OF: Partial<Record<GrantType, string>> = {
  implicit: 'authorization.implicit',
  password: 'authorization.password',
}

/**
 * Why `grant` cannot be served, in the words of a refusal, or null when it can be. A grant
 * registered but never served would only fail later at the token or authorization endpoint,
 * where the client can no longer fix its registration (docs/decisions.md A42).
 */
export function unservedGrantReason(
  grant: GrantType,
  served: ReadonlySet<GrantType>,
): string | null {
  if (served.has(grant)) return null
  const option = SWITCH_OF[grant]
  return option === undefined
    ? 'is not implemented by this server'
    : `is not enabled on this server (${option})`
}

/**
 * The grants an operator's allow-list names that the server cannot serve, each with its
 * reason: not a configuration error (registrations asking for them are refused), but worth a
 * warning at start-up, since the operator evidently expected them to work.
 */
export function unservedAllowedGrants(
  allowed: ReadonlySet<GrantType>,
  served: ReadonlySet<GrantType>,
): string[] {
  return [...allowed].flatMap((grant) => {
    const reason = unservedGrantReason(grant, served)
    return reason === null ? [] : [`'${grant}' ${reason}`]
  })
}

/**
 * RFC 7591 §2: grant_types values are the grant_type strings of the token endpoint; a value the
 * server does not support is refused, never silently dropped (RFC 7591 §3.2.2, seed review).
 * A grant the server cannot serve is refused even when the operator's allow-list names it
 * (docs/decisions.md A42). The allow-list is the operator's: password, implicit,
 * client_credentials and jwt-bearer are off unless listed (RFC 9700 §2.4 and §2.1.2;
 * docs/decisions.md A39 for anonymous client_credentials).
 */
export function checkGrantTypes(
  requested: readonly string[],
  allowed: ReadonlySet<GrantType>,
  served: ReadonlySet<GrantType>,
): GrantType[] {
  const out: GrantType[] = []
  for (const value of new Set(requested)) {
    if (value === SAML2_BEARER || !KNOWN_GRANTS.has(value)) {
      throw invalidClientMetadata(
        `grant_types value ${quote(value)} is not supported by this server`,
      )
    }
    const grant = value as GrantType
    const unserved = unservedGrantReason(grant, served)
    if (unserved !== null) {
      throw invalidClientMetadata(`grant_types value ${quote(value)} ${unserved} (RFC 7591 §2)`)
    }
    if (!allowed.has(grant)) {
      const offered = [...allowed].filter((candidate) => served.has(candidate))
      throw invalidClientMetadata(
        `grant_types value ${quote(value)} is not allowed for dynamic registration on this server; allowed: ${offered.join(', ')}`,
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
