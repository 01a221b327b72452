import type { JsonWebKey, KeyObject } from 'node:crypto'
import { createPublicKey } from 'node:crypto'
import { invalidClientMetadata, quote } from '../../errors.js'
import type { AddressAllowList } from '../fetch/address-allow-list.js'
import { NO_PRIVATE_ADDRESSES, refusedSpecialUseHost } from '../fetch/address-allow-list.js'
import { parseAbsoluteUri } from '../redirect-uri/parse-absolute-uri.js'
import type { JsonWebKeySet } from './client-metadata.js'

// RFC 7517 §6.2.2, §6.3.2, §6.4: members that only a private or symmetric key carries.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const

/**
 * RFC 7591 §2: jwks must hold a valid JWK Set of the client's public keys, and jwks and
 * jwks_uri "MUST NOT both be present". OpenID Connect Registration §2 forbids private and
 * symmetric keys here: the set is published to the server, a private key in it is a leak.
 */
export function checkJwks(
  jwks: JsonWebKeySet | undefined,
  jwksUri: string | undefined,
  allowPrivateAddresses: AddressAllowList = NO_PRIVATE_ADDRESSES,
): void {
  if (jwks !== undefined && jwksUri !== undefined) {
    throw invalidClientMetadata('jwks and jwks_uri must not both be present (RFC 7591 §2)')
  }
  if (jwksUri !== undefined) {
    const url = parseAbsoluteUri(jwksUri, 'jwks_uri', invalidClientMetadata)
    if (url.protocol !== 'https:') {
      throw invalidClientMetadata(`jwks_uri must be an https URL: ${quote(jwksUri)}`)
    }
    // The server fetches jwks_uri itself, so it must not point into the server's own network
    // (SSRF). A literal address is refused now, where the client can see why; a host name is
    // checked when fetched (src/net/safe-fetch.ts), since it can resolve anywhere. The
    // operator's outboundFetch.allowPrivateAddresses admits here what the fetch will admit.
    const range = refusedSpecialUseHost(url, allowPrivateAddresses)
    if (range !== null) {
      throw invalidClientMetadata(
        `jwks_uri host ${url.hostname} is a special-use address (${range.name}, ${range.reference}); keys are fetched from public addresses only`,
      )
    }
  }
  if (jwks === undefined) return
  jwks.keys.forEach((key, index) => {
    const field = `jwks.keys[${index}]`
    if (typeof key.kty !== 'string') throw invalidClientMetadata(`${field}.kty must be a string`)
    if (key.kty === 'oct') {
      throw invalidClientMetadata(`${field} is a symmetric key; jwks must hold public keys only`)
    }
    for (const member of PRIVATE_MEMBERS) {
      if (member in key) {
        throw invalidClientMetadata(
          `${field} contains the private member '${member}'; jwks must hold public keys only`,
        )
      }
    }
    // Node's JWK import checks the members each kty needs (n and e for RSA, crv, x and y for EC…),
    // so a key that cannot be used for verification is refused now, not at the token endpoint.
    let publicKey: KeyObject
    try {
      publicKey = createPublicKey({ key: key as JsonWebKey, format: 'jwk' })
    } catch {
      throw invalidClientMetadata(`${field} is not a valid public JWK (RFC 7517)`)
    }
    checkRsaKeySize(publicKey, field)
  })
}

/**
 * RFC 7518 §3.3 (RS*) and §3.5 (PS*): "A key of size 2048 bits or larger MUST be used with these
 * algorithms", and §4.2-4.3 say the same of RSA encryption. jose refuses a shorter key when it
 * verifies, so a client registering one could never authenticate: refused now, with the reason,
 * instead of an opaque invalid_client at the token endpoint (docs/decisions.md A42).
 */
const MIN_RSA_BITS = 2048

function checkRsaKeySize(key: KeyObject, field: string): void {
  if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'rsa-pss') return
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0
  if (bits < MIN_RSA_BITS) {
    throw invalidClientMetadata(
      `${field} is a ${bits}-bit RSA key; RSA keys must be at least ${MIN_RSA_BITS} bits (RFC 7518 §3.3)`,
    )
  }
}
