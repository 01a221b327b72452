import type { Insertable, Selectable } from 'kysely'
import type { ClientMetadata } from '../../core/registration/client-metadata.js'
import type {
  AuthorizationCodeRecord,
  ClientRecord,
  ConsentRecord,
  InitialAccessTokenRecord,
  SessionRecord,
  TokenRecord,
  UserRecord,
} from '../../core/store/store.js'
import {
  flag,
  integer,
  nullableInteger,
  readFlag,
  readInteger,
  readNullableInteger,
  readStringArray,
} from './column-values.js'
import type {
  AuthorizationCodesTable,
  ClientsTable,
  ConsentsTable,
  InitialAccessTokensTable,
  SessionsTable,
  TokensTable,
  UsersTable,
} from './schema.js'

/**
 * Records (store.ts, camelCase, as core sees them) to rows (schema.ts, as the tables hold them)
 * and back. Each xToRow checks on the way in what the dialects would otherwise treat apart
 * (column-values.ts); each rowToX reads what either driver returns.
 */

export type ClientRow = Insertable<ClientsTable>
export type TokenRow = Insertable<TokensTable>
export type AuthorizationCodeRow = Insertable<AuthorizationCodesTable>

export function clientToRow(client: ClientRecord): Insertable<ClientsTable> {
  const { provenance, metadata } = client
  return {
    client_id: client.clientId,
    client_secret_hash: client.clientSecretHash,
    client_secret_expires_at: integer(client.clientSecretExpiresAt, 'clientSecretExpiresAt'),
    client_id_issued_at: integer(client.clientIdIssuedAt, 'clientIdIssuedAt'),
    updated_at: integer(client.updatedAt, 'updatedAt'),
    metadata: JSON.stringify(metadata),
    origin: provenance.origin,
    authorized_by: provenance.authorizedBy,
    created_ip: provenance.ip,
    created_user_agent: provenance.userAgent,
    initial_access_token_id: provenance.initialAccessTokenId,
    software_statement_issuer: provenance.softwareStatementIssuer,
    verified_by_software_statement: flag(provenance.verifiedBySoftwareStatement),
    software_id: metadata.software_id ?? null,
    software_version: metadata.software_version ?? null,
    registration_access_token_hash: client.registrationAccessTokenHash,
    registration_access_token_expires_at:
      client.registrationAccessTokenExpiresAt === null
        ? null
        : integer(client.registrationAccessTokenExpiresAt, 'registrationAccessTokenExpiresAt'),
    version: integer(client.version, 'version'),
    trusted: flag(client.trusted),
    resource_server: client.resourceServer,
  }
}

export function rowToClient(row: Selectable<ClientsTable>): ClientRecord {
  // Written only by clientToRow, from a ClientMetadata, so the JSON has that shape.
  const metadata: ClientMetadata = JSON.parse(row.metadata)
  return {
    clientId: row.client_id,
    clientSecretHash: row.client_secret_hash,
    clientSecretExpiresAt: readInteger(row.client_secret_expires_at, 'client_secret_expires_at'),
    clientIdIssuedAt: readInteger(row.client_id_issued_at, 'client_id_issued_at'),
    updatedAt: readInteger(row.updated_at, 'updated_at'),
    metadata,
    provenance: {
      origin: row.origin,
      authorizedBy: row.authorized_by,
      ip: row.created_ip,
      userAgent: row.created_user_agent,
      initialAccessTokenId: row.initial_access_token_id,
      softwareStatementIssuer: row.software_statement_issuer,
      verifiedBySoftwareStatement: readFlag(
        row.verified_by_software_statement,
        'verified_by_software_statement',
      ),
    },
    registrationAccessTokenHash: row.registration_access_token_hash,
    registrationAccessTokenExpiresAt:
      row.registration_access_token_expires_at === null
        ? null
        : readInteger(
            row.registration_access_token_expires_at,
            'registration_access_token_expires_at',
          ),
    version: readInteger(row.version, 'version'),
    trusted: readFlag(row.trusted, 'trusted'),
    resourceServer: row.resource_server,
  }
}

export function initialAccessTokenToRow(
  token: InitialAccessTokenRecord,
): Insertable<InitialAccessTokensTable> {
  return {
    id: token.id,
    token_hash: token.tokenHash,
    created_at: integer(token.createdAt, 'createdAt'),
    expires_at: token.expiresAt === null ? null : integer(token.expiresAt, 'expiresAt'),
    max_uses: token.maxUses === null ? null : integer(token.maxUses, 'maxUses'),
    uses: integer(token.uses, 'uses'),
    revoked_at: token.revokedAt === null ? null : integer(token.revokedAt, 'revokedAt'),
    description: token.description,
  }
}

export function rowToInitialAccessToken(
  row: Selectable<InitialAccessTokensTable>,
): InitialAccessTokenRecord {
  return {
    id: row.id,
    tokenHash: row.token_hash,
    createdAt: readInteger(row.created_at, 'created_at'),
    expiresAt: row.expires_at === null ? null : readInteger(row.expires_at, 'expires_at'),
    maxUses: row.max_uses === null ? null : readInteger(row.max_uses, 'max_uses'),
    uses: readInteger(row.uses, 'uses'),
    revokedAt: row.revoked_at === null ? null : readInteger(row.revoked_at, 'revoked_at'),
    description: row.description,
  }
}

