import { z } from 'zod'
import type { AddressAllowList } from './core/fetch/address-allow-list.js'
import {
  addressAllowListEntryProblem,
  parseAddressAllowList,
  refusedSpecialUseHost,
} from './core/fetch/address-allow-list.js'
import { isLoopbackHost } from './core/redirect-uri/is-loopback-redirect.js'
import { servedGrantTypes } from './core/registration/check-grant-types.js'
import type { GrantType } from './core/registration/client-metadata.js'
import {
  DEFAULT_ALLOWED_GRANT_TYPES,
  GRANT_TYPES,
  SAML2_BEARER,
} from './core/registration/client-metadata.js'
import type {
  ManagementSettings,
  RegistrationSettings,
} from './core/registration/registration-settings.js'
import type { RegistrationPolicy } from './core/registration/validate-client-metadata.js'
import type { TrustedSoftwareStatementIssuer } from './core/software-statement/verify-software-statement.js'
import type { Store } from './core/store/store.js'
import type { AuthenticatedUser } from './core/users/authenticated-user.js'
import type { ConsentPageContext, LoginPageContext } from './http/pages/page-contexts.js'
import type { Logger } from './logger.js'
import { silentLogger } from './logger.js'

/**
 * The one configuration object. Every optional member has a documented default, resolved once
 * by resolveOptions(), which validates, fills DEFAULTS and freezes the result; the caller's
 * object is never mutated. The JSON-serialisable part is also what `--config file.json` holds.
 *
 * The values live in `settingsSchema` below (each `.default()`); the `@default` tags here and
 * the README's configuration table are checked against it by test/readme-config.test.ts.
 */
export interface RegistrarOptions {
  /**
   * Issuer identifier (RFC 8414 §2): https, no query or fragment. Plain http is accepted only
   * for a loopback host (development). Endpoints are served under its path.
   */
  readonly issuer: string
  readonly store: Store
  /** Scopes the server knows. @default ['read', 'write'] */
  readonly scopes?: readonly string[]
  readonly registration?: RegistrationOptions
  /**
   * How many reverse proxies in front of registrar append to X-Forwarded-For. 0 trusts none and
   * uses the socket address; N takes the N-th address from the right. @default 0
   */
  readonly trustProxyHops?: number
  /**
   * Per-address limits (registration.rateLimit, authorization.loginThrottle) count an IPv6
   * client by the first this-many bits of its address: one subscriber holds a whole /64 (or
   * more) and can pick a new address in it for every request. IPv4 addresses count one by one.
   * @default 64
   */
  readonly rateLimitIpv6PrefixLength?: number
  /** @default a logger that drops everything */
  readonly logger?: Logger
  readonly tokens?: TokenOptions
  readonly authorization?: AuthorizationOptions
  readonly clientAuthentication?: ClientAuthenticationOptions
  readonly outboundFetch?: OutboundFetchOptions
}

export interface OutboundFetchOptions {
  /**
   * Let the server fetch keys (a client's jwks_uri, a trusted issuer's jwksUri) from special-use
   * addresses: loopback, private, link-local and the like, which are refused so that no client
   * can make the server reach its own network (SSRF). `true` allows all of them; a list allows
   * the host names it names (exactly, any case; no wildcards) and the addresses in its IPv4 or
   * IPv6 CIDR ranges, for example
   * `["jwks.internal.example", "10.0.0.0/8", "fd00::/8", "127.0.0.1/32"]`. For internal
   * deployments and tests; logged as a warning at start-up. An internal CA is trusted through
   * Node's `NODE_EXTRA_CA_CERTS`. @default false
   */
  readonly allowPrivateAddresses?: boolean | readonly string[]
}

export interface ClientAuthenticationOptions {
  /**
   * How far ahead of now a private_key_jwt client assertion's `exp` may be, in seconds (plus the
   * 60 s allowed for clock skew); a later `exp` is refused with `invalid_client` (RFC 7523 §3 lets
   * a server reject an `exp` "unreasonably far in the future"). Its jti is remembered until then,
   * so this also bounds how long each assertion occupies the replay store. @default 3600
   */
  readonly assertionMaxLifetimeSeconds?: number
}

