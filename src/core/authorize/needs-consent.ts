import type { ClientRecord, ConsentRecord } from '../store/store.js'
import type { Prompt } from './parse-prompt.js'

export interface ConsentQuestion {
  readonly client: ClientRecord
  readonly redirectUri: string
  readonly scopes: readonly string[]
  readonly resources: readonly string[]
  readonly prompt: Prompt
  /** What this user already granted this client, if anything. */
  readonly remembered: ConsentRecord | null
}

/**
 * Whether the user must be asked before the client gets what it requested.
 *
 * - prompt=consent always asks (OpenID Connect Core §3.1.2.1), even for a trusted client.
 * - A client an administrator marked trusted never asks (`registrar client trust`).
 * - Otherwise a remembered consent covering every requested scope and resource answers for the
 *   user, but only when the client's identity can be assured (RFC 8252 §8.6, R8252-10/11: "the
 *   authorization server SHOULD NOT process authorization requests automatically without user
 *   consent or interaction, except when the identity of the client can be assured … even when
 *   the user has previously approved an authorization request for a given client id").
 */
export function needsConsent(question: ConsentQuestion): boolean {
  if (question.prompt.consent) return true
  if (question.client.trusted) return false
  const { remembered } = question
  if (remembered === null || !identityAssured(question.client, question.redirectUri)) return true
  return (
    !isSubset(question.scopes, remembered.scopes) ||
    !isSubset(question.resources, remembered.resources)
  )
}

/**
 * A confidential client proves itself at the token endpoint, so a code sent to an impostor is
 * useless to it. A public client is assured only by a redirect to an https host it controls:
 * any app on the device can listen on a loopback port (RFC 8252 §8.3) or claim a private-use
 * scheme (§8.4), and would get its codes approved silently otherwise.
 */
export function identityAssured(client: ClientRecord, redirectUri: string): boolean {
  if (client.metadata.token_endpoint_auth_method !== 'none') return true
  const url = URL.parse(redirectUri)
  if (url === null || url.protocol !== 'https:') return false
  return !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)
}

/** The consent to store after the user allowed: what was granted before, plus this request. */
export function mergeConsent(
  previous: ConsentRecord | null,
  grant: Omit<ConsentRecord, 'scopes' | 'resources'> & {
    readonly scopes: readonly string[]
    readonly resources: readonly string[]
  },
): ConsentRecord {
  const union = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])].sort()
  return {
    userId: grant.userId,
    clientId: grant.clientId,
    scopes: union(previous?.scopes ?? [], grant.scopes),
    resources: union(previous?.resources ?? [], grant.resources),
    grantedAt: grant.grantedAt,
  }
}

function isSubset(wanted: readonly string[], granted: readonly string[]): boolean {
  return wanted.every((value) => granted.includes(value))
}
