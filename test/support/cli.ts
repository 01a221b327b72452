import type { ChildProcess } from 'node:child_process'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const BIN = fileURLToPath(new URL('../../bin/registrar.js', import.meta.url))
const BUILT = fileURLToPath(new URL('../../dist/cli/run.js', import.meta.url))

/** The CLI runs from dist/: `npm test` builds first; a bare `vitest` run needs `npm run build`. */
export function assertBuilt(): void {
  if (!existsSync(BUILT))
    throw new Error('dist/ is missing: run `npm run build` before the CLI tests')
}

export interface CliResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export function runCli(args: readonly string[], input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(input ?? '')
  })
}

export interface ServeProcess {
  readonly url: string
  readonly child: ChildProcess
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>
  stderr(): string
}

/**
 * Starts `registrar serve` and resolves once it prints `listening on <url>`. `env` replaces the
 * child's environment (this process's by default), for what Node reads at start only.
 */
export function serveCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    })
    let stdout = ''
    let stderr = ''
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)))
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      const match = /listening on (http:\/\/\S+)/.exec(stdout)
      if (match?.[1] !== undefined) {
        resolve({
          url: match[1],
          child,
          stop() {
            child.kill('SIGTERM')
            return exited
          },
          stderr: () => stderr,
        })
      }
    })
    void exited.then((code) =>
      reject(new Error(`serve exited with ${code} before listening: ${stderr}`)),
    )
  })
}
