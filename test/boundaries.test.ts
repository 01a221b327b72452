import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
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

const files = sourceFiles(SRC).map((path) => ({
  path,
  name: relative(SRC, path),
  imports: importsOf(path),
}))

describe('architecture boundaries hold', () => {
  it('finds the sources it checks', () => {
    expect(files.length).toBeGreaterThan(20)
  })

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
