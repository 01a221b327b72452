import type { Logger } from '../../logger.js'
import { silentLogger } from '../../logger.js'

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:5432/database?sslmode=require`, as node-postgres reads it. */
  readonly connectionString: string
  /**
   * Schema that holds registrar's tables; created when missing. Connections put it first on
   * their search_path. @default the server's current_schema() for the user (usually public)
   */
  readonly schema?: string
  /** Most connections this instance opens. @default 10 */
  readonly poolSize?: number
  /**
   * Server-side limit on one statement, milliseconds; 0: none. The client gives up too, a
   * second later, when a query gets no answer at all (a network partition). @default 5000
   */
  readonly statementTimeoutMs?: number
  /** How long to wait for a new connection, milliseconds. @default 5000 */
  readonly connectTimeoutMs?: number
  /**
   * Apply pending migrations on open (default true). With false, a database that is not exactly
   * as new as this build is refused.
   */
  readonly migrate?: boolean
  /** Told about connections lost while idle, and about migrations applied. */
  readonly logger?: Logger
}

export const POSTGRES_DEFAULTS = {
  // node-postgres's own default; three instances use 30 of PostgreSQL's default 100.
  poolSize: 10,
  // Every registrar query is a key lookup or a one-row write: 5 s means something is wrong.
  statementTimeoutMs: 5000,
  connectTimeoutMs: 5000,
} as const

/** Schema names registrar accepts: plain identifiers, so they never need quoting. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

/** PostgresStoreOptions checked, with every default filled in. */
export interface Settings {
  readonly connectionString: string
  readonly schema: string | undefined
  readonly poolSize: number
  readonly statementTimeoutMs: number
  readonly connectTimeoutMs: number
  readonly logger: Logger
}

export function resolveSettings(options: PostgresStoreOptions): Settings {
  const { schema } = options
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new TypeError(
      `schema must be a lowercase identifier (a-z, 0-9, _; at most 63 characters), got '${schema}'`,
    )
  }
  const settings: Settings = {
    connectionString: options.connectionString,
    schema,
    poolSize: options.poolSize ?? POSTGRES_DEFAULTS.poolSize,
    statementTimeoutMs: options.statementTimeoutMs ?? POSTGRES_DEFAULTS.statementTimeoutMs,
    connectTimeoutMs: options.connectTimeoutMs ?? POSTGRES_DEFAULTS.connectTimeoutMs,
    logger: options.logger ?? silentLogger,
  }
  if (!Number.isInteger(settings.poolSize) || settings.poolSize < 1) {
    throw new TypeError(`poolSize must be a positive integer, got ${settings.poolSize}`)
  }
  for (const name of ['statementTimeoutMs', 'connectTimeoutMs'] as const) {
    const value = settings[name]
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new TypeError(`${name} must be a non-negative integer of milliseconds, got ${value}`)
    }
  }
  return settings
}
