import { isDeepStrictEqual } from 'node:util'
import type { ClientMetadata } from './client-metadata.js'

/**
 * docs/decisions.md A41: the metadata that says who a client is, to the user (name, logo,
 * homepage on the consent page) and to the server (where its codes go, how it proves itself at
 * the token endpoint). Administrator trust and users' remembered consents were given to the
 * client as these described it; an RFC 7592 update that changes any of them takes both away.
 */
const IDENTITY_MEMBERS = [
  'redirect_uris',
  'token_endpoint_auth_method',
  'jwks',
  'jwks_uri',
  'client_name',
  'logo_uri',
  'client_uri',
] as const

/**
 * RFC 7591 §2.2: the shown fields may also come as `field#language-tag`; a consent page in
 * another language shows those, so each variant counts as the field itself.
 */
const LOCALIZED_IDENTITY_PREFIXES = ['client_name#', 'logo_uri#', 'client_uri#'] as const

/**
 * The identity members whose value differs between `before` and `after`, in a stable order
 * (empty: the update leaves who the client is alone). A member added or removed is a change; the
 * order of redirect_uris is not, since the set of places codes may go is the same.
 */
export function identityChanges(before: ClientMetadata, after: ClientMetadata): readonly string[] {
  const old = membersOf(before)
  const now = membersOf(after)
  const localized = [...old.keys(), ...now.keys()].filter((member) =>
    LOCALIZED_IDENTITY_PREFIXES.some((prefix) => member.startsWith(prefix)),
  )
  return [...IDENTITY_MEMBERS, ...[...new Set(localized)].sort()].filter(
    (member) => !isDeepStrictEqual(old.get(member), now.get(member)),
  )
}

/** The metadata's members, redirect_uris sorted: its order says nothing about where codes go. */
function membersOf(metadata: ClientMetadata): ReadonlyMap<string, unknown> {
  const members = new Map<string, unknown>(Object.entries(metadata))
  members.set('redirect_uris', [...metadata.redirect_uris].sort())
  return members
}
