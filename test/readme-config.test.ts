import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { settingsSchema } from '../src/options.js'
import { configFileSchema } from '../src/server/config-file.js'

// The configuration is written once, in the schemas (src/options.ts, each `.default()`, and
// src/server/config-file.ts for the server's own keys). This suite holds the three texts that
// repeat it to that source: the keys of the documented RegistrarOptions interface, its
// `@default` tags, and the README's configuration block and table, which it generates:
//   UPDATE_README=1 npx vitest run test/readme-config.test.ts

const OPTIONS = fileURLToPath(new URL('../src/options.ts', import.meta.url))
const CONFIG_FILE = fileURLToPath(new URL('../src/server/config-file.ts', import.meta.url))
const README = fileURLToPath(new URL('../README.md', import.meta.url))
const BEGIN =
  '<!-- Generated from src/options.ts and src/server/config-file.ts; to update: UPDATE_README=1 npx vitest run test/readme-config.test.ts -->'
const END = '<!-- End of the generated configuration -->'

/** One key of the config file, as the schema defines it. */
interface Key {
  readonly path: string
  /** An object of keys (`registration`), as opposed to a value (`registration.rateLimit`). */
  readonly section: boolean
  readonly hasDefault: boolean
  readonly value: unknown
}

type Def = { readonly type: string; readonly innerType?: z.core.$ZodType }

/** Looks through `.default()`, `.prefault()` and `.optional()` to the schema of the value. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  const def = schema._zod.def as Def
  const wrapper = def.type === 'default' || def.type === 'prefault' || def.type === 'optional'
  return wrapper && def.innerType !== undefined ? unwrap(def.innerType) : schema
}

function shapeOf(schema: z.core.$ZodType): Readonly<Record<string, z.core.$ZodType>> | null {
  const inner = unwrap(schema)
  return inner._zod.def.type === 'object' ? (inner as z.core.$ZodObject)._zod.def.shape : null
}

function keysOf(
  shape: Readonly<Record<string, z.core.$ZodType>>,
  defaults: Readonly<Record<string, unknown>>,
  prefix = '',
): Key[] {
  return Object.entries(shape).flatMap(([name, schema]) => {
    const path = `${prefix}${name}`
    const inner = shapeOf(schema)
    const value = defaults[name]
    const key: Key = { path, section: inner !== null, hasDefault: name in defaults, value }
    if (inner === null) return [key]
    return [key, ...keysOf(inner, value as Record<string, unknown>, `${path}.`)]
  })
}

const defaults = configFileSchema.parse({})
const keys = keysOf(configFileSchema.shape, defaults)
const leaves = keys.filter((key) => !key.section)
const settingsKeys = new Set(
  keysOf(settingsSchema.shape, settingsSchema.parse({})).map((k) => k.path),
)
/** The keys only the standalone server reads, documented in src/server/config-file.ts. */
const serverKeys = new Set(Object.keys(configFileSchema.shape).filter((k) => !settingsKeys.has(k)))

// Documentation, read by the compiler from the two source files.
const program = ts.createProgram([OPTIONS, CONFIG_FILE], {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  exactOptionalPropertyTypes: true,
  skipLibCheck: true,
  noEmit: true,
  types: ['node'],
})
const checker = program.getTypeChecker()

interface Doc {
  readonly summary: string
  readonly defaultTag: string | undefined
}

function docOf(symbol: ts.Symbol): Doc {
  const tag = symbol.getJsDocTags(checker).find((t) => t.name === 'default')
  return {
    summary: ts.displayPartsToString(symbol.getDocumentationComment(checker)).replace(/\s+/g, ' '),
    defaultTag: tag === undefined ? undefined : ts.displayPartsToString(tag.text).trim(),
  }
}

function typeOf(symbol: ts.Symbol): ts.Type {
  const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0]
  if (declaration === undefined) throw new Error(`${symbol.name} has no declaration`)
  return checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(symbol, declaration))
}

/** A function, or an object of functions (a Store, a Logger): what only code can pass. */
function isHostOnly(type: ts.Type): boolean {
  if (type.isUnion()) return type.types.some(isHostOnly)
  // A primitive's apparent members (toFixed, valueOf) are methods too: it is still JSON.
  if ((type.flags & ts.TypeFlags.Object) === 0) return false
  if (type.getCallSignatures().length > 0) return true
  const members = type.getProperties()
  return members.length > 0 && members.every((m) => typeOf(m).getCallSignatures().length > 0)
}

function exported(file: string, name: string): ts.Symbol {
  const source = program.getSourceFile(file)
  const module = source === undefined ? undefined : checker.getSymbolAtLocation(source)
  const symbol = module && checker.getExportsOfModule(module).find((s) => s.name === name)
  if (symbol === undefined) throw new Error(`${file} does not export ${name}`)
  return symbol
}