export interface TokenOptions {
  /** Lifetime of access tokens, seconds; MCP asks for short-lived ones. @default 3600 */
  readonly accessTokenTtlSeconds?: number
  /** Lifetime of each refresh token (every refresh issues a new one). @default 2592000 (30 days) */
  readonly refreshTokenTtlSeconds?: number
  /** Lifetime of authorization codes; RFC 6749 §4.1.2 recommends at most 10 minutes. @default 60 */
  readonly authorizationCodeTtlSeconds?: number
  /**
   * `opaque`: random strings, looked up in the store. `jwt`: RFC 9068 JWT access tokens signed
   * with `signingKey`, public keys served at jwks_uri (refresh tokens stay opaque). @default 'opaque'
   */
  readonly format?: 'opaque' | 'jwt'
  /** A private JWK with `alg` (RS256, PS256, ES256 or EdDSA) and `kid`; required for `jwt`. */
  readonly signingKey?: Readonly<Record<string, unknown>>
  /**
   * Seconds during which an already-rotated refresh token may be presented again without
   * revoking its family, to absorb a response lost on the network (docs/decisions.md A22).
   * @default 0
   */
  readonly refreshTokenReuseGraceSeconds?: number
}

export interface AuthorizationOptions {
  /** Offer `response_type=token` to clients registered for it (RFC 9700 §2.1.2 says no). @default false */
  readonly implicit?: boolean
  /** Offer the password grant to clients registered for it (RFC 9700 §2.4 says no). @default false */
  readonly password?: boolean
  /**
   * Failed sign-ins (on the login page and through the password grant, counted together)
   * allowed per username and per address within the window; false turns it off. On PostgreSQL
   * the counts live in the database, so every instance enforces the same limit.
   * @default { max: 10, windowSeconds: 900 }
   */
  readonly loginThrottle?: false | RateLimitOptions
  /**
   * Password checks (scrypt, 32 MiB and about half a second of one core each) running at once
   * in this process; a sign-in beyond them is answered at once with 503 and Retry-After rather
   * than slowing every other one down. @default 2
   */
  readonly maxConcurrentPasswordHashes?: number
  /** How long a sign-in on the built-in login page lasts, in seconds. @default 43200 (12 hours) */
  readonly sessionTtlSeconds?: number
  /**
   * Words shown on the consent page for each scope, for example `{ "read": "Read your data" }`;
   * other scopes are shown as they are. @default {}
   */
  readonly scopeDescriptions?: Readonly<Record<string, string>>
  /**
   * Replaces the built-in users (embedding): return the signed-in user, a Response (a redirect
   * to the host's own login, say), or null for "nobody is signed in" (prompt=none then fails
   * with login_required).
   */
  readonly authenticateUser?: (request: Request) => Promise<AuthenticatedUser | Response | null>
  readonly renderLogin?: (context: LoginPageContext) => Response | Promise<Response>
  readonly renderConsent?: (context: ConsentPageContext) => Response | Promise<Response>
}

export interface RateLimitOptions {
  /** Registrations allowed per client IP within the window (a token bucket of this size). */
  readonly max: number
  readonly windowSeconds: number
}

export interface SoftwareStatementOptions {
  /** Refuse registrations without a software statement (RFC 7591 §2.3). @default false */
  readonly required?: boolean
  /**
   * Issuers whose statements are trusted, each with its keys: exactly one of an inline `jwks`
   * or a `jwksUri` (https, on a public address: fetched like a client's jwks_uri), for example
   * `[{ "issuer": "https://vendor.example", "jwksUri": "https://vendor.example/jwks.json" }]`.
   * @default []
   */
  readonly trustedIssuers?: readonly TrustedSoftwareStatementIssuer[]
  /**
   * Refuse a software statement that does not assert `redirect_uris` itself (400
   * `invalid_software_statement`). Without it such a statement is accepted, but the client stays
   * unverified: a public statement copied next to someone else's redirect URIs would otherwise
   * lend them its name (docs/decisions.md A41). @default false
   */
  readonly requireRedirectUris?: boolean
}

