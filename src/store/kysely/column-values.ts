/**
 * Times and counts are integers (store.ts). Checked on the way in because SQLite would quietly
 * keep 1.5 as a REAL while PostgreSQL's bigint rejects it: every dialect should behave alike.
 */
export function integer(value: number, name: string): number {
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`${name} must be an integer, got ${value}`)
  }
  return value
}

/**
 * node-postgres returns int8 as a string. Number() of it is exact below 2^53, which epoch seconds
 * stay under for another 285 million years; anything else means the row was not written by us.
 */
export function readInteger(value: number | string, column: string): number {
  const number = typeof value === 'number' ? value : Number(value)
  if (!Number.isSafeInteger(number)) {
    throw new Error(`column ${column} holds ${String(value)}, which is not an integer`)
  }
  return number
}

export function nullableInteger(value: number | null, name: string): number | null {
  return value === null ? null : integer(value, name)
}

export function readNullableInteger(value: number | string | null, column: string): number | null {
  return value === null ? null : readInteger(value, column)
}

/** Booleans are integer 0/1 in every dialect (schema.ts); this and readFlag convert them. */
export function flag(value: boolean): number {
  return value ? 1 : 0
}

export function readFlag(value: number | string, column: string): boolean {
  const number = readInteger(value, column)
  if (number === 0) return false
  if (number === 1) return true
  throw new Error(`column ${column} holds ${String(value)}, which is not 0 or 1`)
}

/** Lists (scopes, resources) are JSON text: an array of strings, written by JSON.stringify. */
export function readStringArray(text: string, column: string): readonly string[] {
  const value: unknown = JSON.parse(text)
  if (Array.isArray(value)) {
    const items: readonly unknown[] = value
    if (items.every((item): item is string => typeof item === 'string')) return items
  }
  throw new Error(`column ${column} holds ${text}, which is not a JSON array of strings`)
}
