import { z } from 'zod'
import type { OAuthError } from '../../errors.js'
import { invalidClientMetadata, invalidRedirectUri } from '../../errors.js'

/**
 * JSON types of the client metadata registrar understands (RFC 7591 §2: "All data member types
 * … are defined in terms of their JSON representations"). Only types and sizes live here; what
 * the values mean is checked by the rule modules beside this file. Unknown members are stripped
 * (§2: MUST ignore; docs/decisions.md A14: not stored, not echoed).
 *
 * Size limits keep one registration from storing megabytes: 32 redirect URIs covers clients
 * that register one loopback port per tool, 2,048 characters is the longest URL that common
 * browsers and proxies handle safely.
 */
const uri = z.string().min(1).max(2048)
const shortText = z.string().min(1).max(256)

export const metadataSchema = z.object({
  redirect_uris: z.array(uri).max(32).optional(),
  token_endpoint_auth_method: z.string().max(64).optional(),
  grant_types: z.array(z.string().max(256)).max(16).optional(),
  response_types: z.array(z.string().max(64)).max(8).optional(),
  application_type: z.enum(['web', 'native']).optional(),
  client_name: shortText.optional(),
  client_uri: uri.optional(),
  logo_uri: uri.optional(),
  tos_uri: uri.optional(),
  policy_uri: uri.optional(),
  scope: z.string().max(4096).optional(),
  contacts: z.array(z.string().min(1).max(320)).max(16).optional(),
  jwks_uri: uri.optional(),
  // RFC 7517 §4: JWK members are strings (n, x, kid…) or arrays of strings (key_ops, x5c).
  // Nothing nested deeper is accepted, so a hostile set cannot make the row unserialisable.
  jwks: z
    .object({
      keys: z
        .array(
          z.record(
            z.string(),
            z.union([z.string().max(8192), z.array(z.string().max(8192)).max(16)]),
          ),
        )
        .min(1)
        .max(16),
    })
    .optional(),
  software_id: shortText.optional(),
  software_version: shortText.optional(),
})

export type ParsedMetadata = z.infer<typeof metadataSchema>

/** Turns the first schema issue into an RFC 7591 §3.2.2 error naming the field and the fix. */
export function schemaIssueToError(issue: z.core.$ZodIssue): OAuthError {
  const field = formatPath(issue.path)
  const fail = issue.path[0] === 'redirect_uris' ? invalidRedirectUri : invalidClientMetadata
  switch (issue.code) {
    case 'invalid_type':
      return fail(`${field} must be ${article(issue.expected)}`)
    case 'invalid_union':
      return fail(`${field} must be a string or an array of strings`)
    case 'invalid_value':
      return fail(`${field} must be one of ${issue.values.map((v) => `'${String(v)}'`).join(', ')}`)
    case 'too_big':
      return fail(
        issue.origin === 'string'
          ? `${field} must be at most ${issue.maximum} characters`
          : `${field} must have at most ${issue.maximum} entries`,
      )
    case 'too_small':
      return fail(`${field} must not be empty`)
    default:
      return fail(`${field} is not valid`)
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const part of path) {
    out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`
  }
  return out === '' ? 'request body' : out
}

function article(expected: string): string {
  switch (expected) {
    case 'array':
      return 'an array'
    case 'object':
    case 'record':
      return 'a JSON object'
    default:
      return `a ${expected}`
  }
}