/**
 * The host's own gate for registration (embedding). Return true to let the request in, false
 * to refuse it with 403 access_denied, or a Response to send as is (a 401 with your own
 * challenge, say). Called after the initial access token check when that mode is on.
 */
export type AuthorizeRegistration = (
  request: Request,
) => boolean | Response | Promise<boolean | Response>

export interface RegistrationOptions {
  /**
   * `open`: anyone may register (RFC 7591 §3). `initial_access_token`: a Bearer token made with
   * `registrar initial-access-token create` is required. `disabled`: the endpoint answers 404
   * and discovery does not advertise it. @default 'open'
   */
  readonly mode?: 'open' | 'initial_access_token' | 'disabled'
  /**
   * Grant types a dynamic client may register. `client_credentials`, `password` and `implicit`
   * are off unless listed; listing one is the explicit opt-in, also for anonymous open
   * registration. Only grants the server serves can be registered: `password` and `implicit`
   * also need `authorization.password` / `authorization.implicit`, and
   * `urn:ietf:params:oauth:grant-type:jwt-bearer` and saml2-bearer are not implemented; a
   * listed grant that cannot be served is refused and logged as a warning at start-up.
   * @default ['authorization_code', 'refresh_token']
   */
  readonly allowedGrantTypes?: readonly GrantType[]
  /** Refuse http redirect URIs other than loopback. @default true */
  readonly requireHttpsRedirectUris?: boolean
  /**
   * Allow-list of https redirect URI hosts (`app.example.com`, `*.example.com`); loopback and
   * private-use schemes are not affected. null: any host. @default null
   */
  readonly redirectUriHosts?: readonly string[] | null
  /** Require reverse-domain private-use schemes (RFC 8252 §7.1). @default false */
  readonly requireReverseDomainSchemes?: boolean
  /** Scopes a dynamic client may register; null: all of `scopes`. @default null */
  readonly allowedScopes?: readonly string[] | null
  /** Scopes registered when the client asks for none; null: all allowed scopes. @default null */
  readonly defaultScopes?: readonly string[] | null
  /**
   * Per client IP, a token bucket of `max` refilled over `windowSeconds`; false turns limiting
   * off. Generous, so hosted clients that register one client per user from a few egress
   * addresses keep working. On PostgreSQL the buckets live in the database, so the limit holds
   * across instances; on SQLite each process counts alone.
   * @default { max: 1000, windowSeconds: 3600 }
   */
  readonly rateLimit?: false | RateLimitOptions
  readonly softwareStatement?: SoftwareStatementOptions
  /** Lifetime of issued client secrets in seconds; 0: never expire. @default 0 */
  readonly clientSecretExpiresInSeconds?: number
  /** Largest request body accepted, in bytes; larger gets 413. @default 65536 */
  readonly maxBodyBytes?: number
  readonly authorizeRegistration?: AuthorizeRegistration
  /**
   * RFC 7592 client configuration endpoint: registered clients read, replace and delete their own
   * registration at `registration_client_uri` with their registration access token. false: no
   * token is issued and those URIs answer 404. @default true
   */
  readonly management?: boolean
  readonly registrationAccessToken?: RegistrationAccessTokenOptions
  /**
   * Let clients created by an administrator (not by dynamic registration) manage themselves
   * through RFC 7592 too; otherwise their requests are refused with 403. @default false
   */
  readonly manageAdminClients?: boolean
}

export interface RegistrationAccessTokenOptions {
  /**
   * Lifetime in seconds; null: the token lasts as long as the client (RFC 7592 §5 recommends
   * tokens that do not expire while the client is registered). @default null
   */
  readonly expiresInSeconds?: number | null
  /** Issue a new token on every update (RFC 7592 §2.2); the old one stops working at once. @default true */
  readonly rotateOnUpdate?: boolean
}

