import { parseArgs } from 'node:util'
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
  const store = await openStore(values.database, config)
  try {
    if (sub === 'list') {
      const clients = await store.listClients({
        ...(origin === undefined ? {} : { origin }),
        ...(limit === undefined ? {} : { limit }),
      })
      if (values.json === true) {
        process.stdout.write(`${JSON.stringify(clients.map(describeClient), null, 2)}\n`)
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
      process.stdout.write(`${JSON.stringify(describeClient(record), null, 2)}\n`)
      return 0
    }
    await store.deleteClient(record.clientId)
    process.stdout.write(`deleted ${record.clientId}\n`)
    return 0
  } finally {
    await store.close()
  }
}

/** What an operator needs to see: the registration, where it came from, never the secret hash. */
function describeClient(record: ClientRecord): Record<string, unknown> {
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
    metadata: record.metadata,
  }
}

function iso(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString()
}
