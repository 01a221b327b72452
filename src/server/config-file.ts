import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { formatConfigIssue, optionsSchema } from '../options.js'

/**
 * The `--config <file.json>` schema: the serialisable registrar options plus what only the
 * standalone server needs. Unknown keys and wrong types are errors naming the key.
 */
export const configFileSchema = optionsSchema.extend({
  issuer: z.string().optional(),
  host: z.string().min(1).optional(),
  port: z.number().int().min(0).max(65535).optional(),
  database: z.string().min(1).optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
})

export type ConfigFile = z.infer<typeof configFileSchema>

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
