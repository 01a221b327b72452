import { z } from 'zod'
import { isLoopbackHost } from './core/redirect-uri/is-loopback-redirect.js'
import type { GrantType } from './core/registration/client-metadata.js'
import {
  DEFAULT_ALLOWED_GRANT_TYPES,
  GRANT_TYPES,
  SAML2_BEARER,
} from './core/registration/client-metadata.js'
import type { TrustedSoftwareStatementIssuer } from './core/software-statement/verify-software-statement.js'
import type { ManagementSettings, RegistrationSettings } from './core/registration/registration-settings.js'
import type { AuthenticatedUser } from './core/users/authenticated-user.js'
import type { ConsentPageContext, LoginPageContext } from './http/pages/page-contexts.js'
import type { Logger } from './logger.js'
import { silentLogger } from './logger.js'
import type { Store } from './core/store/store.js'

/**
 * The one configuration object. Every optional member has a documented default, resolved once
 * by resolveOptions(), which validates, fills DEFAULTS and freezes the result; the caller's
 * object is never mutated. The JSON-serialisable part is also what `--config file.json` holds.
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
  /** @default a logger that drops everything */
  readonly logger?: Logger
  readonly tokens?: TokenOptions
  readonly authorization?: AuthorizationOptions
}

export interface TokenOptions {
  /** @default 3600 (MCP asks for short-lived access tokens) */
  readonly accessTokenTtlSeconds?: number
  /** Lifetime of each refresh token (every refresh issues a new one). @default 2592000 (30 days) */
  readonly refreshTokenTtlSeconds?: number
  /** RFC 6749 §4.1.2 recommends at most 10 minutes. @default 60 */
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
   * revoking its family, to absorb a response lost on the network (decision A22). @default 0
   */
  readonly refreshTokenReuseGraceSeconds?: number
}

export interface AuthorizationOptions {
  /** Offer `response_type=token` to clients registered for it (RFC 9700 §2.1.2 says no). @default false */
  readonly implicit?: boolean
  /** Offer the password grant to clients registered for it (RFC 9700 §2.4 says no). @default false */
  readonly password?: boolean
  /** Failed logins allowed per username and per IP in the window. @default { max: 10, windowSeconds: 900 } */
  readonly loginThrottle?: false | RateLimitOptions
  /** @default 43200 (12 hours) */
  readonly sessionTtlSeconds?: number
  /** Words shown on the consent page for each scope; others are shown as they are. */
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
  /** Refuse registrations without a software statement. @default false */
  readonly required?: boolean
  /** Issuers whose statements are trusted, with their keys (inline jwks or jwksUri). @default [] */
  readonly trustedIssuers?: readonly TrustedSoftwareStatementIssuer[]
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
  /** Grant types a dynamic client may register. @default ['authorization_code', 'refresh_token'] */
  readonly allowedGrantTypes?: readonly GrantType[]
  /** Refuse http redirect URIs other than loopback. @default true */
  readonly requireHttpsRedirectUris?: boolean
  /** Allow-list of redirect URI hosts (`app.example.com`, `*.example.com`); null: any. @default null */
  readonly redirectUriHosts?: readonly string[] | null
  /** Require reverse-domain private-use schemes (RFC 8252 §7.1). @default false */
  readonly requireReverseDomainSchemes?: boolean
  /** Scopes a dynamic client may register; null: all of `scopes`. @default null */
  readonly allowedScopes?: readonly string[] | null
  /** Scopes registered when the client sends none; null: all allowed scopes. @default null */
  readonly defaultScopes?: readonly string[] | null
  /** Per client IP; false turns limiting off. @default { max: 1000, windowSeconds: 3600 } */
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

export const DEFAULTS = {
  scopes: ['read', 'write'],
  trustProxyHops: 0,
  registration: {
    mode: 'open',
    allowedGrantTypes: DEFAULT_ALLOWED_GRANT_TYPES,
    requireHttpsRedirectUris: true,
    redirectUriHosts: null,
    requireReverseDomainSchemes: false,
    allowedScopes: null,
    defaultScopes: null,
    // Hosted clients (one egress address, one registration per user) need room: 1,000 an hour
    // is one every 3.6 s sustained, while a flood from one address stops after 1,000 rows.
    rateLimit: { max: 1000, windowSeconds: 3600 },
    softwareStatement: { required: false, trustedIssuers: [] },
    clientSecretExpiresInSeconds: 0,
    // A registration with a JWK Set and a software statement is a few KiB; 64 KiB is ample.
    maxBodyBytes: 65536,
    management: true,
    registrationAccessToken: { expiresInSeconds: null, rotateOnUpdate: true },
    manageAdminClients: false,
  },
  tokens: {
    accessTokenTtlSeconds: 3600,
    refreshTokenTtlSeconds: 2_592_000,
    authorizationCodeTtlSeconds: 60,
    format: 'opaque',
    refreshTokenReuseGraceSeconds: 0,
  },
  authorization: {
    implicit: false,
    password: false,
    // 10 failures per 15 minutes per username and per address: a person mistyping is never
    // stopped, a guesser gets 960 tries a day instead of millions.
    loginThrottle: { max: 10, windowSeconds: 900 },
    sessionTtlSeconds: 43_200,
  },
} as const

const scopeToken = z
  .string()
  .regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'must be an RFC 6749 scope token')
