import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Store } from '../../src/core/store/store.js'
import type { RegistrarOptions } from '../../src/options.js'
import type { Registrar } from '../../src/registrar.js'
import { createRegistrar } from '../../src/registrar.js'
import { startServer } from '../../src/server/start-server.js'
import { openSqliteStore } from '../../src/store/sqlite.js'

export interface TestServer {
  /** http://127.0.0.1:<port>, also the issuer unless `issuerPath` was given. */
  readonly url: string
  readonly issuer: string
  readonly registrar: Registrar
  readonly store: Store
  /** Every byte the SQLite database holds on disk right now: the file, its WAL and shm. */
  databaseBytes(): Promise<Buffer>
  close(): Promise<void>
}

/**
 * A real registrar on a real port with a fresh SQLite file database, started the way
 * `registrar serve` starts it.
 */
export async function startTestServer(
  overrides: Omit<Partial<RegistrarOptions>, 'store' | 'issuer'> & {
    readonly issuerPath?: string
  } = {},
): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'registrar-test-'))
  const store = await openSqliteStore({ path: join(dir, 'registrar.db') })
  const { issuerPath, ...options } = overrides
  let registrar: Registrar | null = null
  const server = await startServer('127.0.0.1', 0, (url) => {
    registrar = createRegistrar({ ...options, issuer: `${url}${issuerPath ?? ''}`, store })
    return registrar
  })
  if (registrar === null) throw new Error('startServer did not build the registrar')
  const built: Registrar = registrar
  return {
    url: server.url,
    issuer: built.options.issuer,
    registrar: built,
    store,
    async databaseBytes() {
      const files = await readdir(dir)
      return Buffer.concat(await Promise.all(files.map((file) => readFile(join(dir, file)))))
    },
    async close() {
      await server.close(0)
      await store.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** POSTs a JSON body (or a raw string) to the registration endpoint. */
export async function register(
  base: string,
  body: unknown,
  init: { readonly headers?: Record<string, string>; readonly raw?: boolean } = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(`${base}/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...init.headers },
    body: init.raw === true ? (body as string) : JSON.stringify(body),
  })
  const text = await response.text()
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  }
}
