import type pg from 'pg'
import type { Settings } from './settings.js'

/** What every connection, pooled or not, is opened with. */
export function connectionConfig(settings: Settings): pg.PoolConfig {
  return {
    application_name: 'registrar',
    ...withSearchPath(settings.connectionString, settings.schema),
    // TCP keepalive notices a peer that vanished while the connection sat idle in the pool.
    keepAlive: true,
  }
}

/**
 * The schema goes in the startup parameters (`options=-c search_path=…`), so it is in force
 * from the first statement on without a round trip, and a search_path with only this schema
 * keeps other schemas' tables out of sight. node-postgres lets the URL's own `options` win over
 * the one given beside it, so the two are merged here instead.
 */
function withSearchPath(
  connectionString: string,
  schema: string | undefined,
): { connectionString: string; options?: string } {
  if (schema === undefined) return { connectionString }
  const searchPath = `-c search_path=${schema}`
  let url: URL
  try {
    url = new URL(connectionString)
  } catch {
    // Not a URL: node-postgres will say what is wrong with it when it connects.
    return { connectionString, options: searchPath }
  }
  const given = url.searchParams.get('options')
  url.searchParams.delete('options')
  return {
    connectionString: url.toString(),
    options: given === null || given.trim() === '' ? searchPath : `${given} ${searchPath}`,
  }
}
