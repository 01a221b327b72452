import type { ClientRecord } from '../store/store.js'
import type { TrustTier } from './trust-tier.js'
import { trustTierOf } from './trust-tier.js'

/**
 * Whether anyone but the client itself stands behind a client of this tier (docs/decisions.md
 * A40, B7): every tier but `anonymous`, whose redirect URIs are whatever the registering party
 * wrote (RFC 7591 §5), and `metadata_document`, whose document is the client's own word too
 * (reserved: nothing produces it yet). RFC 9700 §4.11.2 asks the server to redirect automatically
 * only to URIs it trusts, so until the user signs in, errors for such a client are shown on a
 * page instead of redirected; and the consent page warns that its name is only as claimed (A41).
 */
export function isTierVouchedFor(tier: TrustTier): boolean {
  return tier !== 'anonymous' && tier !== 'metadata_document'
}

/** {@link isTierVouchedFor} of the client's tier ({@link trustTierOf}): one rule, not two. */
export function isVouchedFor(client: ClientRecord): boolean {
  return isTierVouchedFor(trustTierOf(client))
}
