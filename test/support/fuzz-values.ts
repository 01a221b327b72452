import * as fc from 'fast-check'
import { nowSeconds } from './http-helpers.js'

/**
 * The values the fuzz suites (test/http/fuzz-*.test.ts) throw at every endpoint: numbers at and
 * beyond the safe-integer edge, as JSON numbers, as JSON number literals JavaScript cannot hold,
 * and as form strings; text with every kind of Unicode trouble; long values; header values.
 */

/**
 * How many runs a property gets: `base` in CI (the fuzz suites together stay well under 60 s),
 * times FUZZ_SCALE for a deeper local run (`FUZZ_SCALE=20 npx vitest run test/http/fuzz-`).
 */
export function fuzzRuns(base: number): number {
  return Math.max(1, Math.round(base * fuzzScale()))
}

/** A fuzz test's time limit: 60 s in CI (each takes a few), scaled with FUZZ_SCALE. */
export function fuzzTimeout(): number {
  return 60_000 * Math.max(1, fuzzScale())
}

function fuzzScale(): number {
  const scale = Number(process.env.FUZZ_SCALE ?? '1')
  return Number.isFinite(scale) && scale > 0 ? scale : 1
}

/**
 * Markup that must never reach a page unescaped. A page that shows it as text holds
 * `&lt;x-fuzz-injected&gt;`; the oracles fail on the raw tag (test/support/fuzz-oracles.ts).
 */
export const INJECTED_MARKUP = '<x-fuzz-injected>'

/**
 * JavaScript numbers around every edge a claim or a lifetime can meet: 2^31 and 2^32 (32-bit
 * time), 2^53 - 1 and 2^53 (the last safe integer and the first that is not), 2^63 and 2^64
 * (a PostgreSQL bigint and its unsigned twin), 1e21 (where String() switches to exponent
 * form), 1e300 and Number.MAX_VALUE (finite but absurd), and the fractions and negatives.
 */
const EDGE_NUMBERS: readonly number[] = [
  0,
  -0,
  1,
  -1,
  0.5,
  -0.5,
  1.5,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32,
  Number.MAX_SAFE_INTEGER,
  2 ** 53,
  2 ** 53 + 2,
  Number.MIN_SAFE_INTEGER,
  -(2 ** 53),
  2 ** 63,
  2 ** 64,
  1e21,
  1e300,
  -1e300,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  Number.EPSILON,
]

/**
 * JSON number literals JavaScript cannot hold exactly: they parse to Infinity (1e400, 310
 * digits), to -0, to 0 (1e-400), or to a neighbouring integer (2^53 + 1).
 */
export const NUMBER_LITERALS: readonly string[] = [
  '1e400',
  '-1e400',
  '1E+999',
  `1${'0'.repeat(309)}`,
  '9007199254740993',
  '-9007199254740993',
  '123456789012345678901234567890',
  '-0',
  '0.0',
  '0e0',
  '1e-400',
  '2.5e-324',
  '1.7976931348623157e308',
]

/** Numbers as a form field or a query parameter carries them: every spelling a parser may trip on. */
const NUMBER_TEXTS: readonly string[] = [
  ...EDGE_NUMBERS.map(String),
  ...NUMBER_LITERALS,
  'NaN',
  'Infinity',
  '-Infinity',
  '0x1F',
  '0b11',
  '1_000',
  ' 42',
  '42 ',
  '+1',
  '1.',
  '.5',
  '00',
  '-',
  'e5',
  '١٢٣',
  '１２３',
  '9'.repeat(400),
]

/** A JSON number literal written as is into a body (see jsonText): 1e400 stays 1e400. */
export class JsonLiteral {
  readonly text: string
  constructor(text: string) {
    this.text = text
  }
}

/**
 * JSON text for a value that may hold JsonLiterals. JSON.stringify cannot write a number
 * JavaScript cannot hold, so the literals are spliced in by hand; undefined and functions do
 * not occur (the arbitraries make none).
 */
export function jsonText(value: unknown): string {
  if (value instanceof JsonLiteral) return value.text
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    const members = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`)
    return `{${members.join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/** A number at an edge, a random double (finite, as JSON has no other), or a random integer. */
const edgeNumber: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...EDGE_NUMBERS) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.integer() },
)

/** A number for a JSON body: an edge number, or a literal only the parser sees. */
export const jsonNumber: fc.Arbitrary<number | JsonLiteral> = fc.oneof(
  edgeNumber,
  fc.constantFrom(...NUMBER_LITERALS).map((text) => new JsonLiteral(text)),
)

/** A number as form text. */
export const numberText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...NUMBER_TEXTS),
  fc.double().map(String),
  fc.bigInt().map(String),
)

/**
 * A time claim (exp, iat, nbf) as a client might send it: now + `validOffset` seconds (the
 * value that passes, so that whole requests pass too) two times in three; otherwise near now (just
 * expired, not yet valid), in milliseconds by mistake, at a number edge, a JSON literal, or not
 * a number at all.
 */
export function timeValue(validOffset: number): fc.Arbitrary<unknown> {
  const now = nowSeconds()
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(now + validOffset) },
    { weight: 1, arbitrary: fc.constantFrom(now - 3600, now + 3600, now + 2 ** 31, now * 1000) },
    { weight: 1, arbitrary: jsonNumber },
    {
      weight: 1,
      arbitrary: fc.constantFrom<unknown>('', String(now), null, true, [], {}, [now], { exp: 1 }),
    },
  )
}