const scopeToken = z
  .string()
  .regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'must be an RFC 6749 scope token')
const grantType = z.enum(GRANT_TYPES, {
  error: (issue) =>
    issue.input === SAML2_BEARER
      ? `'${SAML2_BEARER}' is not supported by registrar`
      : `must be one of ${GRANT_TYPES.join(', ')}`,
})
const positiveInt = z.number().int().positive()
const rateLimitSchema = z.strictObject({ max: positiveInt, windowSeconds: positiveInt })
const jwkSet = z.strictObject({ keys: z.array(z.record(z.string(), z.unknown())) })

const trustedIssuerSchema = z
  .strictObject({
    issuer: z.string().min(1),
    jwks: jwkSet.optional(),
    // Fetched like a client's jwks_uri (src/net/safe-fetch.ts): https, and a special-use IP
    // literal only if outboundFetch allows it (checked by resolveSettings, which sees both).
    jwksUri: z.url({ protocol: /^https$/, error: 'must be an https URL' }).optional(),
  })
  .refine((value) => (value.jwks === undefined) !== (value.jwksUri === undefined), {
    message: 'needs exactly one of jwks or jwksUri',
  })

// Every default is written here and nowhere else: DEFAULTS is this schema parsed from {}, the
// resolver reads only parsed values, and the README table is generated from it. A section is
// `.prefault({})` so its members' own defaults fill in when the whole section is left out.
const registrationSchema = z.strictObject({
  mode: z.enum(['open', 'initial_access_token', 'disabled']).default('open'),
  allowedGrantTypes: z.array(grantType).default(() => [...DEFAULT_ALLOWED_GRANT_TYPES]),
  requireHttpsRedirectUris: z.boolean().default(true),
  redirectUriHosts: z.array(z.string().min(1)).nullable().default(null),
  requireReverseDomainSchemes: z.boolean().default(false),
  allowedScopes: z.array(scopeToken).nullable().default(null),
  defaultScopes: z.array(scopeToken).nullable().default(null),
  // Hosted clients (one egress address, one registration per user) need room: 1,000 an hour
  // is one every 3.6 s sustained, while a flood from one address stops after 1,000 rows.
  rateLimit: z
    .union([z.literal(false), rateLimitSchema])
    .default({ max: 1000, windowSeconds: 3600 }),
  softwareStatement: z
    .strictObject({
      required: z.boolean().default(false),
      trustedIssuers: z.array(trustedIssuerSchema).default([]),
      requireRedirectUris: z.boolean().default(false),
    })
    .prefault({}),
  clientSecretExpiresInSeconds: z.number().int().min(0).default(0),
  // A registration with a JWK Set and a software statement is a few KiB; 64 KiB is ample.
  maxBodyBytes: positiveInt.default(65536),
  management: z.boolean().default(true),
  registrationAccessToken: z
    .strictObject({
      // RFC 7592 §5: a token that does not expire while the client is registered.
      expiresInSeconds: positiveInt.nullable().default(null),
      rotateOnUpdate: z.boolean().default(true),
    })
    .prefault({}),
  manageAdminClients: z.boolean().default(false),
})

const tokensSchema = z.strictObject({
  accessTokenTtlSeconds: positiveInt.default(3600),
  refreshTokenTtlSeconds: positiveInt.default(2_592_000),
  // RFC 6749 §4.1.2: a maximum lifetime of 10 minutes is recommended; 600 is the ceiling.
  authorizationCodeTtlSeconds: positiveInt.max(600).default(60),
  format: z.enum(['opaque', 'jwt']).default('opaque'),
  signingKey: z.record(z.string(), z.unknown()).optional(),
  // docs/decisions.md A22: a grace weakens theft detection for its length, so it is off (0)
  // unless an operator turns it on, and never longer than 300 s.
  refreshTokenReuseGraceSeconds: z.number().int().min(0).max(300).default(0),
})

