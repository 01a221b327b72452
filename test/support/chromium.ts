import { existsSync } from 'node:fs'
import type { Browser } from 'playwright-core'
import { chromium } from 'playwright-core'

/** Debian's Chromium (apt install chromium); playwright-core never downloads a browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium'

/** Headless, no sandbox (containers run as root), and nothing that phones home or updates. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
]

export interface ChromiumAvailability {
  readonly available: boolean
  /** Why the browser suites cannot run, for the warning or the failure; null when available. */
  readonly reason: string | null
}

/**
 * Whether the browser suites can run. Locally a missing Chromium skips them with a loud warning;
 * in CI (`CI=true`) the suites run anyway and fail in beforeAll with `reason`, so a CI image
 * without Chromium can never pass by skipping the end-to-end tests.
 */
export function chromiumAvailability(): ChromiumAvailability {
  if (existsSync(CHROMIUM_PATH)) return { available: true, reason: null }
  return {
    available: false,
    reason: `Chromium is not installed at ${CHROMIUM_PATH} (Debian: apt-get install chromium); the browser end-to-end suites need it`,
  }
}

/** True when the suite must be skipped: Chromium missing and not in CI. Warns loudly then. */
export function skipBrowserSuite(): boolean {
  const { available, reason } = chromiumAvailability()
  if (available) return false
  if (process.env.CI === 'true') return false
  console.warn(
    `\n${'!'.repeat(78)}\n!! SKIPPING the browser end-to-end suite: ${reason}\n!! In CI (CI=true) this is a failure, not a skip.\n${'!'.repeat(78)}\n`,
  )
  return true
}

/** Launches Debian's Chromium headless; throws the availability reason when it is missing. */
export async function launchChromium(): Promise<Browser> {
  const { available, reason } = chromiumAvailability()
  if (!available) throw new Error(reason ?? 'Chromium is not available')
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
  })
}
