/**
 * Headless Chromium for the browser tests: Debian's package (`apt-get install -y chromium`) driven by playwright-core,
 * with the flags this machine needs (playwright gives each launch a fresh temporary profile) (no background networking: the machine's network is closed, and Chromium would
 * otherwise keep dialling Google's hosts). Screenshots are written under `artifacts/screenshots/<suite>/`, which CI
 * keeps as artifacts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const ARTIFACTS_DIR = path.resolve(process.env.BROWSER_ARTIFACTS_DIR ?? path.join(__dirname, '..', '..', 'artifacts'));

export interface BrowserSession {
  browser: Browser;
  /** A fresh page in a new context (own cookies and storage), with console errors collected in `errors`. */
  newPage(): Promise<Page & { errors: string[] }>;
  /** Saves a full-page screenshot as `artifacts/screenshots/<suite>/<nn>-<name>.png` and returns its path. */
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

export async function launchBrowser(suite: string): Promise<BrowserSession> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const shotsDir = path.join(ARTIFACTS_DIR, 'screenshots', suite);
  fs.mkdirSync(shotsDir, { recursive: true });
  let shot = 0;
  return {
    browser,
    async newPage() {
      const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1280, height: 900 } });
      const page = (await context.newPage()) as Page & { errors: string[] };
      page.errors = [];
      page.on('pageerror', (error) => page.errors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') page.errors.push(message.text());
      });
      return page;
    },
    async screenshot(page, name) {
      shot += 1;
      const file = path.join(shotsDir, `${String(shot).padStart(2, '0')}-${name.replace(/[^\w.-]+/g, '-')}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async close() {
      await browser.close();
    },
  };
}