const authorizationSchema = z.strictObject({
  implicit: z.boolean().default(false),
  password: z.boolean().default(false),
  // 10 failures per 15 minutes per username and per address: a person mistyping is never
  // stopped, a guesser gets 960 tries a day instead of millions.
  loginThrottle: z
    .union([z.literal(false), rateLimitSchema])
    .default({ max: 10, windowSeconds: 900 }),
  // A scrypt hash (core/users/password-hash.ts) keeps one core busy for about 0.45 s and holds
  // 32 MiB. On a 2-core machine a third hash at once only makes all of them slower, and each
  // also holds one of libuv's 4 threads (file and DNS work wait behind them): 2 leaves half of
  // those free, bounds the memory at 64 MiB and still checks about 4 passwords a second.
  maxConcurrentPasswordHashes: positiveInt.default(2),
  sessionTtlSeconds: positiveInt.default(43_200),
  scopeDescriptions: z.record(z.string(), z.string()).default({}),
})

// docs/decisions.md B6: off unless the operator opts in; each entry is checked here so that a
// typo is a start-up error naming it, not an allow-list that silently allows something else.
const outboundFetchSchema = z.strictObject({
  allowPrivateAddresses: z
    .union([
      z.boolean(),
      z.array(
        z.string().superRefine((entry, context) => {
          const problem = addressAllowListEntryProblem(entry)
          if (problem !== null) context.addIssue({ code: 'custom', message: problem })
        }),
      ),
    ])
    .default(false),
})

const clientAuthenticationSchema = z.strictObject({
  // An assertion is made for one request (its jti is single use, docs/decisions.md A26): an
  // hour covers any client's clock and caching; a day is the ceiling, as its jti is held that long.
  assertionMaxLifetimeSeconds: positiveInt.max(86_400).default(3600),
})

/**
 * The JSON-serialisable options but the issuer, each with its default: the one source of what
 * is configurable. The `--config` file schema extends it with what only the server reads.
 */
export const settingsSchema = z.strictObject({
  scopes: z.array(scopeToken).min(1).default(['read', 'write']),
  trustProxyHops: z.number().int().min(0).default(0),
  // RFC 6177 §3 and RFC 7421 §1: a /64 is the least an IPv6 subscriber gets.
  rateLimitIpv6PrefixLength: z.number().int().min(1).max(128).default(64),
  registration: registrationSchema.prefault({}),
  tokens: tokensSchema.prefault({}),
  authorization: authorizationSchema.prefault({}),
  clientAuthentication: clientAuthenticationSchema.prefault({}),
  outboundFetch: outboundFetchSchema.prefault({}),
})

const optionsSchema = settingsSchema.extend({ issuer: z.string() })

/** The settings as `settingsSchema` hands them over: validated, every default filled in. */
export type ParsedSettings = z.output<typeof settingsSchema>

type DeepReadonly<T> = T extends readonly (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T

/** Every default, as `settingsSchema` fills it in for an empty configuration; frozen. */
export const DEFAULTS: DeepReadonly<ParsedSettings> = deepFreeze(settingsSchema.parse({}))

function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (typeof value === 'object' && value !== null) {
    for (const member of Object.values(value)) deepFreeze(member)
    Object.freeze(value)
  }
  return value as DeepReadonly<T>
}

export interface ResolvedRegistration extends RegistrationSettings {
  readonly mode: 'open' | 'initial_access_token' | 'disabled'
  readonly rateLimit: false | RateLimitOptions
  readonly softwareStatement: {
    readonly required: boolean
    readonly trustedIssuers: readonly TrustedSoftwareStatementIssuer[]
    readonly requireRedirectUris: boolean
  }
  readonly maxBodyBytes: number
  readonly authorizeRegistration: AuthorizeRegistration | null
  readonly management: ManagementSettings
}