const grantType = z.string().superRefine((value, ctx) => {
  if (value === SAML2_BEARER) {
    ctx.addIssue({ code: 'custom', message: `'${value}' is not supported by registrar` })
  } else if (!(GRANT_TYPES as readonly string[]).includes(value)) {
    ctx.addIssue({ code: 'custom', message: `must be one of ${GRANT_TYPES.join(', ')}` })
  }
})
const positiveInt = z.number().int().positive()
const jwkSet = z.strictObject({ keys: z.array(z.record(z.string(), z.unknown())) })

const trustedIssuerSchema = z
  .strictObject({
    issuer: z.string().min(1),
    jwks: jwkSet.optional(),
    jwksUri: z.url({ protocol: /^https?$/ }).optional(),
  })
  .refine((value) => (value.jwks === undefined) !== (value.jwksUri === undefined), {
    message: 'needs exactly one of jwks or jwksUri',
  })

/** The JSON-serialisable options, shared with the `--config` file schema. */
export const registrationSchema = z.strictObject({
  mode: z.enum(['open', 'initial_access_token', 'disabled']).optional(),
  allowedGrantTypes: z.array(grantType).optional(),
  requireHttpsRedirectUris: z.boolean().optional(),
  redirectUriHosts: z.array(z.string().min(1)).nullable().optional(),
  requireReverseDomainSchemes: z.boolean().optional(),
  allowedScopes: z.array(scopeToken).nullable().optional(),
  defaultScopes: z.array(scopeToken).nullable().optional(),
  rateLimit: z
    .union([z.literal(false), z.strictObject({ max: positiveInt, windowSeconds: positiveInt })])
    .optional(),
  softwareStatement: z
    .strictObject({
      required: z.boolean().optional(),
      trustedIssuers: z.array(trustedIssuerSchema).optional(),
    })
    .optional(),
  clientSecretExpiresInSeconds: z.number().int().min(0).optional(),
  maxBodyBytes: positiveInt.optional(),
  management: z.boolean().optional(),
  registrationAccessToken: z
    .strictObject({
      expiresInSeconds: positiveInt.nullable().optional(),
      rotateOnUpdate: z.boolean().optional(),
    })
    .optional(),
  manageAdminClients: z.boolean().optional(),
})

export const tokensSchema = z.strictObject({
  accessTokenTtlSeconds: positiveInt.optional(),
  refreshTokenTtlSeconds: positiveInt.optional(),
  authorizationCodeTtlSeconds: positiveInt.max(600).optional(),
  format: z.enum(['opaque', 'jwt']).optional(),
  signingKey: z.record(z.string(), z.unknown()).optional(),
  refreshTokenReuseGraceSeconds: z.number().int().min(0).max(300).optional(),
})

export const authorizationSchema = z.strictObject({
  implicit: z.boolean().optional(),
  password: z.boolean().optional(),
  loginThrottle: z
    .union([z.literal(false), z.strictObject({ max: positiveInt, windowSeconds: positiveInt })])
    .optional(),
  sessionTtlSeconds: positiveInt.optional(),
  scopeDescriptions: z.record(z.string(), z.string()).optional(),
})

export const optionsSchema = z.strictObject({
  issuer: z.string(),
  scopes: z.array(scopeToken).min(1).optional(),
  registration: registrationSchema.optional(),
  trustProxyHops: z.number().int().min(0).optional(),
  tokens: tokensSchema.optional(),
  authorization: authorizationSchema.optional(),
})

export interface ResolvedRegistration extends RegistrationSettings {
  readonly mode: 'open' | 'initial_access_token' | 'disabled'
  readonly rateLimit: false | RateLimitOptions
  readonly softwareStatement: {
    readonly required: boolean
    readonly trustedIssuers: readonly TrustedSoftwareStatementIssuer[]
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
    readonly sessionTtlSeconds: number
    readonly scopeDescriptions: Readonly<Record<string, string>>
    readonly authenticateUser: AuthorizationOptions['authenticateUser'] | null
    readonly renderLogin: AuthorizationOptions['renderLogin'] | null
    readonly renderConsent: AuthorizationOptions['renderConsent'] | null
  }
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
  const authorize = registration?.authorizeRegistration
  if (authorize !== undefined && typeof authorize !== 'function') {
    throw new TypeError('registration.authorizeRegistration must be a function')
  }
  const { authorizeRegistration: _hook, ...registrationData } = registration ?? {}
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
  const input = parsed.data
  const issuerUrl = checkIssuer(input.issuer)
  const scopes: readonly string[] = input.scopes ?? DEFAULTS.scopes
  const r = input.registration ?? {}
  const allowedScopes: readonly string[] = r.allowedScopes ?? scopes
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