/** The JSON members of RegistrarOptions, section by section, with their TSDoc. */
function interfaceDocs(type: ts.Type, prefix = '', out = new Map<string, Doc>()): Map<string, Doc> {
  for (const member of type.getProperties()) {
    const memberType = typeOf(member)
    if (isHostOnly(memberType)) continue
    const path = `${prefix}${member.name}`
    out.set(path, docOf(member))
    if (keys.find((key) => key.path === path)?.section === true) {
      interfaceDocs(memberType, `${path}.`, out)
    }
  }
  return out
}

const optionDocs = interfaceDocs(
  checker.getDeclaredTypeOfSymbol(exported(OPTIONS, 'RegistrarOptions')),
)

/** The comments on the server's own keys, in the configFileSchema literal. */
function serverDocs(): Map<string, Doc> {
  const shape = typeOf(exported(CONFIG_FILE, 'configFileSchema')).getProperty('shape')
  if (shape === undefined) throw new Error('configFileSchema has no shape')
  const members = typeOf(shape).getProperties()
  return new Map(members.filter((m) => serverKeys.has(m.name)).map((m) => [m.name, docOf(m)]))
}

const docs = new Map([...optionDocs, ...serverDocs()])

/** The value of the literal a `@default` tag starts with (`{ max: 10, windowSeconds: 900 }`). */
function defaultTagValue(tag: string): unknown {
  const source = ts.createSourceFile(
    'default.ts',
    `(${leadingLiteral(tag)})`,
    ts.ScriptTarget.ES2022,
  )
  const statement = source.statements[0]
  if (
    source.statements.length !== 1 ||
    statement === undefined ||
    !ts.isExpressionStatement(statement)
  ) {
    throw new Error(`'${tag}' does not start with a literal`)
  }
  return literalValue(statement.expression)
}

/** `'opaque' (the default)` → `'opaque'`; brackets are matched, quoted text skipped. */
function leadingLiteral(text: string): string {
  const first = text[0] ?? ''
  if (first === "'" || first === '"') return text.slice(0, text.indexOf(first, 1) + 1)
  if (first !== '[' && first !== '{') return text.split(/\s/)[0] ?? ''
  let depth = 0
  let quote = ''
  for (const [i, c] of [...text].entries()) {
    if (quote !== '') {
      if (c === quote) quote = ''
    } else if (c === "'" || c === '"') {
      quote = c
    } else if (c === '[' || c === '{') {
      depth++
    } else if ((c === ']' || c === '}') && --depth === 0) {
      return text.slice(0, i + 1)
    }
  }
  return text
}

function literalValue(node: ts.Expression): unknown {
  if (ts.isParenthesizedExpression(node)) return literalValue(node.expression)
  if (ts.isStringLiteral(node)) return node.text
  if (ts.isNumericLiteral(node)) return Number(node.text.replaceAll('_', ''))
  if (node.kind === ts.SyntaxKind.TrueKeyword) return true
  if (node.kind === ts.SyntaxKind.FalseKeyword) return false
  if (node.kind === ts.SyntaxKind.NullKeyword) return null
  if (ts.isArrayLiteralExpression(node)) return node.elements.map(literalValue)
  if (ts.isObjectLiteralExpression(node)) {
    return Object.fromEntries(
      node.properties.map((p) => {
        if (
          !ts.isPropertyAssignment(p) ||
          !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))
        ) {
          throw new Error(`unexpected ${ts.SyntaxKind[p.kind]} in a @default literal`)
        }
        return [p.name.text, literalValue(p.initializer)]
      }),
    )
  }
  throw new Error(`unexpected ${ts.SyntaxKind[node.kind]} in a @default literal`)
}

/** JSON on one line, spaced the way the README writes it: `{ "max": 10, "windowSeconds": 900 }`. */
function inline(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
    if (entries.length === 0) return '{}'
    return `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`).join(', ')} }`
  }
  return JSON.stringify(value)
}

/** The README's JSON: every key that has a default, sections spread over lines. */
function jsonBlock(prefix = '', indent = '  '): string {
  const members = keys.filter(
    (key) => key.path.startsWith(prefix) && !key.path.slice(prefix.length).includes('.'),
  )
  const lines = members
    .filter((key) => key.hasDefault)
    .map((key) => {
      const name = JSON.stringify(key.path.slice(prefix.length))
      if (!key.section) return `${indent}${name}: ${inline(key.value)}`
      return `${indent}${name}: ${jsonBlock(`${key.path}.`, `${indent}  `)}`
    })
  return `{\n${lines.join(',\n')}\n${indent.slice(2)}}`
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|')
}

function generated(): string {
  const rows = leaves.map((key) => {
    const value = key.hasDefault ? `\`${inline(key.value)}\`` : '—'
    return `| \`${key.path}\` | ${cell(value)} | ${cell(docs.get(key.path)?.summary ?? '')} |`
  })
  return [
    BEGIN,
    '',
    '```json',
    jsonBlock(),
    '```',
    '',
    '| Key | Default | Meaning |',
    '| --- | --- | --- |',
    ...rows,
    '',
    END,
  ].join('\n')
}