export interface ResolvedOptions {
  readonly issuer: string
  /** The issuer's path without a trailing slash: '' or '/tenant'. Endpoints live under it. */
  readonly basePath: string
  readonly scopes: readonly string[]
  readonly registration: ResolvedRegistration
  readonly trustProxyHops: number
  readonly rateLimitIpv6PrefixLength: number
  readonly logger: Logger
  readonly tokens: {
    readonly accessTokenTtlSeconds: number
    readonly refreshTokenTtlSeconds: number
    readonly authorizationCodeTtlSeconds: number
    readonly format: 'opaque' | 'jwt'
    /** Validated private JWK (with alg and kid) when format is jwt; null otherwise. */
    readonly signingKey: Readonly<Record<string, unknown>> | null
    readonly refreshTokenReuseGraceSeconds: number
  }
  readonly authorization: {
    readonly implicit: boolean
    readonly password: boolean
    readonly loginThrottle: false | RateLimitOptions
    readonly maxConcurrentPasswordHashes: number
    readonly sessionTtlSeconds: number
    readonly scopeDescriptions: Readonly<Record<string, string>>
    readonly authenticateUser: AuthorizationOptions['authenticateUser'] | null
    readonly renderLogin: AuthorizationOptions['renderLogin'] | null
    readonly renderConsent: AuthorizationOptions['renderConsent'] | null
  }
  readonly clientAuthentication: {
    readonly assertionMaxLifetimeSeconds: number
  }
  readonly outboundFetch: {
    /** Special-use addresses a server-side fetch may reach anyway (docs/decisions.md B6). */
    readonly allowPrivateAddresses: AddressAllowList
  }
}

type HostHook = 'authenticateUser' | 'renderLogin' | 'renderConsent'

/**
 * What the JSON settings alone resolve to: ResolvedOptions without the issuer and without what
 * only code can pass (logger, hooks). The CLI's commands that serve nothing read this.
 */
export interface ResolvedSettings
  extends Omit<
    ResolvedOptions,
    'issuer' | 'basePath' | 'logger' | 'registration' | 'authorization'
  > {
  readonly registration: Omit<ResolvedRegistration, 'authorizeRegistration'>
  readonly authorization: Omit<ResolvedOptions['authorization'], HostHook>
}

/** Formats a zod issue as `path: message`, the way a configuration error should read. */
export function formatConfigIssue(issue: z.core.$ZodIssue, prefix = ''): string {
  const path = issue.path
    .map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`))
    .join('')
  const where = `${prefix}${path}`.replace(/^\./, '')
  const message =
    issue.code === 'unrecognized_keys'
      ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`
      : issue.message
  return where === '' ? message : `${where}: ${message}`
}

/** Validates the options, fills the defaults and freezes the result. Throws TypeError. */
export function resolveOptions(options: RegistrarOptions): ResolvedOptions {
  const { store, logger, registration, authorization, ...rest } = options
  if (store === undefined || typeof store.getClient !== 'function') {
    throw new TypeError('store must be a registrar Store (for example from openSqliteStore())')
  }
  const { authorizeRegistration, ...registrationData } = registration ?? {}
  if (authorizeRegistration !== undefined && typeof authorizeRegistration !== 'function') {
    throw new TypeError('registration.authorizeRegistration must be a function')
  }
  const { authenticateUser, renderLogin, renderConsent, ...authorizationData } = authorization ?? {}
  for (const [name, hook] of Object.entries({ authenticateUser, renderLogin, renderConsent })) {
    if (hook !== undefined && typeof hook !== 'function') {
      throw new TypeError(`authorization.${name} must be a function`)
    }
  }
  const parsed = optionsSchema.safeParse({
    ...rest,
    registration: registrationData,
    authorization: authorizationData,
  })
  if (!parsed.success) {
    throw new TypeError(
      `invalid registrar options: ${parsed.error.issues.map((i) => formatConfigIssue(i)).join('; ')}`,
    )
  }
  const issuerUrl = checkIssuer(parsed.data.issuer)
  const settings = resolveSettings(parsed.data)
  return Object.freeze({
    ...settings,
    issuer: parsed.data.issuer,
    basePath: issuerUrl.pathname.replace(/\/+$/, ''),
    logger: logger ?? silentLogger,
    registration: Object.freeze({
      ...settings.registration,
      authorizeRegistration: authorizeRegistration ?? null,
    }),
    authorization: Object.freeze({
      ...settings.authorization,
      authenticateUser: authenticateUser ?? null,
      renderLogin: renderLogin ?? null,
      renderConsent: renderConsent ?? null,
    }),
  })
}

