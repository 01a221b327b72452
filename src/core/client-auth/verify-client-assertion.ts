import type { JWTPayload } from 'jose'
import { decodeProtectedHeader, errors } from 'jose'
import { quote } from '../../errors.js'
import { verifyAgainstKeySet } from '../crypto/verify-against-key-set.js'
import { ASSERTION_SIGNING_ALGS } from '../registration/client-metadata.js'
import type { ClientRecord } from '../store/store.js'
import { invalidClient } from './client-auth-error.js'
import type { ClientKeySets } from './client-key-sets.js'

/** RFC 7523 §2.2: the only client_assertion_type this server understands. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/** Seconds of clock difference tolerated on exp and nbf (the client's clock is not ours). */
export const ASSERTION_CLOCK_TOLERANCE_SECONDS = 60

const ALLOWED_ALGS: ReadonlySet<string> = new Set(ASSERTION_SIGNING_ALGS)

/** RFC 7519 §4.1.4-6: the claims that hold a NumericDate. */
const TIME_CLAIMS: ReadonlySet<string> = new Set(['exp', 'nbf', 'iat'])

export interface ClientAssertionDeps {
  /** Accepted as aud (docs/decisions.md A25), with the token endpoint URL. */
  readonly issuer: string
  readonly tokenEndpoint: string
  readonly keySets: ClientKeySets
  /** Store.consumeAssertionJti: false when the jti was already used (a replay). */
  consumeJti(clientId: string, jti: string, expiresAt: number, now: number): Promise<boolean>
  readonly now: () => number
  /** options.clientAuthentication.assertionMaxLifetimeSeconds: how far ahead exp may be. */
  readonly maxLifetimeSeconds: number
  /** Realm of the Basic challenge, should one be needed. */
  readonly realm: string
}

/** RFC 7515 §7.1: a signed JWT in compact serialisation is three base64url parts. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/

/**
 * The client an assertion claims to come from (its sub, which RFC 7523 §3 makes the client_id),
 * read without verifying anything, to know whose keys to verify it with. null when unreadable.
 */
export function assertionClientId(assertion: string): string | null {
  const payload = COMPACT_JWS.test(assertion) ? assertion.split('.')[1] : undefined
  if (payload === undefined) return null
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
    if (typeof claims !== 'object' || claims === null) return null
    const { sub, iss } = claims as Record<string, unknown>
    const id = typeof sub === 'string' ? sub : iss
    return typeof id === 'string' && id !== '' ? id : null
  } catch {
    return null
  }
}

/**
 * Authenticates `client` by a private_key_jwt assertion (RFC 7523 §2.2 and §3, OIDC Core §9).
 * Every failure is `invalid_client` (RFC 7523 §3.2 names no other code) and says which rule failed.
 */
