import type {
  DatabaseIntrospector,
  DatabaseMetadata,
  DatabaseMetadataOptions,
  Kysely,
  SchemaMetadata,
  TableMetadata,
} from 'kysely'
import { PostgresDialect, PostgresIntrospector, sql } from 'kysely'

/**
 * PostgreSQL introspection limited to the connection's current schema (registrar's: its
 * search_path names only that one).
 *
 * Kysely's own PostgresIntrospector reads every table of every schema, and its query resolves
 * schema names through has_schema_privilege() and pg_get_serial_sequence(), which fail with
 * `schema "…" does not exist` when another session drops a schema while the query runs. The
 * Migrator introspects at every start, so in a database shared with other applications (or
 * with parallel test runs, each in a schema it drops afterwards) an instance could fail to
 * start for something that has nothing to do with it. This query names no schema by text: it
 * joins catalogues by OID and filters on current_schema().
 */
export class CurrentSchemaPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new CurrentSchemaIntrospector(db)
  }
}

interface ColumnRow {
  table: string
  table_type: string
  schema: string
  column: string
  not_null: boolean
  has_default: boolean
  type: string
  type_schema: string
  column_description: string | null
  auto_incrementing: boolean
}

class CurrentSchemaIntrospector implements DatabaseIntrospector {
  readonly #db: Kysely<unknown>
  readonly #schemas: PostgresIntrospector

  constructor(db: Kysely<unknown>) {
    this.#db = db
    this.#schemas = new PostgresIntrospector(db)
  }

  /** Every schema: the Migrator asks whether registrar's exists before creating it. */
  getSchemas(): Promise<SchemaMetadata[]> {
    return this.#schemas.getSchemas()
  }

  async getTables(
    options: DatabaseMetadataOptions = { withInternalKyselyTables: false },
  ): Promise<TableMetadata[]> {
    const { rows } = await sql<ColumnRow>`
      select c.relname as "table", c.relkind as table_type, ns.nspname as "schema",
             a.attname as "column", a.attnotnull as not_null, a.atthasdef as has_default,
             typ.typname as "type", dtns.nspname as type_schema,
             col_description(a.attrelid, a.attnum) as column_description,
             (a.attidentity <> '' or coalesce(pg_get_expr(d.adbin, d.adrelid) like 'nextval(%', false))
               as auto_incrementing
        from pg_catalog.pg_attribute a
        join pg_catalog.pg_class c on c.oid = a.attrelid
        join pg_catalog.pg_namespace ns on ns.oid = c.relnamespace
        join pg_catalog.pg_type typ on typ.oid = a.atttypid
        join pg_catalog.pg_namespace dtns on dtns.oid = typ.typnamespace
        left join pg_catalog.pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
       where ns.nspname = current_schema()
         and c.relkind in ('r', 'v', 'p')
         and a.attnum >= 0 and not a.attisdropped
       order by c.relname, a.attnum`.execute(this.#db)
    const tables = new Map<string, TableMetadata>()
    for (const row of rows) {
      if (!options.withInternalKyselyTables && KYSELY_TABLES.has(row.table)) continue
      let table = tables.get(row.table)
      if (table === undefined) {
        table = { name: row.table, schema: row.schema, isView: row.table_type === 'v', columns: [] }
        tables.set(row.table, table)
      }
      table.columns.push({
        name: row.column,
        dataType: row.type,
        dataTypeSchema: row.type_schema,
        isNullable: !row.not_null,
        isAutoIncrementing: row.auto_incrementing,
        hasDefaultValue: row.has_default,
        ...(row.column_description === null ? {} : { comment: row.column_description }),
      })
    }
    return [...tables.values()]
  }

  async getMetadata(options?: DatabaseMetadataOptions): Promise<DatabaseMetadata> {
    return { tables: await this.getTables(options) }
  }
}

/** Kysely's default migration tables, hidden unless asked for, as Kysely's introspector does. */
const KYSELY_TABLES: ReadonlySet<string> = new Set(['kysely_migration', 'kysely_migration_lock'])