/**
 * Turns parsed settings into the frozen shape the code reads and checks what one key cannot
 * check alone (scopes against scopes, the signing key, a trusted issuer). resolveOptions runs
 * it for the server; the CLI runs it on its `--config` file, so both see the same values.
 * Throws TypeError naming the option.
 */
export function resolveSettings(settings: ParsedSettings): ResolvedSettings {
  const { scopes, registration: r, tokens: t, authorization: a } = settings
  const allowedScopes = r.allowedScopes ?? scopes
  const outside = allowedScopes.filter((scope) => !scopes.includes(scope))
  if (outside.length > 0) {
    throw new TypeError(`registration.allowedScopes: ${outside.join(', ')} not in scopes`)
  }
  const defaultScopes = r.defaultScopes ?? allowedScopes
  const notAllowed = defaultScopes.filter((scope) => !allowedScopes.includes(scope))
  if (notAllowed.length > 0) {
    throw new TypeError(
      `registration.defaultScopes: ${notAllowed.join(', ')} not in registration.allowedScopes`,
    )
  }
  if (t.format === 'jwt') checkSigningKey(t.signingKey)
  const allowPrivateAddresses = parseAddressAllowList(settings.outboundFetch.allowPrivateAddresses)
  const { required, trustedIssuers, requireRedirectUris } = r.softwareStatement
  trustedIssuers.forEach((issuer, index) => {
    const url = issuer.jwksUri === undefined ? null : URL.parse(issuer.jwksUri)
    const range = url === null ? null : refusedSpecialUseHost(url, allowPrivateAddresses)
    if (range === null) return
    throw new TypeError(
      `registration.softwareStatement.trustedIssuers[${index}].jwksUri: must not name a special-use address (${range.name}, ${range.reference}): keys are fetched from public addresses only, unless outboundFetch.allowPrivateAddresses allows it`,
    )
  })
  if (required && trustedIssuers.length === 0) {
    throw new TypeError(
      'registration.softwareStatement.required is true but trustedIssuers is empty: no registration could succeed',
    )
  }

  return Object.freeze({
    scopes: Object.freeze([...scopes]),
    trustProxyHops: settings.trustProxyHops,
    rateLimitIpv6PrefixLength: settings.rateLimitIpv6PrefixLength,
    registration: Object.freeze({
      mode: r.mode,
      policy: Object.freeze({
        allowedGrantTypes: new Set(r.allowedGrantTypes),
        // docs/decisions.md A42: what the switches below leave servable, whatever is allowed.
        servedGrantTypes: servedGrantTypes(a),
        requireHttpsRedirectUris: r.requireHttpsRedirectUris,
        redirectUriHosts:
          r.redirectUriHosts === null ? null : Object.freeze([...r.redirectUriHosts]),
        requireReverseDomainSchemes: r.requireReverseDomainSchemes,
        allowedScopes: new Set(allowedScopes),
        defaultScopes: Object.freeze([...defaultScopes]),
        allowPrivateAddresses,
      }),
      rateLimit: r.rateLimit === false ? false : Object.freeze({ ...r.rateLimit }),
      softwareStatement: Object.freeze({
        required,
        trustedIssuers: Object.freeze(
          trustedIssuers.map((issuer) => ({
            issuer: issuer.issuer,
            ...(issuer.jwks === undefined ? {} : { jwks: issuer.jwks }),
            ...(issuer.jwksUri === undefined ? {} : { jwksUri: issuer.jwksUri }),
          })),
        ),
        requireRedirectUris,
      }),
      clientSecretExpiresInSeconds: r.clientSecretExpiresInSeconds,
      maxBodyBytes: r.maxBodyBytes,
      management: Object.freeze({
        enabled: r.management,
        tokenExpiresInSeconds: r.registrationAccessToken.expiresInSeconds,
        rotateOnUpdate: r.registrationAccessToken.rotateOnUpdate,
        allowAdminClients: r.manageAdminClients,
      }),
    }),
    tokens: Object.freeze({
      accessTokenTtlSeconds: t.accessTokenTtlSeconds,
      refreshTokenTtlSeconds: t.refreshTokenTtlSeconds,
      authorizationCodeTtlSeconds: t.authorizationCodeTtlSeconds,
      format: t.format,
      signingKey: t.format === 'jwt' ? (t.signingKey ?? null) : null,
      refreshTokenReuseGraceSeconds: t.refreshTokenReuseGraceSeconds,
    }),
    authorization: Object.freeze({
      implicit: a.implicit,
      password: a.password,
      loginThrottle: a.loginThrottle === false ? false : Object.freeze({ ...a.loginThrottle }),
      maxConcurrentPasswordHashes: a.maxConcurrentPasswordHashes,
      sessionTtlSeconds: a.sessionTtlSeconds,
      scopeDescriptions: Object.freeze({ ...a.scopeDescriptions }),
    }),
    clientAuthentication: Object.freeze({ ...settings.clientAuthentication }),
    outboundFetch: Object.freeze({ allowPrivateAddresses }),
  })
}

