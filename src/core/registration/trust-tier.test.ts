import { describe, expect, it } from 'vitest'
import type { TierCase } from '../../../test/support/client-tiers.js'
import { clientOfCase, STATEMENT_ISSUER, TIER_CASES } from '../../../test/support/client-tiers.js'
import type { ClientProvenance } from '../store/store.js'
import { isVouchedFor } from './is-vouched-for.js'
import { trustTierOf } from './trust-tier.js'

const IAT: Partial<ClientProvenance> = {
  authorizedBy: 'initial_access_token',
  initialAccessTokenId: 'iat-1',
}
const HOOK: Partial<ClientProvenance> = { authorizedBy: 'hook' }
const VERIFIED: Partial<ClientProvenance> = {
  softwareStatementIssuer: STATEMENT_ISSUER,
  verifiedBySoftwareStatement: true,
}

/**
 * Where more than one tier applies, the first in trustTierOf's order wins: the decision about
 * this very client, then the vendor's binding of the redirect URIs, then who was let in.
 */
const PRECEDENCE: readonly TierCase[] = [
  {
    name: 'trusted beats a verified statement',
    provenance: VERIFIED,
    trusted: true,
    tier: 'admin',
  },
  { name: 'trusted beats an initial access token', provenance: IAT, trusted: true, tier: 'admin' },
  { name: 'trusted beats the hook', provenance: HOOK, trusted: true, tier: 'admin' },
  {
    name: 'a verified statement beats an initial access token',
    provenance: { ...IAT, ...VERIFIED },
    trusted: false,
    tier: 'software_statement',
  },
  {
    name: 'a verified statement beats the hook',
    provenance: { ...HOOK, ...VERIFIED },
    trusted: false,
    tier: 'software_statement',
  },
  {
    name: 'a statement that does not verify leaves an initial access token its tier (A41)',
    provenance: { ...IAT, softwareStatementIssuer: STATEMENT_ISSUER },
    trusted: false,
    tier: 'initial_access_token',
  },
]

/**
 * docs/decisions.md B7: one tier per client, derived from what is stored, and A40's "vouched
 * for" (RFC 9700 §4.11.2) read from that tier: everything but anonymous open registration.
 */
describe('trustTierOf: who stands behind a client, in order of precedence (B7)', () => {
  it.each([...TIER_CASES, ...PRECEDENCE])('$name → $tier', (tierCase) => {
    const record = clientOfCase(tierCase)
    expect(trustTierOf(record)).toBe(tierCase.tier)
    expect(isVouchedFor(record)).toBe(tierCase.tier !== 'anonymous')
  })
})
