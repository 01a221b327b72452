import { parseArgs } from 'node:util'
import type { MigrationState } from '../../store/kysely/migrate.js'
import { migrationStatus } from '../../store/kysely/migrate.js'
import { migratePostgres, postgresMigrationStatus } from '../../store/postgres.js'
import { openSqliteDatabase } from '../../store/sqlite.js'
import { COMMON_FLAGS, databaseLocation, readConfig } from '../settings.js'
import { UsageError } from '../usage-error.js'

export const MIGRATE_HELP = `registrar migrate [--database <url>] [--config <file>]

  Applies pending migrations, then lists every migration with when it was applied. serve does
  the same at start-up; run this as a deploy step to migrate before any instance starts. On
  PostgreSQL it waits for an instance that is migrating at the same moment.`

export async function migrate(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: COMMON_FLAGS,
    strict: true,
    allowPositionals: false,
  })
  const config = await readConfig(values.config)
  const location = databaseLocation(values.database, config)
  // Migrations stamp themselves with the time they ran: those stamped after this are this run's.
  const started = new Date().toISOString()
  let states: readonly MigrationState[]
  if (location.kind === 'sqlite') {
    const db = await openSqliteDatabase({ path: location.path })
    try {
      states = await migrationStatus(db)
    } finally {
      await db.destroy()
    }
  } else {
    try {
      await migratePostgres(location.options)
      states = await postgresMigrationStatus(location.options)
    } catch (error) {
      if (error instanceof TypeError) throw new UsageError(`database: ${error.message}`)
      throw error
    }
  }
  const width = Math.max(...states.map((state) => state.name.length))
  for (const { name, appliedAt } of states) {
    const when = appliedAt === null ? 'pending' : `applied ${appliedAt}`
    const now = appliedAt !== null && appliedAt >= started ? ' (now)' : ''
    process.stdout.write(`${name.padEnd(width)}  ${when}${now}\n`)
  }
  process.stdout.write('database is up to date\n')
  return 0
}