/**
 * The policy an administrator's client (`registrar client create`) is validated under: the
 * dynamic one, except where an administrator decides. Any grant type the server serves (the
 * served set is kept: docs/decisions.md A42), any redirect host and every scope the server
 * knows; https, reverse-domain schemes and default scopes as configured.
 */
export function adminRegistrationPolicy(
  settings: Pick<ResolvedSettings, 'scopes' | 'registration'>,
): RegistrationPolicy {
  return Object.freeze({
    ...settings.registration.policy,
    allowedGrantTypes: new Set(GRANT_TYPES),
    redirectUriHosts: null,
    allowedScopes: new Set(settings.scopes),
  })
}

const SIGNING_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA']

/** RFC 9068 §2.1: JWT access tokens are signed with an asymmetric key the server holds. */
function checkSigningKey(key: Readonly<Record<string, unknown>> | undefined): void {
  if (key === undefined) {
    throw new TypeError("tokens.signingKey is required when tokens.format is 'jwt'")
  }
  if (typeof key.alg !== 'string' || !SIGNING_ALGS.includes(key.alg)) {
    throw new TypeError(`tokens.signingKey.alg must be one of ${SIGNING_ALGS.join(', ')}`)
  }
  if (typeof key.kid !== 'string' || key.kid === '')
    throw new TypeError('tokens.signingKey.kid must be a non-empty string')
  if (typeof key.d !== 'string')
    throw new TypeError('tokens.signingKey must be a private key (it has no d member)')
}

/** RFC 8414 §2: https, no query, no fragment; http only on loopback for development. */
function checkIssuer(issuer: string): URL {
  const url = URL.parse(issuer)
  if (url === null) throw new TypeError(`issuer must be an absolute URL, got '${issuer}'`)
  if (url.search !== '' || issuer.includes('?'))
    throw new TypeError('issuer must not have a query (RFC 8414 §2)')
  if (url.hash !== '' || issuer.includes('#'))
    throw new TypeError('issuer must not have a fragment (RFC 8414 §2)')
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new TypeError(
      `issuer must use https (http is accepted only for 127.0.0.1, [::1] or localhost), got '${issuer}'`,
    )
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`issuer must be an https URL, got '${issuer}'`)
  }
  return url
}
