// A real browser for the console's end-to-end tests: Debian's chromium driven by playwright-core
// (no browser download), a fresh profile per test, screenshots under test-artifacts/console/.
// Also makes sure dist/console is built from the current console sources.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { projectRoot } from '../../common/paths.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = join(projectRoot(), 'test-artifacts', 'console');

export const IOC_SCREEN = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };

type Teardown = { teardown(fn: () => unknown): void };

function newest(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n = Math.max(n, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return n;
}

/** Rebuilds dist/console when any console source is newer than the build (once, under a lock). */
export function ensureConsoleBuilt(): void {
  const root = projectRoot();
  const marker = join(root, 'dist', 'console', 'index.html');
  if (existsSync(marker) && statSync(marker).mtimeMs >= newest(join(root, 'console'))) return;
  execFileSync('flock', [join(root, '.build.lock'), 'bash', 'scripts/build-console.sh'], { cwd: root, stdio: 'inherit' });
}

/**
 * Chromium with a fresh profile in a temporary folder (given as the user data dir of a
 * persistent context: playwright refuses --user-data-dir among plain launch args). Each page of
 * the context has its own sessionStorage, so each page signs in with its own token.
 */
export async function launchBrowser(t: Teardown, viewport = IOC_SCREEN): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), 'ioc-console-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport,
    deviceScaleFactor: 1,
    // The console must show Vietnam's time whatever the machine's zone: the browser runs in UTC.
    timezoneId: 'UTC',
    locale: 'vi-VN',
    timeout: 60_000,
  });
  t.teardown(async () => {
    await context.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
  });
  return context;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}