function readmeRegion(readme: string): { readonly start: number; readonly end: number } {
  const start = readme.indexOf(BEGIN)
  const end = readme.indexOf(END)
  if (start === -1 || end < start) throw new Error(`README.md lacks the markers ${BEGIN} … ${END}`)
  return { start, end: end + END.length }
}

/** Each leaf path of a JSON object, section by section as the schema nests them. */
function flatten(
  value: unknown,
  prefix = '',
  out = new Map<string, unknown>(),
): Map<string, unknown> {
  for (const [name, member] of Object.entries(value as Record<string, unknown>)) {
    const path = `${prefix}${name}`
    if (keys.find((key) => key.path === path)?.section === true) flatten(member, `${path}.`, out)
    else out.set(path, member)
  }
  return out
}

describe('the configuration is written once, in the schema', () => {
  it('RegistrarOptions documents exactly the JSON keys the schema accepts', () => {
    const documented = new Set(optionDocs.keys())
    const accepted = keys.map((key) => key.path).filter((path) => settingsKeys.has(path))
    expect(
      [...documented].filter((path) => path !== 'issuer' && !settingsKeys.has(path)),
      'documented in RegistrarOptions but unknown to settingsSchema',
    ).toEqual([])
    expect(
      accepted.filter((path) => !documented.has(path)),
      'accepted by settingsSchema but not documented in RegistrarOptions',
    ).toEqual([])
    expect(
      [...serverKeys].filter((key) => !docs.has(key) || docs.get(key)?.summary === ''),
      'server keys without a comment in configFileSchema',
    ).toEqual([])
  })

  it.each(leaves.map((key) => [key.path, key] as const))(
    '%s: the @default in its TSDoc is the schema default',
    (_path, key) => {
      const doc = docs.get(key.path)
      expect(doc, 'documented in RegistrarOptions or configFileSchema').toBeDefined()
      expect(doc?.summary, 'a description for the README').not.toBe('')
      if (!key.hasDefault) {
        expect(doc?.defaultTag, 'no @default: the schema has none').toBeUndefined()
        return
      }
      expect(doc?.defaultTag, 'a @default tag').toBeDefined()
      expect(defaultTagValue(doc?.defaultTag ?? '')).toEqual(key.value)
    },
  )

  it('the README lists every key with its default (generated from the schema)', () => {
    const readme = readFileSync(README, 'utf8')
    const { start, end } = readmeRegion(readme)
    const expected = generated()
    if (process.env.UPDATE_README === '1') {
      writeFileSync(README, `${readme.slice(0, start)}${expected}${readme.slice(end)}`)
      return
    }
    const region = readme.slice(start, end)

    // Key by key first, so a hand edit fails with the key it got wrong.
    const json = /```json\n([\s\S]*?)\n```/.exec(region)?.[1]
    const inJson = flatten(JSON.parse(json ?? '{}'))
    const withDefault = leaves.filter((key) => key.hasDefault)
    for (const key of withDefault) {
      expect(inJson.has(key.path), `${key.path} missing from the README's JSON`).toBe(true)
      expect(inJson.get(key.path), `${key.path} in the README's JSON`).toEqual(key.value)
    }
    const unknown = [...inJson.keys()].filter((path) => !withDefault.some((k) => k.path === path))
    expect(unknown, "keys in the README's JSON that have no default in the schema").toEqual([])

    const rows = new Map(
      [...region.matchAll(/^\| `([^`]+)` \| (.*?) \| /gm)].map((m) => [m[1] ?? '', m[2] ?? '']),
    )
    for (const key of leaves) {
      expect(rows.has(key.path), `${key.path} missing from the README's table`).toBe(true)
      const shown = rows.get(key.path) ?? ''
      expect(
        shown === '—' ? undefined : JSON.parse(shown.replace(/^`|`$/g, '').replaceAll('\\|', '|')),
        `${key.path}'s default in the README's table`,
      ).toEqual(key.hasDefault ? key.value : undefined)
    }
    const extra = [...rows.keys()].filter((path) => !leaves.some((k) => k.path === path))
    expect(extra, "keys in the README's table the schema does not know").toEqual([])

    expect(
      region,
      'README.md is out of date: UPDATE_README=1 npx vitest run test/readme-config.test.ts',
    ).toBe(expected)
  })
})
