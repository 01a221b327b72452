import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { formatConfigIssue, settingsSchema } from '../options.js'

/** pino's levels, and silent. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/**
 * The `--config <file.json>` schema: the serialisable registrar options plus what only the
 * standalone server reads, each with its default (flags and the environment win over the
 * file). Unknown keys and wrong types are errors naming the key. The comments on the server's
 * keys are the README's text for them (test/readme-config.test.ts).
 */
export const configFileSchema = z.strictObject({
  /**
   * RFC 8414 issuer: https, no query or fragment; plain http only on loopback. Endpoints are
   * served under its path. Also `--issuer`; without either, the address the server binds,
   * `http://<host>:<port>`.
   */
  issuer: z.string().optional(),
  /** Address to bind; also `--host`. @default '127.0.0.1' */
  host: z.string().min(1).default('127.0.0.1'),
  /** Port to listen on, 0 for any free one; also `--port`. @default 8080 */
  port: z.number().int().min(0).max(65535).default(8080),
  /**
   * `sqlite:<path>` or
   * `postgres://user:password@host:5432/db?pool=10&statement_timeout=5000&connect_timeout=5&schema=name`
   * (see [PostgreSQL](#postgresql)); `--database` and `REGISTRAR_DATABASE_URL` win over it.
   * @default 'sqlite:./registrar.db'
   */
  database: z.string().min(1).default('sqlite:./registrar.db'),
  /** pino level of the logs written to stderr; also `--log-level`. @default 'info' */
  logLevel: z.enum(LOG_LEVELS).default('info'),
  ...settingsSchema.shape,
})

/** A parsed config file: every key but `issuer` is present, with its default if the file had none. */
export type ConfigFile = z.output<typeof configFileSchema>

/** The configuration a command runs with when it is given no `--config`: every default. */
export function defaultConfig(): ConfigFile {
  return configFileSchema.parse({})
}

export async function loadConfigFile(path: string): Promise<ConfigFile> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new TypeError(
      `config: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    )
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new TypeError(`config: ${path} is not valid JSON: ${(error as Error).message}`)
  }
  const parsed = configFileSchema.safeParse(json)
  if (!parsed.success) {
    throw new TypeError(
      `config: ${path} is invalid:\n${parsed.error.issues.map((issue) => `  - ${formatConfigIssue(issue)}`).join('\n')}`,
    )
  }
  return parsed.data
}