export function userToRow(user: UserRecord): Insertable<UsersTable> {
  return {
    id: user.id,
    username: user.username,
    password_hash: user.passwordHash,
    created_at: integer(user.createdAt, 'createdAt'),
  }
}

export function rowToUser(row: Selectable<UsersTable>): UserRecord {
  return {
    id: row.id,
    username: row.username,
    passwordHash: row.password_hash,
    createdAt: readInteger(row.created_at, 'created_at'),
  }
}

export function sessionToRow(session: SessionRecord): Insertable<SessionsTable> {
  return {
    id_hash: session.idHash,
    user_id: session.userId,
    auth_time: integer(session.authTime, 'authTime'),
    created_at: integer(session.createdAt, 'createdAt'),
    expires_at: integer(session.expiresAt, 'expiresAt'),
  }
}

export function rowToSession(row: Selectable<SessionsTable>): SessionRecord {
  return {
    idHash: row.id_hash,
    userId: row.user_id,
    authTime: readInteger(row.auth_time, 'auth_time'),
    createdAt: readInteger(row.created_at, 'created_at'),
    expiresAt: readInteger(row.expires_at, 'expires_at'),
  }
}

export function consentToRow(consent: ConsentRecord): Insertable<ConsentsTable> {
  return {
    user_id: consent.userId,
    client_id: consent.clientId,
    scopes: JSON.stringify(consent.scopes),
    resources: JSON.stringify(consent.resources),
    granted_at: integer(consent.grantedAt, 'grantedAt'),
  }
}

export function rowToConsent(row: Selectable<ConsentsTable>): ConsentRecord {
  return {
    userId: row.user_id,
    clientId: row.client_id,
    scopes: readStringArray(row.scopes, 'scopes'),
    resources: readStringArray(row.resources, 'resources'),
    grantedAt: readInteger(row.granted_at, 'granted_at'),
  }
}

export function codeToRow(code: AuthorizationCodeRecord): Insertable<AuthorizationCodesTable> {
  return {
    code_hash: code.codeHash,
    client_id: code.clientId,
    user_id: code.userId,
    redirect_uri: code.redirectUri,
    redirect_uri_in_request: flag(code.redirectUriInRequest),
    scope: code.scope,
    resources: JSON.stringify(code.resources),
    code_challenge: code.codeChallenge,
    auth_time: integer(code.authTime, 'authTime'),
    grant_id: code.grantId,
    issued_at: integer(code.issuedAt, 'issuedAt'),
    expires_at: integer(code.expiresAt, 'expiresAt'),
    consumed_at: nullableInteger(code.consumedAt, 'consumedAt'),
  }
}

export function rowToCode(row: Selectable<AuthorizationCodesTable>): AuthorizationCodeRecord {
  return {
    codeHash: row.code_hash,
    clientId: row.client_id,
    userId: row.user_id,
    redirectUri: row.redirect_uri,
    redirectUriInRequest: readFlag(row.redirect_uri_in_request, 'redirect_uri_in_request'),
    scope: row.scope,
    resources: readStringArray(row.resources, 'resources'),
    codeChallenge: row.code_challenge,
    authTime: readInteger(row.auth_time, 'auth_time'),
    grantId: row.grant_id,
    issuedAt: readInteger(row.issued_at, 'issued_at'),
    expiresAt: readInteger(row.expires_at, 'expires_at'),
    consumedAt: readNullableInteger(row.consumed_at, 'consumed_at'),
  }
}

export function tokenToRow(token: TokenRecord): Insertable<TokensTable> {
  return {
    token_hash: token.tokenHash,
    kind: token.kind,
    client_id: token.clientId,
    user_id: token.userId,
    scope: token.scope,
    resources: JSON.stringify(token.resources),
    grant_id: token.grantId,
    issued_at: integer(token.issuedAt, 'issuedAt'),
    expires_at: nullableInteger(token.expiresAt, 'expiresAt'),
    revoked_at: nullableInteger(token.revokedAt, 'revokedAt'),
    rotated_at: nullableInteger(token.rotatedAt, 'rotatedAt'),
  }
}

export function rowToToken(row: Selectable<TokensTable>): TokenRecord {
  return {
    tokenHash: row.token_hash,
    kind: row.kind,
    clientId: row.client_id,
    userId: row.user_id,
    scope: row.scope,
    resources: readStringArray(row.resources, 'resources'),
    grantId: row.grant_id,
    issuedAt: readInteger(row.issued_at, 'issued_at'),
    expiresAt: readNullableInteger(row.expires_at, 'expires_at'),
    revokedAt: readNullableInteger(row.revoked_at, 'revoked_at'),
    rotatedAt: readNullableInteger(row.rotated_at, 'rotated_at'),
  }
}
