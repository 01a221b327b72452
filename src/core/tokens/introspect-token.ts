import { OAuthError } from '../../errors.js'
import { invalidClient } from '../client-auth/client-auth-error.js'
import { timeKeyedDigest } from '../crypto/time-keyed-token.js'
import { parseResourceIndicators } from '../resource/parse-resource-indicator.js'
import type { ClientRecord, Store, TokenRecord } from '../store/store.js'
import { accessTokenAudience } from './jwt-access-token.js'
import type { RequestParameters } from './request-parameters.js'

export interface IntrospectionDeps {
  readonly store: Pick<Store, 'findToken' | 'getUser'>
  readonly issuer: string
  readonly now: () => number
}

/** RFC 7662 §2.2: what an inactive, unknown or hidden token reads as, and nothing more. */
const INACTIVE: Readonly<Record<string, unknown>> = Object.freeze({ active: false })

/**
 * RFC 7662 §2: tells the authenticated caller whether a token is active and what it is for.
 * Who may see what (docs/decisions.md A24): a client sees its own tokens; a client marked as a resource
 * server also sees the access tokens whose audience names its resource. Anything else, like an
 * unknown, expired, revoked or already-rotated token, is `{"active": false}` (§2.2: "SHOULD NOT
 * include any additional information about an inactive token"), which also hides whether a
 * token the caller may not see exists (§4).
 */
export async function introspectToken(
  deps: IntrospectionDeps,
  caller: ClientRecord,
  params: RequestParameters,
): Promise<Readonly<Record<string, unknown>>> {
  // RFC 7662 §2.1: the endpoint MUST require some authorization. A public client's client_id
  // is public, so it authorizes nothing: otherwise anyone could probe tokens under its name.
  if (caller.metadata.token_endpoint_auth_method === 'none') {
    throw invalidClient(
      'introspection requires an authenticated client; public clients cannot introspect',
      {
        basic: true,
        realm: deps.issuer,
      },
    )
  }
  const token = params.get('token')
  // RFC 7662 §2.1: token is REQUIRED. token_type_hint is a hint only: one lookup finds both kinds.
  if (token === null) throw new OAuthError('invalid_request', 'token is required')
  const record = await deps.store.findToken(timeKeyedDigest(token))
  const now = deps.now()
  if (record === null || !isActive(record, now) || !mayIntrospect(caller, record)) return INACTIVE

  const user = record.userId === null ? null : await deps.store.getUser(record.userId)
  // The user was deleted between the lookups: their tokens went with them.
  if (record.userId !== null && user === null) return INACTIVE
  const audience = accessTokenAudience(record.resources, deps.issuer)
  return {
    active: true,
    ...(record.scope === '' ? {} : { scope: record.scope }),
    client_id: record.clientId,
    ...(user === null ? {} : { username: user.username }),
    // RFC 9068 §2.2's subject: the user, or the client acting for itself.
    sub: record.userId ?? record.clientId,
    // The same audience a JWT access token of this grant carries (RFC 9068 §3).
    aud: audience.length === 1 ? audience[0] : audience,
    iss: deps.issuer,
    ...(record.expiresAt === null ? {} : { exp: record.expiresAt }),
    iat: record.issuedAt,
    token_type: record.kind === 'access' ? 'Bearer' : 'refresh_token',
  }
}

/** RFC 7662 §4: expiry and revocation are checked; a rotated refresh token is spent too. */
function isActive(record: TokenRecord, now: number): boolean {
  if (record.revokedAt !== null || record.rotatedAt !== null) return false
  return record.expiresAt === null || record.expiresAt > now
}

function mayIntrospect(caller: ClientRecord, record: TokenRecord): boolean {
  if (record.clientId === caller.clientId) return true
  // Resource servers hold access tokens, never refresh tokens: those stay the client's business.
  if (caller.resourceServer === null || record.kind !== 'access') return false
  const resource = canonical(caller.resourceServer)
  return resource !== null && record.resources.includes(resource)
}

/** The resource URI in the canonical form token audiences are stored in (RFC 8707 §2). */
function canonical(resource: string): string | null {
  try {
    return parseResourceIndicators([resource])[0] ?? null
  } catch {
    return null
  }
}
