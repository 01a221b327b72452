import { createHash, randomBytes } from 'node:crypto'
import { hashSecret } from '../../src/core/crypto/hash-secret.js'
import { timeKeyedDigest } from '../../src/core/crypto/time-keyed-token.js'
import type {
  GrantType,
  TokenEndpointAuthMethod,
} from '../../src/core/registration/client-metadata.js'
import { SECRET_AUTH_METHODS } from '../../src/core/registration/client-metadata.js'
import type { ClientRecord, Store, TokenRecord } from '../../src/core/store/store.js'
import { hashPassword } from '../../src/core/users/password-hash.js'
import { adminClientRecord } from './client-records.js'
import type { HttpResult } from './http-helpers.js'
import { nowSeconds, REDIRECT_URI, send } from './http-helpers.js'

/** A random value of 256 bits, base64url: ids, secrets, codes. */
export function random(): string {
  return randomBytes(32).toString('base64url')
}

export type FormValues = Readonly<Record<string, string | readonly string[]>>

/** POSTs `values` form-encoded (repeated names for arrays) to `url`. */
export function postForm(
  url: string,
  values: FormValues,
  headers: Readonly<Record<string, string>> = {},
): Promise<HttpResult> {
  const form = new URLSearchParams()
  for (const [name, value] of Object.entries(values)) {
    for (const one of typeof value === 'string' ? [value] : value) form.append(name, one)
  }
  return send(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: form.toString(),
  })
}

/** RFC 6749 §2.3.1: each part form-urlencoded, then `id:secret` in base64. */
export function basic(clientId: string, secret: string): Record<string, string> {
  const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2)
  return {
    Authorization: `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`,
  }
}

export interface TestClient {
  readonly clientId: string
  /** null for none and private_key_jwt clients. */
  readonly secret: string | null
  readonly record: ClientRecord
  /** The form values and headers that authenticate this client by its own method. */
  readonly auth: { readonly form: Record<string, string>; readonly headers: Record<string, string> }
}

export interface ClientOptions {
  readonly method?: TokenEndpointAuthMethod
  readonly grantTypes?: readonly GrantType[]
  readonly scope?: string
  readonly redirectUris?: readonly string[]
  readonly jwks?: { readonly keys: readonly Readonly<Record<string, unknown>>[] }
  readonly jwksUri?: string
  readonly resourceServer?: string | null
  readonly clientSecretExpiresAt?: number
  readonly clientId?: string
  readonly secret?: string
}

/** Writes a client to the store directly: any method, any grant, no registration policy. */
export async function createTestClient(
  store: Store,
  options: ClientOptions = {},
): Promise<TestClient> {
  const method = options.method ?? 'client_secret_basic'
  const secret = SECRET_AUTH_METHODS.has(method) ? (options.secret ?? random()) : null
  const clientId = options.clientId ?? random()
  const grantTypes = options.grantTypes ?? ['authorization_code', 'refresh_token']
  const record = adminClientRecord({
    clientId,
    clientSecretHash: secret === null ? null : hashSecret(secret),
    clientSecretExpiresAt: options.clientSecretExpiresAt ?? 0,
    metadata: {
      redirect_uris: options.redirectUris ?? [REDIRECT_URI],
      token_endpoint_auth_method: method,
      grant_types: [...grantTypes],
      response_types: grantTypes.includes('authorization_code') ? ['code'] : [],
      application_type: 'web',
      scope: options.scope ?? 'read write',
      ...(options.jwks === undefined ? {} : { jwks: options.jwks }),
      ...(options.jwksUri === undefined ? {} : { jwks_uri: options.jwksUri }),
    },
    resourceServer: options.resourceServer ?? null,
  })
  const created = await store.createClient(record)
  if (!created.created) throw new Error('the test client was not created')
  const auth =
    method === 'client_secret_basic'
      ? { form: {}, headers: basic(clientId, secret ?? '') }
      : method === 'client_secret_post'
        ? { form: { client_id: clientId, client_secret: secret ?? '' }, headers: {} }
        : { form: { client_id: clientId }, headers: {} }
  return { clientId, secret, record, auth }
}

export interface TestUser {
  readonly id: string
  readonly username: string
  readonly password: string
}

export async function createTestUser(
  store: Store,
  username = `user-${random()}`,
): Promise<TestUser> {
  const password = `pw-${random()}`
  const id = random()
  await store.createUser({
    id,
    username,
    passwordHash: await hashPassword(password),
    createdAt: nowSeconds(),
  })
  return { id, username, password }
}

/** RFC 7636 §4.1-4.2: a fresh verifier and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

export interface TestCode {
  readonly code: string
  readonly verifier: string
  readonly grantId: string
  readonly redirectUri: string
}

export interface CodeOptions {
  readonly redirectUri?: string
  readonly redirectUriInRequest?: boolean
  readonly scope?: string
  readonly resources?: readonly string[]
  readonly expiresAt?: number
}

/** Writes an authorization code to the store as the authorization endpoint would. */
export async function createTestCode(
  store: Store,
  client: TestClient,
  user: TestUser,
  options: CodeOptions = {},
): Promise<TestCode> {
  const code = random()
  const { verifier, challenge } = pkcePair()
  const grantId = random()
  const now = nowSeconds()
  const redirectUri = options.redirectUri ?? client.record.metadata.redirect_uris[0] ?? REDIRECT_URI
  await store.createAuthorizationCode({
    codeHash: hashSecret(code),
    clientId: client.clientId,
    userId: user.id,
    redirectUri,
    redirectUriInRequest: options.redirectUriInRequest ?? true,
    scope: options.scope ?? client.record.metadata.scope,
    resources: [...(options.resources ?? [])],
    codeChallenge: challenge,
    authTime: now,
    grantId,
    issuedAt: now,
    expiresAt: options.expiresAt ?? now + 60,
    consumedAt: null,
  })
  return { code, verifier, grantId, redirectUri }
}

/** The form of a correct authorization_code token request for `code`. */
export function codeRequest(client: TestClient, code: TestCode): Record<string, string> {
  return {
    grant_type: 'authorization_code',
    code: code.code,
    code_verifier: code.verifier,
    redirect_uri: code.redirectUri,
    ...client.auth.form,
  }
}

/** The stored record of a token, by the token itself. */
export async function storedToken(store: Store, token: unknown): Promise<TokenRecord | null> {
  if (typeof token !== 'string') throw new Error(`not a token: ${String(token)}`)
  return store.findToken(timeKeyedDigest(token))
}

/** A string member of a JSON answer, failing the test when it is missing. */
export function stringMember(result: HttpResult, name: string): string {
  const value = result.json?.[name]
  if (typeof value !== 'string') throw new Error(`no ${name} in ${result.status} ${result.text}`)
  return value
}
