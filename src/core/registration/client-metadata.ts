/**
 * Client metadata as data (RFC 7591 §2), in the wire form that is stored and echoed.
 * Keeping one shape for the request, the database and the response means nothing is translated
 * twice and the 201 body is, by construction, "all registered metadata" (§3.2.1).
 */

/** Grant types registrar knows by name. saml2-bearer is known only so it can be refused clearly. */
export const GRANT_TYPES = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'password',
  'implicit',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
] as const
export type GrantType = (typeof GRANT_TYPES)[number]
export const SAML2_BEARER = 'urn:ietf:params:oauth:grant-type:saml2-bearer'

/** The seed package's safe default: redirect-based grants only (RFC 9700 §2.4 bans password). */
export const DEFAULT_ALLOWED_GRANT_TYPES: readonly GrantType[] = [
  'authorization_code',
  'refresh_token',
]

export const RESPONSE_TYPES = ['code', 'token'] as const
export type ResponseType = (typeof RESPONSE_TYPES)[number]

export const TOKEN_ENDPOINT_AUTH_METHODS = [
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
  'none',
] as const
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number]

/**
 * Signature algorithms accepted for JWTs that clients and statement issuers sign (private_key_jwt
 * assertions, RFC 7523 §3; software statements, RFC 7591 §2.3): asymmetric only, never `none`
 * and never an HMAC, since an HMAC checked against a public key is the classic key-confusion
 * attack (RFC 8725 §2.1). Ed25519 is RFC 9864's fully-specified name for EdDSA over Ed25519.
 */
export const ASSERTION_SIGNING_ALGS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const

/** Methods for which registrar issues a client_secret (RFC 7591 §3.2.1). */
export const SECRET_AUTH_METHODS: ReadonlySet<TokenEndpointAuthMethod> = new Set([
  'client_secret_basic',
  'client_secret_post',
])

export const APPLICATION_TYPES = ['web', 'native'] as const
export type ApplicationType = (typeof APPLICATION_TYPES)[number]

/** RFC 7591 §2.2: the human-readable fields that may carry a `#language-tag` suffix. */
export const LOCALIZABLE_FIELDS = [
  'client_name',
  'client_uri',
  'logo_uri',
  'tos_uri',
  'policy_uri',
] as const
export type LocalizableField = (typeof LOCALIZABLE_FIELDS)[number]
export type LocalizedKey = `${LocalizableField}#${string}`

export interface JsonWebKeySet {
  readonly keys: readonly Readonly<Record<string, unknown>>[]
}

/** Registered metadata, with every default already applied. */
export interface ClientMetadata {
  readonly redirect_uris: readonly string[]
  readonly token_endpoint_auth_method: TokenEndpointAuthMethod
  readonly grant_types: readonly GrantType[]
  readonly response_types: readonly ResponseType[]
  /** OpenID Connect Registration §2; defaults to `web`. */
  readonly application_type: ApplicationType
  readonly scope: string
  readonly client_name?: string
  readonly client_uri?: string
  readonly logo_uri?: string
  readonly tos_uri?: string
  readonly policy_uri?: string
  readonly contacts?: readonly string[]
  readonly jwks_uri?: string
  readonly jwks?: JsonWebKeySet
  readonly software_id?: string
  readonly software_version?: string
  /** RFC 7591 §3.2.1: echoed byte for byte when the client sent one. */
  readonly software_statement?: string
  readonly [localized: LocalizedKey]: string
}
