/**
 * The JWK Set served at jwks_uri (RFC 8414 §2, RFC 7517 §5): the public half of the signing key,
 * so resource servers can verify JWT access tokens (RFC 9068 §4). Built from an allow-list of
 * public members per key type (RFC 7518 §6.2.1, §6.3.1; RFC 8037 §2) rather than by deleting
 * private ones, so a private member this code does not know of can never leak.
 */
const PUBLIC_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ['n', 'e'],
  EC: ['crv', 'x', 'y'],
  OKP: ['crv', 'x'],
}

export interface PublicJwks {
  readonly keys: readonly Readonly<Record<string, unknown>>[]
}

export function publicJwks(signingKey: Readonly<Record<string, unknown>>): PublicJwks {
  const kty = signingKey.kty
  const members = typeof kty === 'string' ? PUBLIC_MEMBERS[kty] : undefined
  if (members === undefined) {
    throw new TypeError(`tokens.signingKey.kty must be RSA, EC or OKP, got ${String(kty)}`)
  }
  const key: Record<string, unknown> = { kty }
  for (const member of members) {
    if (signingKey[member] !== undefined) key[member] = signingKey[member]
  }
  key.kid = signingKey.kid
  key.alg = signingKey.alg
  // RFC 7517 §4.2: the key is for signatures only.
  key.use = 'sig'
  return { keys: [key] }
}
