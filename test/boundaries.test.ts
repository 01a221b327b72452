import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const SRC = fileURLToPath(new URL('../src', import.meta.url))

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : []
  })
}

/** Every module specifier a file imports or re-exports, static or dynamic. */
function importsOf(path: string): string[] {
  const text = readFileSync(path, 'utf8')
  const found = [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1] ?? '')
  return found.filter((specifier) => specifier !== '')
}

/** A source file's layer: its top folder under src/, or its name for a top-level module. */
function layerOf(name: string): string {
  const [first, ...rest] = name.split('/')
  return rest.length === 0 ? (first ?? '').replace(/\.ts$/, '') : (first ?? '')
}

const files = sourceFiles(SRC).map((path) => {
  const name = relative(SRC, path)
  const imports = importsOf(path)
  return {
    path,
    name,
    imports,
    /** The src/-relative targets of the file's relative imports. */
    targets: imports
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => relative(SRC, join(dirname(path), specifier)).replace(/\.js$/, '.ts')),
  }
})

/**
 * What each layer may import from the tree (besides itself). cli → server → registrar (the
 * composition root) → http → core; options, store implementations, net (the safe fetcher)
 * and adapters sit beside, pointing down into core. errors and logger are leaves everyone may
 * use.
 */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  core: ['errors'],
  errors: [],
  logger: [],
  options: ['core', 'errors', 'logger', 'http/pages/page-contexts.ts'],
  store: ['core', 'errors', 'logger'],
  net: ['core', 'errors', 'logger'],
  http: ['core', 'errors', 'logger', 'options'],
  registrar: ['core', 'errors', 'logger', 'options', 'http', 'net'],
  adapters: ['registrar', 'http'],
  index: ['core', 'errors', 'logger', 'options', 'http', 'registrar'],
  server: ['core', 'errors', 'logger', 'options', 'registrar', 'adapters', 'store', 'net'],
  cli: ['core', 'errors', 'logger', 'options', 'registrar', 'server', 'store', 'net'],
}

describe('architecture boundaries hold', () => {
  it('finds the sources it checks', () => {
    expect(files.length).toBeGreaterThan(20)
  })

  it.each(files.map((f) => [f.name, f.targets] as const))(
    '%s imports only from the layers below it',
    (name, targets) => {
      const layer = layerOf(name)
      const allowed = ALLOWED[layer]
      expect(allowed, `no rule for the layer '${layer}'`).toBeDefined()
      for (const target of targets) {
        const targetLayer = layerOf(target)
        if (targetLayer === layer) continue
        const ok = (allowed ?? []).some((rule) =>
          rule.endsWith('.ts') ? target === rule : targetLayer === rule,
        )
        expect(ok, `${name} imports ${target}`).toBe(true)
      }
    },
  )

  it.each(files.filter((f) => f.name.startsWith('core/')).map((f) => [f.name, f.imports] as const))(
    'protocol logic %s imports no HTTP framework, database driver or logger',
    (_name, imports) => {
      for (const specifier of imports) {
        expect(specifier).not.toMatch(
          /^(hono|@hono\/|kysely|better-sqlite3|pg|pino)(\/|$)|^node:(http|https|net)$/,
        )
        expect(specifier).not.toMatch(/\/(http|store\/kysely|store\/sqlite|server|cli|adapters)\//)
      }
    },
  )

  it.each(files.filter((f) => f.name.startsWith('http/')).map((f) => [f.name, f.imports] as const))(
    'the HTTP layer %s touches no database driver',
    (_name, imports) => {
      for (const specifier of imports) {
        expect(specifier).not.toMatch(/^(kysely|better-sqlite3|pg)(\/|$)|store\/(kysely|sqlite)/)
      }
    },
  )

  it.each(
    files
      .filter((f) => !f.name.startsWith('cli/') && !f.name.startsWith('server/'))
      .map((f) => [f.name, f.imports] as const),
  )('%s does not depend on the standalone server or CLI', (_name, imports) => {
    for (const specifier of imports) expect(specifier).not.toMatch(/(^|\/)(cli|server)\//)
  })
})