  const t = input.tokens ?? {}
  const format = t.format ?? DEFAULTS.tokens.format
  const signingKey = t.signingKey ?? null
  if (format === 'jwt') checkSigningKey(signingKey)
  const a = input.authorization ?? {}

  const resolved: ResolvedOptions = {
    issuer: input.issuer,
    tokens: Object.freeze({
      accessTokenTtlSeconds: t.accessTokenTtlSeconds ?? DEFAULTS.tokens.accessTokenTtlSeconds,
      refreshTokenTtlSeconds: t.refreshTokenTtlSeconds ?? DEFAULTS.tokens.refreshTokenTtlSeconds,
      authorizationCodeTtlSeconds:
        t.authorizationCodeTtlSeconds ?? DEFAULTS.tokens.authorizationCodeTtlSeconds,
      format,
      signingKey: format === 'jwt' ? signingKey : null,
      refreshTokenReuseGraceSeconds:
        t.refreshTokenReuseGraceSeconds ?? DEFAULTS.tokens.refreshTokenReuseGraceSeconds,
    }),
    authorization: Object.freeze({
      implicit: a.implicit ?? DEFAULTS.authorization.implicit,
      password: a.password ?? DEFAULTS.authorization.password,
      loginThrottle: a.loginThrottle ?? DEFAULTS.authorization.loginThrottle,
      sessionTtlSeconds: a.sessionTtlSeconds ?? DEFAULTS.authorization.sessionTtlSeconds,
      scopeDescriptions: Object.freeze({ ...(a.scopeDescriptions ?? {}) }),
      authenticateUser: authenticateUser ?? null,
      renderLogin: renderLogin ?? null,
      renderConsent: renderConsent ?? null,
    }),
    basePath: issuerUrl.pathname.replace(/\/+$/, ''),
    scopes: Object.freeze([...scopes]),
    trustProxyHops: input.trustProxyHops ?? DEFAULTS.trustProxyHops,
    logger: logger ?? silentLogger,
    registration: Object.freeze({
      mode: r.mode ?? DEFAULTS.registration.mode,
      policy: Object.freeze({
        allowedGrantTypes: new Set(
          (r.allowedGrantTypes ?? DEFAULTS.registration.allowedGrantTypes) as GrantType[],
        ),
        requireHttpsRedirectUris:
          r.requireHttpsRedirectUris ?? DEFAULTS.registration.requireHttpsRedirectUris,
        redirectUriHosts: r.redirectUriHosts ?? DEFAULTS.registration.redirectUriHosts,
        requireReverseDomainSchemes:
          r.requireReverseDomainSchemes ?? DEFAULTS.registration.requireReverseDomainSchemes,
        allowedScopes: new Set(allowedScopes),
        defaultScopes: Object.freeze([...defaultScopes]),
      }),
      rateLimit: r.rateLimit ?? DEFAULTS.registration.rateLimit,
      softwareStatement: Object.freeze({
        required: r.softwareStatement?.required ?? false,
        trustedIssuers: Object.freeze(
          (r.softwareStatement?.trustedIssuers ?? []).map((t) => ({
            issuer: t.issuer,
            ...(t.jwks === undefined ? {} : { jwks: t.jwks }),
            ...(t.jwksUri === undefined ? {} : { jwksUri: t.jwksUri }),
          })),
        ),
      }),
      clientSecretExpiresInSeconds:
        r.clientSecretExpiresInSeconds ?? DEFAULTS.registration.clientSecretExpiresInSeconds,
      maxBodyBytes: r.maxBodyBytes ?? DEFAULTS.registration.maxBodyBytes,
      authorizeRegistration: authorize ?? null,
      management: Object.freeze({
        enabled: r.management ?? DEFAULTS.registration.management,
        tokenExpiresInSeconds:
          r.registrationAccessToken?.expiresInSeconds ??
          DEFAULTS.registration.registrationAccessToken.expiresInSeconds,
        rotateOnUpdate:
          r.registrationAccessToken?.rotateOnUpdate ??
          DEFAULTS.registration.registrationAccessToken.rotateOnUpdate,
        allowAdminClients: r.manageAdminClients ?? DEFAULTS.registration.manageAdminClients,
      }),
    }),
  }
  if (
    resolved.registration.softwareStatement.required &&
    resolved.registration.softwareStatement.trustedIssuers.length === 0
  ) {
    throw new TypeError(
      'registration.softwareStatement.required is true but trustedIssuers is empty: no registration could succeed',
    )
  }
  return Object.freeze(resolved)
}

const SIGNING_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA']

/** RFC 9068 §2.1: JWT access tokens are signed with an asymmetric key the server holds. */
function checkSigningKey(key: Readonly<Record<string, unknown>> | null): void {
  if (key === null) throw new TypeError("tokens.signingKey is required when tokens.format is 'jwt'")
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