/** Strings every parser should have met before: separators, escapes, look-alikes, markup. */
const SPECIAL_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  '\r\n',
  '\t',
  '%',
  '%00',
  '%zz',
  '%C0%AF',
  '+',
  '&',
  '=',
  '#',
  '?',
  '/',
  '..',
  '../../etc/passwd',
  '\\',
  '"',
  "'",
  INJECTED_MARKUP,
  `"><${INJECTED_MARKUP.slice(1)}`,
  'javascript:alert(1)',
  '\u202e',
  '\ufeff',
  '\ud800',
  '\udfff',
  '💥',
  'e\u0301',
  '\u0130',
  'ß',
  '𝔘𝔫𝔦',
  'null',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'https://evil.example/',
  '//evil.example',
  'https://client.example/callback',
]

/**
 * One long value: a unit repeated up to `maxLength` characters (long values are cheap to make
 * this way; random ones of that size would dominate the run time).
 */
export function longText(maxLength: number): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.constantFrom('a', 'é', '💥', '%', '\u0000', 'ab ', '<', '%ZZ'),
      fc.integer({ min: Math.min(256, maxLength), max: maxLength }),
    )
    .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length))
}

/** Any text: ASCII, graphemes, lone surrogates, the special strings, numbers, long values. */
export function fuzzText(maxLength = 4000): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string(),
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: 'binary' }),
    fc.constantFrom(...SPECIAL_STRINGS),
    numberText,
    longText(maxLength),
  )
}

/**
 * A header value fetch can send and Node's parser accepts (RFC 9110 §5.5: HTAB, visible ASCII,
 * space, obs-text 0x80-0xFF). Other bytes never reach the application: Node answers 400 itself.
 */
export const headerText: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0x20, max: 0x7e }),
      fc.integer({ min: 0x80, max: 0xff }),
      fc.constant(0x09),
    ),
    { maxLength: 200 },
  )
  .map((codes) => String.fromCharCode(...codes).trim())

/** Any JSON-like value, with JsonLiterals and edge numbers for its numbers. Serialise with jsonText. */
export const anyJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    jsonNumber,
    fuzzText(300),
    fc.constantFrom<unknown>(null, true, false),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string(), fc.constantFrom(...SPECIAL_STRINGS)), tie('value'), {
      maxKeys: 4,
    }),
  ),
})).value

/** A form as name-value pairs, in order; a name may come more than once. */
export type Pairs<V> = readonly (readonly [string, V])[]

/**
 * A form grown from `template`, the request an endpoint expects: each parameter kept (four
 * times in six), replaced by a `value`, or left out; then up to three parameters the template
 * does not hold, named from `otherNames` or anything, with `value`s; and one time in eight one
 * of the pairs again (OAuth 2.1 §3.1-3.2: parameters must not repeat). Mutating a valid request
 * reaches every rule of the endpoint, where random forms stop at the first.
 */
export function mutatedForm<V>(
  template: Pairs<V>,
  value: fc.Arbitrary<V>,
  otherNames: readonly string[],
): fc.Arbitrary<Pairs<V>> {
  const parameter = ([name, right]: readonly [string, V]) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.constant<Pairs<V>>([[name, right]]) },
      { weight: 1, arbitrary: value.map((v): Pairs<V> => [[name, v]]) },
      { weight: 1, arbitrary: fc.constant<Pairs<V>>([]) },
    )
  const others = otherNames.filter((name) => !template.some(([own]) => own === name))
  const extras = fc.uniqueArray(
    fc.tuple(
      fc.oneof(
        { weight: 5, arbitrary: fc.constantFrom(...others) },
        { weight: 1, arbitrary: fuzzText(40) },
      ),
      value,
    ),
    { maxLength: 3, selector: ([name]) => name },
  )
  return fc
    .tuple(
      fc.tuple(...template.map(parameter)),
      extras,
      fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat() }),
    )
    .map(([kept, extra, repeat]): Pairs<V> => {
      const form = [...kept.flat(), ...extra]
      const again = repeat === null ? undefined : form[repeat % Math.max(form.length, 1)]
      return again === undefined ? form : [...form, again]
    })
}

/** `pairs` form-encoded (URLSearchParams: UTF-8, lone surrogates become U+FFFD). */
export function formEncode(pairs: Pairs<string>): string {
  return new URLSearchParams(
    pairs.map(([name, value]): [string, string] => [name, value]),
  ).toString()
}

/**
 * Every byte of `text`'s UTF-8 but the RFC 3986 §2.3 unreserved ones as %XX: one path segment,
 * whatever it holds (a lone surrogate becomes U+FFFD's bytes, where encodeURIComponent throws).
 */
export function percentEncode(text: string): string {
  let out = ''
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte)
    out += /[A-Za-z0-9\-._~]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/**
 * A Content-Type: `right` eight times in nine (so requests get to the endpoint's rules), else
 * one of `others`, its other spellings and wrong types (a 415 must come back for those).
 */
export function contentType(right: string, others: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant(right) },
    { weight: 1, arbitrary: fc.constantFrom(...others) },
  )
}
