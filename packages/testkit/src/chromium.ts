import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser } from 'playwright-core'

/** Debian's `chromium` package; never a browser downloaded by Playwright. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Headless, and nothing that reaches the network by itself. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** Where tests keep what a person may want to look at afterwards (gitignored). */
export const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url))

/**
 * Whether browser tests can run. Outside CI a missing Chromium skips them with
 * a visible message; with CI=true it is a failure, since `.ci/run` installs it.
 */
export function chromiumForTests(what: string): boolean {
  if (existsSync(CHROMIUM_PATH)) return true
  if (process.env.CI === 'true') throw new Error(`No Chromium at ${CHROMIUM_PATH}, and CI=true needs it for ${what} (.ci/run installs Debian's chromium)`)
  console.warn(`Skipping ${what}: no Chromium at ${CHROMIUM_PATH}. Install it (apt-get install chromium), or point CHROMIUM_PATH at one.`)
  return false
}

/** Starts headless Chromium through playwright-core. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core')
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS })
}

/** A path under test-artifacts/, its folder created. */
export function artifact(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true })
  return join(ARTIFACTS, name)
}
