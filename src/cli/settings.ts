import type { Logger } from '../logger.js'
import type { ConfigFile } from '../server/config-file.js'
import { loadConfigFile } from '../server/config-file.js'
import type { DatabaseLocation } from '../server/database-url.js'
import { parseDatabaseUrl } from '../server/database-url.js'
import { openPostgresStore } from '../store/postgres.js'
import { openSqliteStore } from '../store/sqlite.js'
import type { Store } from '../core/store/store.js'
import { UsageError } from './usage-error.js'

export const DEFAULT_DATABASE = 'sqlite:./registrar.db'

/** Flags every command understands. */
export const COMMON_FLAGS = {
  config: { type: 'string' },
  database: { type: 'string' },
} as const

export async function readConfig(path: string | undefined): Promise<ConfigFile> {
  if (path === undefined) return {}
  try {
    return await loadConfigFile(path)
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

/** --database, then REGISTRAR_DATABASE_URL, then the config file, then ./registrar.db. */
export function databaseLocation(flag: string | undefined, config: ConfigFile): DatabaseLocation {
  const url = flag ?? process.env.REGISTRAR_DATABASE_URL ?? config.database ?? DEFAULT_DATABASE
  try {
    return parseDatabaseUrl(url)
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

/**
 * Opens the configured database, applying pending migrations. `logger` hears about PostgreSQL
 * connections lost while idle and about migrations applied. `serving`: a long-running server,
 * which checkpoints SQLite's log on a thread of its own; a one-off command does not start one.
 */
export async function openStore(
  flag: string | undefined,
  config: ConfigFile,
  logger?: Logger,
  serving = false,
): Promise<Store> {
  const location = databaseLocation(flag, config)
  if (location.kind === 'sqlite') {
    return openSqliteStore({ path: location.path, backgroundCheckpoint: serving })
  }
  try {
    return await openPostgresStore({
      ...location.options,
      ...(logger === undefined ? {} : { logger }),
    })
  } catch (error) {
    // A mistake in the options (a bad schema name) is the caller's; anything else is the database's.
    if (error instanceof TypeError) throw new UsageError(`database: ${error.message}`)
    throw error
  }
}

export function parseIntegerFlag(
  name: string,
  value: string | undefined,
  min: number,
): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`--${name} must be an integer of at least ${min}, got '${value}'`)
  }
  return Number(value)
}
