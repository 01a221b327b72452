import { parseArgs } from 'node:util'
import { clientInformationResponse } from '../../core/registration/client-information-response.js'
import { createAdminClient } from '../../core/registration/create-admin-client.js'
import type { ManagementSettings } from '../../core/registration/registration-settings.js'
import { trustTierOf } from '../../core/registration/trust-tier.js'
import type { ClientRecord } from '../../core/store/store.js'
import { OAuthError } from '../../errors.js'
import { adminRegistrationPolicy } from '../../options.js'
import {
  COMMON_FLAGS,
  openStore,
  parseIntegerFlag,
  readConfig,
  resolveConfig,
} from '../settings.js'
import { UsageError } from '../usage-error.js'

export const CLIENT_HELP = `registrar client create --name <name> [--redirect-uri <uri>]... [--grant-type <grant>]...
                        [--auth-method <method>] [--scope <scopes>] [--application-type web|native]
                        [--resource-server <resource URI>] [--trusted]
registrar client trust <client_id>
registrar client untrust <client_id>
registrar client list [--origin dynamic|admin] [--limit <n>] [--json]
                     (one line a client: client_id, origin, trust_tier, issued_at, client_name)
registrar client show <client_id>
registrar client delete <client_id>

  --database <url>, --config <file>

create validates like registration (any grant type the server serves: an administrator decides;
password and implicit need authorization.password / .implicit in --config) and prints the
registration as JSON, with the client_secret it is shown in this once. --trusted (or trust)
skips the consent page for the client; --resource-server lets it introspect tokens issued for
that resource. trust_tier (list and show) says who stands behind a client: admin,
software_statement, initial_access_token, hook or anonymous (docs/decisions.md B7).`

export async function client(args: string[]): Promise<number> {
  const [sub, ...rest] = args
  if (sub === 'create') return createClient(rest)
  if (sub === 'trust' || sub === 'untrust') return setTrust(rest, sub === 'trust')
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
  const { management } = resolveConfig(config).registration
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
            `${c.clientId}\t${c.provenance.origin}\t${trustTierOf(c)}\t${iso(c.clientIdIssuedAt)}\t${c.metadata.client_name ?? ''}\n`,
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
    trusted: record.trusted,
    // Derived from trusted and the provenance below, never stored (docs/decisions.md B7).
    trust_tier: trustTierOf(record),
    resource_server: record.resourceServer,
    client_secret_expires_at: record.clientSecretExpiresAt,
    provenance: {
      origin: record.provenance.origin,
      authorized_by: record.provenance.authorizedBy,
      ip: record.provenance.ip,
      user_agent: record.provenance.userAgent,
      initial_access_token_id: record.provenance.initialAccessTokenId,
      software_statement_issuer: record.provenance.softwareStatementIssuer,
      verified_by_software_statement: record.provenance.verifiedBySoftwareStatement,
    },
    management: describeManagement(record, settings),
    version: record.version,
    metadata: record.metadata,
  }
}

function iso(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString()
}

/**
 * `client create`: an administrator's client. The metadata goes through the validator dynamic
 * registration uses (one validator, so the rules cannot drift apart), under the configured
 * policy widened where an administrator decides (adminRegistrationPolicy). Provenance says admin.
 */
async function createClient(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      ...COMMON_FLAGS,
      name: { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      'grant-type': { type: 'string', multiple: true },
      'auth-method': { type: 'string' },
      scope: { type: 'string' },
      'application-type': { type: 'string' },
      'resource-server': { type: 'string' },
      trusted: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  })
  if (positionals.length > 0) throw new UsageError('client create takes no positional arguments')
  if (values.name === undefined) throw new UsageError('client create needs --name <name>')
  const config = await readConfig(values.config)
  const policy = adminRegistrationPolicy(resolveConfig(config))

  const body: Record<string, unknown> = {
    client_name: values.name,
    redirect_uris: values['redirect-uri'] ?? [],
    ...(values['grant-type'] === undefined ? {} : { grant_types: values['grant-type'] }),
    ...(values['auth-method'] === undefined
      ? {}
      : { token_endpoint_auth_method: values['auth-method'] }),
    ...(values.scope === undefined ? {} : { scope: values.scope }),
    ...(values['application-type'] === undefined
      ? {}
      : { application_type: values['application-type'] }),
  }
  const resource = values['resource-server']
  const store = await openStore(values.database, config)
  let created: Awaited<ReturnType<typeof createAdminClient>>
  try {
    created = await asUsageErrorAsync(() =>
      createAdminClient(
        store,
        {
          metadata: body,
          ...(resource === undefined ? {} : { resourceServer: resource }),
          trusted: values.trusted === true,
        },
        policy,
        Math.floor(Date.now() / 1000),
      ),
    )
  } finally {
    await store.close()
  }
  const { record, clientSecret } = created
  const response = clientInformationResponse(record, {
    clientSecret,
    registrationAccessToken: null,
    registrationClientUri: null,
  })
  process.stdout.write(`${JSON.stringify(response, null, 2)}\n`)
  return 0
}

/** Metadata an administrator got wrong is a usage error (exit 2), worded as registration words it. */
async function asUsageErrorAsync<T>(check: () => Promise<T>): Promise<T> {
  try {
    return await check()
  } catch (error) {
    if (error instanceof OAuthError) {
      // invalid_target can only come from the resource-server URI: name the flag.
      const flag = error.code === 'invalid_target' ? '--resource-server: ' : ''
      throw new UsageError(`${flag}${error.code}: ${error.description}`)
    }
    throw error
  }
}

/** `client trust` / `client untrust`: whether the client skips the consent page. */
async function setTrust(args: string[], trusted: boolean): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { ...COMMON_FLAGS },
    strict: true,
    allowPositionals: true,
  })
  const [id] = positionals
  if (id === undefined) {
    throw new UsageError(`usage: registrar client ${trusted ? 'trust' : 'untrust'} <client_id>`)
  }
  const config = await readConfig(values.config)
  const store = await openStore(values.database, config)
  try {
    if (!(await store.setClientTrusted(id, trusted))) {
      process.stderr.write(`no client with id ${id}\n`)
      return 1
    }
    process.stdout.write(`${trusted ? 'trusted' : 'untrusted'} ${id}\n`)
    return 0
  } finally {
    await store.close()
  }
}