export async function verifyClientAssertion(
  deps: ClientAssertionDeps,
  client: ClientRecord,
  assertion: string | null,
  assertionType: string | null,
): Promise<void> {
  const fail = (description: string, cause?: unknown) =>
    invalidClient(description, { basic: false, realm: deps.realm }, cause)

  // RFC 7523 §2.2: the type is exactly this URN, and client_assertion holds a single JWT.
  if (assertionType !== JWT_BEARER_ASSERTION_TYPE) {
    throw fail(`client_assertion_type must be ${JWT_BEARER_ASSERTION_TYPE}`)
  }
  if (assertion === null) throw fail('client_assertion is required with client_assertion_type')
  if (!COMPACT_JWS.test(assertion)) {
    throw fail('client_assertion must be a single signed JWT in compact serialisation')
  }

  let alg: unknown
  try {
    alg = decodeProtectedHeader(assertion).alg
  } catch (cause) {
    throw fail('client_assertion header is not a base64url-encoded JSON object', cause)
  }
  // RFC 7523 §3 ¶9 and RFC 8725 §3.1: the JWT MUST be digitally signed, with an algorithm the
  // server chose: never `none`, and never an HMAC checked against a public key (key confusion).
  if (alg === 'none') throw fail("client_assertion must be signed; alg 'none' is not accepted")
  if (typeof alg !== 'string' || !ALLOWED_ALGS.has(alg)) {
    throw fail(
      `client_assertion alg ${quote(alg)} is not allowed; allowed: ${ASSERTION_SIGNING_ALGS.join(', ')}`,
    )
  }

  const getKey = deps.keySets.get(client)
  if (getKey === null) {
    throw fail('client has no usable registered keys (jwks or jwks_uri) to verify client_assertion')
  }

  const now = deps.now()
  let payload: JWTPayload
  try {
    // RFC 7523 §3: signature (¶9), exp (¶4, required) and nbf (¶5), with clock skew allowed.
    payload = await verifyAgainstKeySet(assertion, getKey, {
      algorithms: [...ASSERTION_SIGNING_ALGS],
      clockTolerance: ASSERTION_CLOCK_TOLERANCE_SECONDS,
      currentDate: new Date(now * 1000),
      requiredClaims: ['exp'],
    })
  } catch (error) {
    throw fail(describeJoseError(error), error)
  }

  // RFC 7523 §3 ¶1-2, OIDC Core §9: iss and sub are both the client_id.
  if (payload.iss !== client.clientId) {
    throw fail('client_assertion iss must be the client_id')
  }
  if (payload.sub !== client.clientId) {
    throw fail('client_assertion sub must be the client_id')
  }
  // RFC 7523 §3 ¶3 with docs/decisions.md A25: aud identifies this server, as its issuer (a string or a
  // one-member array, rfc7523bis) or the token endpoint URL (RFC 7523's older wording).
  const audiences = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? [])
  const accepted = [deps.issuer, deps.tokenEndpoint]
  if (audiences.length !== 1 || !accepted.includes(audiences[0] ?? '')) {
    throw fail(
      `client_assertion aud must be this server's issuer ${quote(deps.issuer)} (or its token endpoint URL), alone`,
    )
  }
  // OIDC Core §9: "The JWT ID [...] MUST only be used once"; docs/decisions.md A26: enforced until exp.
  const { jti, exp } = payload
  if (typeof jti !== 'string' || jti === '') {
    throw fail('client_assertion must carry a jti (a unique string)')
  }
  if (typeof exp !== 'number') throw fail('client_assertion exp must be a number')
  // RFC 7519 §2 lets a NumericDate be any JSON number, but the jti is held until exp, as integer
  // seconds in the store: 2^53 and beyond (1e300) cannot be held exactly, and would have been a
  // 500 there.
  if (!Number.isSafeInteger(Math.ceil(exp))) {
    throw fail('client_assertion exp is not a safe integer number of seconds (at most 2^53 - 1)')
  }
  // RFC 7523 §3 ¶4: an exp "unreasonably far in the future" may be rejected. An assertion is for
  // one request; a far exp would also hold its jti in the replay store as long (A26). The skew
  // allowed on exp and nbf applies here too: libraries that default to iat + 3600 (Authlib's
  // private_key_jwt does) must pass from a client whose clock runs a little ahead.
  if (exp > now + deps.maxLifetimeSeconds + ASSERTION_CLOCK_TOLERANCE_SECONDS) {
    throw fail(
      `client_assertion exp is more than ${deps.maxLifetimeSeconds} seconds ahead (plus ${ASSERTION_CLOCK_TOLERANCE_SECONDS} s for clock skew); an assertion is short-lived`,
    )
  }
  // Kept as long as the assertion could still pass the exp check, tolerance included.
  const heldUntil = Math.ceil(exp) + ASSERTION_CLOCK_TOLERANCE_SECONDS
  if (!(await deps.consumeJti(client.clientId, jti, heldUntil, now))) {
    throw fail('client_assertion jti was already used: an assertion is good for one request')
  }
}

/** What went wrong, in words a client developer can act on; never key material. */
function describeJoseError(error: unknown): string {
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return "client_assertion signature does not verify with the client's registered keys"
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return "client_assertion kid and alg match none of the client's registered keys"
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return "the client's jwks_uri did not answer with a JWK Set in time"
  }
  if (error instanceof errors.JWTExpired) return 'client_assertion is expired (exp)'
  if (error instanceof errors.JWTClaimValidationFailed) {
    // jose's reason is 'missing', 'invalid' (not a number) or 'check_failed' (the time check).
    if (error.reason === 'invalid' && TIME_CLAIMS.has(error.claim)) {
      return `client_assertion ${error.claim} must be a NumericDate, a number of seconds (RFC 7519 §2)`
    }
    if (error.claim === 'exp') return 'client_assertion must carry exp, a NumericDate'
    if (error.claim === 'nbf') return 'client_assertion is not yet valid (nbf is in the future)'
    return `client_assertion claim ${quote(error.claim)} is invalid`
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'client_assertion alg is not allowed'
  if (error instanceof errors.JOSENotSupported) {
    return 'client_assertion uses a JWS feature this server does not support'
  }
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid) {
    return 'client_assertion is not a well-formed signed JWT'
  }
  // jose refuses RSA keys under 2048 bits with a TypeError naming modulusLength (RFC 7518 §3.3).
  if (error instanceof TypeError && error.message.includes('modulusLength')) {
    return "the client's RSA key is under 2048 bits, which RFC 7518 §3.3 forbids"
  }
  return "client_assertion cannot be verified: the client's keys could not be obtained"
}
