import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestServer } from './test-server.js'
import { startTestServer } from './test-server.js'

export interface InspectableServer extends TestServer {
  /** Every byte the SQLite database holds on disk right now: the file, its WAL and shm. */
  databaseBytes(): Promise<Buffer>
}

/**
 * startTestServer, plus access to the raw database files, for tests that must show a value
 * never reaches storage in any form. startTestServer makes its directory under os.tmpdir(),
 * which follows TMPDIR, so the directory is pinned by pointing TMPDIR at a private parent for
 * the duration of the call.
 */
export async function startInspectableServer(
  overrides: Parameters<typeof startTestServer>[0] = {},
): Promise<InspectableServer> {
  const parent = await mkdtemp(join(tmpdir(), 'registrar-inspect-'))
  const saved = process.env.TMPDIR
  process.env.TMPDIR = parent
  let server: TestServer
  try {
    server = await startTestServer(overrides)
  } finally {
    if (saved === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = saved
  }
  const [dir] = await readdir(parent)
  if (dir === undefined) throw new Error('startTestServer made no directory under TMPDIR')
  const dbDir = join(parent, dir)
  return {
    url: server.url,
    issuer: server.issuer,
    registrar: server.registrar,
    store: server.store,
    async databaseBytes() {
      const files = await readdir(dbDir)
      const contents = await Promise.all(files.map((file) => readFile(join(dbDir, file))))
      return Buffer.concat(contents)
    },
    async close() {
      await server.close()
      await rm(parent, { recursive: true, force: true })
    },
  }
}
