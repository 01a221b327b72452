import { parseArgs } from 'node:util'
import { DEFAULTS } from '../../options.js'
import type { ClientRecord } from '../../store/store.js'
import { COMMON_FLAGS, openStore, parseIntegerFlag, readConfig } from '../settings.js'
import { UsageError } from '../usage-error.js'

export const CLIENT_HELP = `registrar client list [--origin dynamic|admin] [--limit <n>] [--json]
registrar client show <client_id>
registrar client delete <client_id>

  --database <url>, --config <file>`

export async function client(args: string[]): Promise<number> {
  const [sub, ...rest] = args
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      ...COMMON_FLAGS,
      origin: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: true,
  })
  if (sub !== 'list' && sub !== 'show' && sub !== 'delete') {
    throw new UsageError(`unknown subcommand '${sub ?? ''}'\n\n${CLIENT_HELP}`)
  }
  const origin = values.origin
  if (origin !== undefined && origin !== 'dynamic' && origin !== 'admin') {
    throw new UsageError(`--origin must be dynamic or admin, got '${origin}'`)
  }
  const limit = parseIntegerFlag('limit', values.limit, 1)
  const id = positionals[0]
  if (sub !== 'list' && id === undefined)
    throw new UsageError(`usage: registrar client ${sub} <client_id>`)
  const config = await readConfig(values.config)
  const management: ManagementSettings = {
    enabled: config.registration?.management ?? DEFAULTS.registration.management,
    allowAdminClients:
      config.registration?.manageAdminClients ?? DEFAULTS.registration.manageAdminClients,
  }
  const store = await openStore(values.database, config)
  try {
    if (sub === 'list') {
      const clients = await store.listClients({
        ...(origin === undefined ? {} : { origin }),
        ...(limit === undefined ? {} : { limit }),
      })
      if (values.json === true) {
        const described = clients.map((c) => describeClient(c, management))
        process.stdout.write(`${JSON.stringify(described, null, 2)}\n`)
      } else {
        for (const c of clients) {
          process.stdout.write(
            `${c.clientId}\t${c.provenance.origin}\t${iso(c.clientIdIssuedAt)}\t${c.metadata.client_name ?? ''}\n`,
          )
        }
      }
      return 0
    }
    const record = await store.getClient(id as string)
    if (record === null) {
      process.stderr.write(`no client with id ${id}\n`)
      return 1
    }
    if (sub === 'show') {
      process.stdout.write(`${JSON.stringify(describeClient(record, management), null, 2)}\n`)
      return 0
    }
    await store.deleteClient(record.clientId)
    process.stdout.write(`deleted ${record.clientId}\n`)
    return 0
  } finally {
    await store.close()
  }
}

interface ManagementSettings {
  readonly enabled: boolean
  readonly allowAdminClients: boolean
}

/**
 * Whether this client can manage its registration over RFC 7592 under the configuration given
 * (the same --config the server runs with), and until when its token works.
 */
function describeManagement(
  record: ClientRecord,
  settings: ManagementSettings,
): Record<string, unknown> {
  const reason = !settings.enabled
    ? 'management is switched off (registration.management: false)'
    : record.registrationAccessTokenHash === null
      ? 'the client holds no registration access token'
      : record.provenance.origin === 'admin' && !settings.allowAdminClients
        ? 'created by an administrator (registration.manageAdminClients: false)'
        : null
  const expiresAt = record.registrationAccessTokenExpiresAt
  return {
    enabled: reason === null,
    ...(reason === null ? {} : { reason }),
    registration_access_token_expires:
      record.registrationAccessTokenHash === null
        ? null
        : expiresAt === null
          ? 'never'
          : iso(expiresAt),
  }
}

/** What an operator needs to see: the registration, where it came from, never the secret hash. */
function describeClient(
  record: ClientRecord,
  settings: ManagementSettings,
): Record<string, unknown> {
  return {
    client_id: record.clientId,
    client_id_issued_at: record.clientIdIssuedAt,
    issued_at: iso(record.clientIdIssuedAt),
    updated_at: iso(record.updatedAt),
    has_client_secret: record.clientSecretHash !== null,
    client_secret_expires_at: record.clientSecretExpiresAt,
    provenance: {
      origin: record.provenance.origin,
      authorized_by: record.provenance.authorizedBy,
      ip: record.provenance.ip,
      user_agent: record.provenance.userAgent,
      initial_access_token_id: record.provenance.initialAccessTokenId,
      software_statement_issuer: record.provenance.softwareStatementIssuer,
    },
    management: describeManagement(record, settings),
    version: record.version,
    metadata: record.metadata,
  }
}

function iso(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString()
}
