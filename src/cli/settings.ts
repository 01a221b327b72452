import type { Store } from '../core/store/store.js'
import type { Logger } from '../logger.js'
import type { ResolvedSettings } from '../options.js'
import { resolveSettings } from '../options.js'
import type { ConfigFile } from '../server/config-file.js'
import { defaultConfig, loadConfigFile } from '../server/config-file.js'
import type { DatabaseLocation } from '../server/database-url.js'
import { parseDatabaseUrl } from '../server/database-url.js'
import { openPostgresStore } from '../store/postgres.js'
import { openSqliteStore } from '../store/sqlite.js'
import { UsageError } from './usage-error.js'

/** Flags every command understands. */
export const COMMON_FLAGS = {
  config: { type: 'string' },
  database: { type: 'string' },
} as const

/** The `--config` file, parsed with every default filled in; without one, the defaults. */
export async function readConfig(path: string | undefined): Promise<ConfigFile> {
  if (path === undefined) return defaultConfig()
  try {
    return await loadConfigFile(path)
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

/**
 * The registrar settings of a config file, resolved as the server resolves them at start-up, so
 * a command that serves nothing sees the same defaults and refuses what `serve` would refuse.
 */
export function resolveConfig(config: ConfigFile): ResolvedSettings {
  try {
    return resolveSettings(config)
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(`config: ${error.message}`)
    throw error
  }
}

/** --database, then REGISTRAR_DATABASE_URL, then the config file (or its default). */
export function databaseLocation(flag: string | undefined, config: ConfigFile): DatabaseLocation {
  const url = flag ?? process.env.REGISTRAR_DATABASE_URL ?? config.database
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
