import type { Compilable, CompiledQuery, QueryResult } from 'kysely'

/**
 * How an argument binds. 'required': undefined throws. 'or-null': undefined binds NULL, which is
 * what Kysely's leaving an undefined column out of an INSERT stores when the column has no
 * DEFAULT; use it for such columns only.
 */
export type Binding = 'required' | 'or-null'

/**
 * The arguments' structure, with a Binding for each value: records and tuples nest, anything
 * else is one bound value. The placeholders handed to the builder follow its key order, so for
 * an INSERT the shape fixes the column order.
 */
export type Shape<A> = A extends readonly unknown[]
  ? { readonly [I in keyof A]: Shape<A[I]> }
  : A extends object
    ? { readonly [K in keyof A]-?: Shape<A[K]> }
    : Binding

/** Where a compiled query runs: the Kysely instance it was compiled on, or a transaction of it. */
export interface QueryRunner {
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>
}

/**
 * A query built and compiled once, then run with new arguments: on the hot paths building the
 * operation tree and compiling it was about a tenth of the CPU of a request (issue 6 profiles),
 * on SQLite and PostgreSQL alike.
 *
 * The builder runs once, on first use, with a unique sentinel string in place of each argument;
 * the sentinels' positions among the compiled parameters say which parameter is which argument.
 * Everything else the builder binds (a constant such as `kind = 'refresh'`) stays as compiled.
 * A builder that writes an argument into the SQL text, into a larger value, or not at all is
 * refused with a TypeError when it compiles, before anything runs.
 *
 * The SQL is that of the Kysely instance the builder used (dialects differ): run it only there or
 * in one of its transactions.
 */
export class CompiledOnce<A, O> {
  readonly #shape: Shape<A>
  readonly #build: (args: A) => Compilable<O>
  #compiled: Compiled<A, O> | undefined

  constructor(shape: Shape<A>, build: (args: A) => Compilable<O>) {
    this.#shape = shape
    this.#build = build
  }

  /** Runs the query on `on` with `args` bound; rejects if an argument is missing. */
  async execute(on: QueryRunner, args: A): Promise<QueryResult<O>> {
    this.#compiled ??= compile(this.#shape, this.#build)
    const { query, readers } = this.#compiled
    // The queryId stays the compiled one: plugins transformed the tree once, under that id, and
    // get it back with each result. No plugin is configured today.
    return on.executeQuery<O>({
      sql: query.sql,
      query: query.query,
      queryId: query.queryId,
      parameters: readers.map((read) => read(args)),
    })
  }
}

/**
 * `build` runs once, on first use, with placeholders of A's structure; the query it returns is
 * compiled by the Kysely instance it was built on.
 */
export function compileOnce<A, O>(
  shape: NoInfer<Shape<A>>,
  build: (args: A) => Compilable<O>,
): CompiledOnce<A, O> {
  return new CompiledOnce(shape, build)
}

interface Compiled<A, O> {
  readonly query: CompiledQuery<O>
  /** One per compiled parameter, in order: its value for the given arguments. */
  readonly readers: readonly ((args: A) => unknown)[]
}

interface Argument {
  readonly path: readonly (string | number)[]
  readonly binding: Binding
}

/**
 * Starts and ends with NUL, which no constant of a builder holds (PostgreSQL refuses it in text),
 * so no constant is mistaken for a sentinel.
 */
const SENTINEL_MARK = '\u0000registrar-argument-'

function compile<A, O>(shape: Shape<A>, build: (args: A) => Compilable<O>): Compiled<A, O> {
  const args: Argument[] = []
  // The placeholders have A's structure, with a sentinel string for every value.
  const placeholders = placeholdersOf(shape, [], args) as A
  const query = build(placeholders).compile()
  if (query.sql.includes(SENTINEL_MARK)) {
    throw new TypeError(`compiled query: an argument was written into the SQL text: ${query.sql}`)
  }
  const bound = new Set<number>()
  const readers = query.parameters.map((value, position): ((args: A) => unknown) => {
    const index = typeof value === 'string' ? sentinelIndex(value) : undefined
    if (index !== undefined) {
      const argument = args[index]
      if (argument === undefined) throw new TypeError(`compiled query: unknown sentinel ${index}`)
      bound.add(index)
      return reader(argument)
    }
    if (mentionsSentinel(value)) {
      throw new TypeError(
        `compiled query: parameter ${position + 1} holds an argument inside a larger value`,
      )
    }
    return () => value
  })
  for (const [index, argument] of args.entries()) {
    if (!bound.has(index)) {
      throw new TypeError(`compiled query: ${nameOf(argument.path)} is not bound by the query`)
    }
  }
  return { query, readers }
}

function placeholdersOf(
  shape: unknown,
  path: readonly (string | number)[],
  args: Argument[],
): unknown {
  if (shape === 'required' || shape === 'or-null') {
    args.push({ path, binding: shape })
    return `${SENTINEL_MARK}${args.length - 1}\u0000`
  }
  if (Array.isArray(shape)) {
    return shape.map((item: unknown, index) => placeholdersOf(item, [...path, index], args))
  }
  if (typeof shape === 'object' && shape !== null) {
    return Object.fromEntries(
      Object.entries(shape).map(([key, item]) => [key, placeholdersOf(item, [...path, key], args)]),
    )
  }
  throw new TypeError(
    `compiled query: the shape of ${nameOf(path)} must be 'required', 'or-null', an array or an object`,
  )
}

function sentinelIndex(value: string): number | undefined {
  if (!value.startsWith(SENTINEL_MARK) || !value.endsWith('\u0000')) return undefined
  const digits = value.slice(SENTINEL_MARK.length, -1)
  return /^(0|[1-9][0-9]*)$/.test(digits) ? Number(digits) : undefined
}

function mentionsSentinel(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(SENTINEL_MARK)
  if (Array.isArray(value)) return value.some(mentionsSentinel)
  return false
}

/** Reads one argument out of the arguments given to execute. */
function reader<A>({ path, binding }: Argument): (args: A) => unknown {
  return (args) => {
    let value: unknown = args
    let depth = 0
    for (const key of path) {
      if (typeof value !== 'object' || value === null) {
        throw new TypeError(
          depth === 0
            ? 'compiled query: the arguments are missing'
            : `compiled query: ${nameOf(path.slice(0, depth))} is missing`,
        )
      }
      value = (value as Readonly<Record<string | number, unknown>>)[key]
      depth += 1
    }
    if (value !== undefined) return value
    if (binding === 'or-null') return null
    throw new TypeError(`compiled query: ${nameOf(path)} is missing`)
  }
}

function nameOf(path: readonly (string | number)[]): string {
  return path.length === 0 ? 'the arguments' : `argument ${path.join('.')}`
}
