import type {
  JWK,
  JWSAlgorithm,
  JWTPayload,
  JWTVerifyGetKey,
  ProtectedHeaderParameters,
} from 'jose'
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors } from 'jose'
import { OAuthError, quote } from '../../errors.js'
import { verifyAgainstKeySet } from '../crypto/verify-against-key-set.js'
import type { Fetcher } from '../fetch/fetcher.js'
import { createRemoteKeySet } from '../fetch/remote-key-set.js'
import { ASSERTION_SIGNING_ALGS } from '../registration/client-metadata.js'

/**
 * Software statements (RFC 7591 §2.3): a JWT, signed by a party the authorization server trusts,
 * that vouches for a piece of client software. This module answers one question: is this value a
 * statement this server accepts, and if so, who issued it and what does it assert? Merging its
 * claims over the registration body (docs/decisions.md A31) is the registration endpoint's job.
 */

export interface TrustedSoftwareStatementIssuer {
  readonly issuer: string
  /** Exactly one of jwks / jwksUri (config validation elsewhere guarantees it). */
  readonly jwks?: { readonly keys: readonly Readonly<Record<string, unknown>>[] }
  readonly jwksUri?: string
}

export interface VerifiedSoftwareStatement {
  readonly issuer: string
  /** The statement's claims other than the JWT registered claims (iss, sub, aud, exp, nbf, iat, jti). */
  readonly claims: Readonly<Record<string, unknown>>
}

export type SoftwareStatementVerifier = (statement: unknown) => Promise<VerifiedSoftwareStatement>

const ALLOWED_ALGORITHMS: readonly JWSAlgorithm[] = ASSERTION_SIGNING_ALGS
const ALLOWED_ALGORITHM_SET: ReadonlySet<string> = new Set(ALLOWED_ALGORITHMS)

/** RFC 7519 §4.1: the registered claims; they describe the statement, not the client. */
const REGISTERED_CLAIMS: ReadonlySet<string> = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
])

const DEFAULT_CLOCK_TOLERANCE_SECONDS = 60

function invalid(description: string, cause?: unknown): OAuthError {
  return new OAuthError(
    'invalid_software_statement',
    description,
    cause === undefined ? {} : { cause },
  )
}

/**
 * Wraps a jose key set so that key lookup failures become client-facing OAuthErrors that say
 * which issuer's keys were involved, and never carry key material or a raw network error.
 * JWKSMultipleMatchingKeys passes through: verifyAgainstKeySet tries each candidate.
 */
function issuerKeys(
  issuer: TrustedSoftwareStatementIssuer,
  fetcher: Fetcher | undefined,
): JWTVerifyGetKey {
  const name = quote(issuer.issuer)
  const hasJwks = issuer.jwks !== undefined
  const hasJwksUri = issuer.jwksUri !== undefined
  if (hasJwks === hasJwksUri) {
    throw new TypeError(
      `trusted software statement issuer ${name} must have exactly one of jwks and jwksUri`,
    )
  }

  let keySet: JWTVerifyGetKey
  if (issuer.jwks !== undefined) {
    try {
      // Built once here: jose imports each key lazily and caches it per algorithm.
      keySet = createLocalJWKSet({ keys: [...issuer.jwks.keys] as JWK[] })
    } catch (cause) {
      throw new TypeError(`trusted software statement issuer ${name} has a malformed jwks`, {
        cause,
      })
    }
  } else {
    let url: URL
    try {
      url = new URL(issuer.jwksUri ?? '')
    } catch (cause) {
      throw new TypeError(`trusted software statement issuer ${name} has an invalid jwksUri`, {
        cause,
      })
    }
    // The issuer's keys are fetched like a client's: through the one safe fetcher, never
    // straight from here (src/net/safe-fetch.ts; an issuer URL can point anywhere too).
    if (fetcher === undefined) {
      throw new TypeError(
        `trusted software statement issuer ${name} has a jwksUri but no fetcher was given`,
      )
    }
    // Built once here so jose's cache (cacheMaxAge) and refetch cooldown apply across requests.
    keySet = createRemoteKeySet(url, fetcher)
  }
  const remote = hasJwksUri

  const getKey: JWTVerifyGetKey = async (header, token) => {
    try {
      return await keySet(header, token)
    } catch (error) {
      if (error instanceof errors.JWKSMultipleMatchingKeys) throw error
      if (error instanceof errors.JWKSNoMatchingKey) {
        // RFC 7515 §4.1.4: the kid names the issuer's key; one the issuer does not publish is unknown.
        throw invalid(
          header.kid === undefined
            ? `software_statement matches no key of issuer ${name} for alg ${quote(header.alg)}`
            : `software_statement kid ${quote(header.kid)} matches no key of issuer ${name}`,
          error,
        )
      }
      // RFC 7591 §3.2.2: a statement that cannot be checked is not a valid one; the failure is
      // reported as the client's error (never a 500), and the cause is kept for the server log.
      throw invalid(
        remote
          ? `software_statement cannot be verified: the keys of issuer ${name} could not be fetched`
          : `software_statement cannot be verified: the key of issuer ${name} that matches it is not usable`,
        error,
      )
    }
  }
  return getKey
}

