import type { Kysely } from 'kysely'
import { sql } from 'kysely'
import type { Database } from '../kysely/schema.js'
import type { Settings } from './settings.js'

/** The schema registrar's tables live in: the one configured, or the server's default. */
export async function currentSchema(db: Kysely<Database>, settings: Settings): Promise<string> {
  if (settings.schema !== undefined) return settings.schema
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(
    db,
  )
  const schema = rows[0]?.schema ?? null
  if (schema === null) {
    throw new Error(
      'no schema to create tables in: the search_path names no existing schema; set one with ?schema=<name>',
    )
  }
  return schema
}
