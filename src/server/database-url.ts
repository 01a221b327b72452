/**
 * `--database` values: `sqlite:<path>` (or `sqlite::memory:`), and `postgres://…` which a later
 * release adds. Anything else is a clear usage error, not a guess.
 */
export type DatabaseLocation = { readonly kind: 'sqlite'; readonly path: string }

export function parseDatabaseUrl(value: string): DatabaseLocation {
  if (value.startsWith('sqlite:')) {
    const path = value.slice('sqlite:'.length).replace(/^\/\//, '')
    if (path === '')
      throw new TypeError(`database: '${value}' has no file path (use sqlite:./registrar.db)`)
    return { kind: 'sqlite', path }
  }
  if (/^postgres(ql)?:\/\//.test(value)) {
    throw new TypeError(
      'database: PostgreSQL is not supported by this version of registrar yet; use sqlite:<path>',
    )
  }
  throw new TypeError(`database: '${value}' is not a database URL; use sqlite:<path>`)
}
