/** @module chromium: Debian's chromium for the inspector page tests, driven by playwright-core (never a downloaded browser). */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const chromiumPath = '/usr/bin/chromium';
/** False where Debian's chromium is not installed (`.ci/run` installs it); the page tests skip then. */
export const haveChromium = existsSync(chromiumPath);

/**
 * Launches headless chromium with a new, empty profile in `workDir/profile`.
 * @example const browser = await launchChromium(tempDir('page-'))
 */
export async function launchChromium(workDir: string): Promise<BrowserContext> {
  const profile = join(workDir, 'profile');
  mkdirSync(profile);
  return chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
}
