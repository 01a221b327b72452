import { describe, expect, it } from 'vitest'
import { newClientId } from './new-client-id.js'

describe('client ids are unguessable, safe on a command line, and sort by registration time', () => {
  it.each([
    ['is 32 hex digits', (id: string) => /^[0-9a-f]{32}$/.test(id)],
    [
      'never takes the https:// form of a CIMD client id (CIMD §6.9)',
      (id: string) => !id.startsWith('https://'),
    ],
    ["never starts with '-'", (id: string) => !id.startsWith('-')],
  ])('%s', (_rule, holds) => {
    for (let i = 0; i < 1000; i++) expect(holds(newClientId())).toBe(true)
  })

  it('ids made later sort after earlier ones', async () => {
    const first = newClientId()
    await new Promise((resolve) => setTimeout(resolve, 2))
    expect(newClientId() > first).toBe(true)
  })

  it('10,000 ids are all different', () => {
    expect(new Set(Array.from({ length: 10_000 }, newClientId)).size).toBe(10_000)
  })
})