/** Turns what jose reports while verifying into the RFC 7591 §3.2.2 error a client can act on. */
function toOAuthError(error: unknown, issuer: string): OAuthError {
  if (error instanceof OAuthError) return error
  const name = quote(issuer)
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return invalid(`software_statement signature does not verify with the keys of issuer ${name}`)
  }
  if (error instanceof errors.JWTExpired) {
    return invalid('software_statement is expired', error)
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf' && error.reason === 'check_failed') {
      return invalid('software_statement is not yet valid (nbf is in the future)', error)
    }
    // RFC 7519 §2: exp, nbf and iat are NumericDates, JSON numbers of seconds.
    if (error.reason === 'invalid') {
      return invalid(`software_statement claim ${quote(error.claim)} must be a number`, error)
    }
    return invalid(`software_statement claim ${quote(error.claim)} is invalid`, error)
  }
  if (error instanceof errors.JOSENotSupported) {
    return invalid(
      'software_statement uses a JWS header extension (crit) this server does not support',
      error,
    )
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return invalid(
      `software_statement alg is not allowed; allowed: ${ALLOWED_ALGORITHMS.join(', ')}`,
      error,
    )
  }
  return invalid('software_statement is not a well-formed signed JWT', error)
}

export function createSoftwareStatementVerifier(options: {
  readonly trustedIssuers: readonly TrustedSoftwareStatementIssuer[]
  /** seconds of clock skew tolerated for exp/nbf/iat; default 60 */
  readonly clockToleranceSeconds?: number
  /** injectable clock, epoch seconds, for tests */
  readonly now?: () => number
  /** How issuers' jwksUri keys are fetched; required when any issuer has a jwksUri. */
  readonly fetcher?: Fetcher
}): SoftwareStatementVerifier {
  const tolerance = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS
  if (!Number.isFinite(tolerance) || tolerance < 0) {
    throw new TypeError('clockToleranceSeconds must be a non-negative number')
  }
  const now = options.now ?? (() => Math.floor(Date.now() / 1000))

  const keysByIssuer = new Map<string, JWTVerifyGetKey>()
  for (const trusted of options.trustedIssuers) {
    if (keysByIssuer.has(trusted.issuer)) {
      throw new TypeError(
        `trusted software statement issuer ${quote(trusted.issuer)} is configured twice`,
      )
    }
    keysByIssuer.set(trusted.issuer, issuerKeys(trusted, options.fetcher))
  }

  return async (statement) => {
    // RFC 7591 §2.3: software_statement is a JWT, carried as a string.
    if (typeof statement !== 'string') {
      throw invalid('software_statement must be a string holding a JWT')
    }
    // RFC 7515 §7.1, RFC 7519 §7.2: a signed JWT is a compact JWS, three base64url parts.
    if (statement.split('.').length !== 3) {
      throw invalid('software_statement is not a compact JWS (header.payload.signature)')
    }

    let header: ProtectedHeaderParameters
    try {
      header = decodeProtectedHeader(statement)
    } catch (error) {
      // RFC 7515 §5.2: the header must decode to a JSON object.
      throw invalid('software_statement header is not a base64url-encoded JSON object', error)
    }
    let unverified: JWTPayload
    try {
      unverified = decodeJwt(statement)
    } catch (error) {
      // RFC 7519 §7.2: the payload must decode to a JSON object, the claims set.
      throw invalid('software_statement payload is not a base64url-encoded JSON object', error)
    }

    // RFC 7591 §2.3: the statement MUST be signed; an unsecured JWT (RFC 7519 §6) vouches for nothing.
    if (header.alg === 'none') {
      throw invalid("software_statement must be signed; alg 'none' is not accepted")
    }
    // RFC 7515 §4.1.1: alg is required; without it there is no way to check the signature.
    if (typeof header.alg !== 'string') {
      throw invalid('software_statement header must contain an alg string')
    }
    // RFC 8725 §3.1: only algorithms chosen by the server, never whatever the token names.
    if (!ALLOWED_ALGORITHM_SET.has(header.alg)) {
      throw invalid(
        `software_statement alg ${quote(header.alg)} is not allowed; allowed: ${ALLOWED_ALGORITHMS.join(', ')}`,
      )
    }
    // RFC 7591 §2.3: the statement MUST contain an iss claim; it selects the keys to verify with.
    const issuer = unverified.iss
    if (typeof issuer !== 'string' || issuer === '') {
      throw invalid('software_statement must contain an iss claim holding a non-empty string')
    }
    // RFC 7591 §3.2.2: an issuer the server does not trust is "not approved"; checked before the
    // signature because only a trusted issuer's keys are known to verify it with.
    const keys = keysByIssuer.get(issuer)
    if (keys === undefined) {
      throw new OAuthError(
        'unapproved_software_statement',
        `software_statement issuer ${quote(issuer)} is not trusted by this server`,
      )
    }

    const nowSeconds = now()
    let payload: JWTPayload
    try {
      // RFC 7591 §2.3 (signature), RFC 7519 §4.1.4 (exp) and §4.1.5 (nbf), with clock skew allowed.
      payload = await verifyAgainstKeySet(statement, keys, {
        algorithms: [...ALLOWED_ALGORITHMS],
        issuer,
        clockTolerance: tolerance,
        currentDate: new Date(nowSeconds * 1000),
      })
    } catch (error) {
      throw toOAuthError(error, issuer)
    }

    // RFC 7519 §4.1.6: jose checks iat only against a maximum age; a statement issued in the
    // future (beyond the tolerated skew) comes from a broken or forged issuer clock.
    if (payload.iat !== undefined && payload.iat > nowSeconds + tolerance) {
      throw invalid('software_statement is issued in the future (iat)')
    }

    // RFC 7591 §2.3: the statement's other claims are client metadata values; the registered
    // claims are about the JWT itself and must not leak into the client's metadata.
    // (Object.fromEntries defines own properties, so a '__proto__' claim stays inert data.)
    const claims = Object.fromEntries(
      Object.entries(payload).filter(([claim]) => !REGISTERED_CLAIMS.has(claim)),
    )
    return { issuer, claims: Object.freeze(claims) }
  }
}
