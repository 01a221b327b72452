import type { ConfigFile } from '../server/config-file.js'
import { loadConfigFile } from '../server/config-file.js'
import { parseDatabaseUrl } from '../server/database-url.js'
import { openSqliteStore } from '../store/sqlite.js'
import type { Store } from '../store/store.js'
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
export async function openStore(flag: string | undefined, config: ConfigFile): Promise<Store> {
  const url = flag ?? process.env.REGISTRAR_DATABASE_URL ?? config.database ?? DEFAULT_DATABASE
  let location: ReturnType<typeof parseDatabaseUrl>
  try {
    location = parseDatabaseUrl(url)
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  return openSqliteStore({ path: location.path })
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
