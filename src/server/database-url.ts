import type { PostgresStoreOptions } from '../store/postgres.js'

/**
 * `--database` values: `sqlite:<path>` (or `sqlite::memory:`), and
 * `postgres://user:password@host:5432/database?pool=10&statement_timeout=5000`. Anything else is
 * a clear usage error, not a guess.
 */
export type DatabaseLocation =
  | { readonly kind: 'sqlite'; readonly path: string }
  | {
      readonly kind: 'postgres'
      readonly options: Omit<PostgresStoreOptions, 'migrate' | 'logger'>
    }

/**
 * Query parameters registrar reads itself and removes before node-postgres sees the URL. The
 * timeouts are milliseconds, like PostgreSQL's own statement_timeout, except connect_timeout,
 * which keeps libpq's seconds so the same URL means the same thing to psql.
 */
const REGISTRAR_PARAMETERS = ['pool', 'statement_timeout', 'connect_timeout', 'schema'] as const

/** What node-postgres understands in a URL; anything else is more likely a typo than intent. */
const DRIVER_PARAMETERS = new Set([
  'host',
  'port',
  'user',
  'password',
  'db',
  'encoding',
  'ssl',
  'sslmode',
  'sslcert',
  'sslkey',
  'sslrootcert',
  'sslnegotiation',
  'uselibpqcompat',
  'application_name',
  'fallback_application_name',
  'options',
  'client_encoding',
])

export function parseDatabaseUrl(value: string): DatabaseLocation {
  if (value.startsWith('sqlite:')) {
    const path = value.slice('sqlite:'.length).replace(/^\/\//, '')
    if (path === '')
      throw new TypeError(`database: '${value}' has no file path (use sqlite:./registrar.db)`)
    return { kind: 'sqlite', path }
  }
  if (/^postgres(ql)?:\/\//.test(value)) return parsePostgresUrl(value)
  throw new TypeError(
    `database: '${value}' is not a database URL; use sqlite:<path> or postgres://user@host/database`,
  )
}

function parsePostgresUrl(value: string): DatabaseLocation {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    // The URL may hold a password: never echo it.
    throw new TypeError(
      'database: the PostgreSQL URL is malformed (percent-encode special characters in the password)',
    )
  }
  for (const name of new Set(url.searchParams.keys())) {
    if (
      !DRIVER_PARAMETERS.has(name) &&
      !(REGISTRAR_PARAMETERS as readonly string[]).includes(name)
    ) {
      throw new TypeError(
        `database: unknown PostgreSQL URL parameter '${name}'; registrar reads ${REGISTRAR_PARAMETERS.join(', ')}`,
      )
    }
  }
  const poolSize = integerParameter(url, 'pool', 1)
  const statementTimeoutMs = integerParameter(url, 'statement_timeout', 0)
  const connectTimeoutSeconds = integerParameter(url, 'connect_timeout', 1)
  const schema = url.searchParams.get('schema')
  for (const name of REGISTRAR_PARAMETERS) url.searchParams.delete(name)
  return {
    kind: 'postgres',
    options: {
      connectionString: url.toString(),
      ...(poolSize === undefined ? {} : { poolSize }),
      ...(statementTimeoutMs === undefined ? {} : { statementTimeoutMs }),
      ...(connectTimeoutSeconds === undefined
        ? {}
        : { connectTimeoutMs: connectTimeoutSeconds * 1000 }),
      ...(schema === null ? {} : { schema }),
    },
  }
}

function integerParameter(url: URL, name: string, min: number): number | undefined {
  const values = url.searchParams.getAll(name)
  if (values.length === 0) return undefined
  const [text] = values
  if (values.length > 1 || text === undefined || !/^\d{1,9}$/.test(text) || Number(text) < min) {
    throw new TypeError(
      `database: URL parameter ${name} must be one integer of at least ${min}, got '${values.join("', '")}'`,
    )
  }
  return Number(text)
}
