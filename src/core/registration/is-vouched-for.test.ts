import { describe, expect, it } from 'vitest'
import { isTierVouchedFor } from './is-vouched-for.js'
import type { TrustTier } from './trust-tier.js'

/**
 * docs/decisions.md A40 and B7: whether someone but the client stands behind it is a function of
 * its trust tier alone (one rule for error redirects, RFC 9700 §4.11.2, and the consent warning).
 * Which client has which tier is trust-tier.test.ts's table.
 */
describe('A40: which trust tiers count as vouched for (RFC 9700 §4.11.2)', () => {
  it.each<readonly [TrustTier, boolean]>([
    ['admin', true],
    ['software_statement', true],
    ['initial_access_token', true],
    ['hook', true],
    // The client's own document on its own host: its own word, like open registration.
    ['metadata_document', false],
    ['anonymous', false],
  ])('%s → %s', (tier, expected) => {
    expect(isTierVouchedFor(tier)).toBe(expected)
  })
})
