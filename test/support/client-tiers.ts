import type { ClientMetadata } from '../../src/core/registration/client-metadata.js'
import type { TrustTier } from '../../src/core/registration/trust-tier.js'
import type { ClientProvenance, ClientRecord } from '../../src/core/store/store.js'
import { adminClientRecord } from './client-records.js'

/** Provenance as anonymous open registration leaves it: nobody but the client stands behind it. */
export const OPEN_PROVENANCE: ClientProvenance = {
  origin: 'dynamic',
  authorizedBy: 'open',
  ip: '192.0.2.1',
  userAgent: null,
  initialAccessTokenId: null,
  softwareStatementIssuer: null,
  verifiedBySoftwareStatement: false,
}

export const STATEMENT_ISSUER = 'https://vendor.example'

/** One way a client comes in, and the tier it must get (docs/decisions.md B7). */
export interface TierCase {
  /** Also the client_id the case's client is stored under. */
  readonly name: string
  readonly provenance: Partial<ClientProvenance>
  readonly trusted: boolean
  readonly tier: TrustTier
}

/** Every tier something produces today, plus the statement that does not verify (A41). */
export const TIER_CASES: readonly TierCase[] = [
  {
    name: 'made-by-admin',
    provenance: { origin: 'admin', authorizedBy: 'admin', ip: null },
    trusted: false,
    tier: 'admin',
  },
  { name: 'open-then-trusted', provenance: {}, trusted: true, tier: 'admin' },
  {
    name: 'vendor-verified',
    provenance: { softwareStatementIssuer: STATEMENT_ISSUER, verifiedBySoftwareStatement: true },
    trusted: false,
    tier: 'software_statement',
  },
  {
    name: 'token-admitted',
    provenance: { authorizedBy: 'initial_access_token', initialAccessTokenId: 'iat-1' },
    trusted: false,
    tier: 'initial_access_token',
  },
  { name: 'hook-admitted', provenance: { authorizedBy: 'hook' }, trusted: false, tier: 'hook' },
  {
    name: 'copied-statement',
    provenance: { softwareStatementIssuer: STATEMENT_ISSUER },
    trusted: false,
    tier: 'anonymous',
  },
  { name: 'anonymous', provenance: {}, trusted: false, tier: 'anonymous' },
]

/** A record of an administrator's shape with the provenance and trust of the case. */
export function clientOfCase(
  tierCase: Pick<TierCase, 'provenance' | 'trusted'> & { readonly name?: string },
  metadata: Partial<ClientMetadata> = {},
): ClientRecord {
  return {
    ...adminClientRecord({
      clientId: tierCase.name ?? 'c1',
      metadata: {
        redirect_uris: ['https://client.example/callback'],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        application_type: 'web',
        scope: 'read',
        ...metadata,
      },
      trusted: tierCase.trusted,
    }),
    provenance: { ...OPEN_PROVENANCE, ...tierCase.provenance },
  }
}
