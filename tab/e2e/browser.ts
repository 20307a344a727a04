import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadConfig } from '../../bot/src/config';
import { startRuntime, type Runtime } from '../../bot/src/runtime';
import { testConnectionString, uniqueTablePrefix } from '../../shared/test/storage';

/**
 * The real server (dev sign-in, the run's Azurite, the built tab) and Debian's
 * Chromium, driven by playwright-core. Screenshots land in test-artifacts/ (git-ignored).
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = join(__dirname, '../../test-artifacts/screenshots');
const TAB_DIST = join(__dirname, '../dist');

export async function startServer(): Promise<Runtime> {
  if (!existsSync(join(TAB_DIST, 'index.html'))) throw new Error('The tab is not built: run `npm run build -w tab` (npm test does it first).');
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', AUTH_MODE: 'dev', STORAGE_CONNECTION_STRING: testConnectionString(), TAB_DIST });
  return startRuntime(config, { tablePrefix: uniqueTablePrefix(), logger: pino({ level: 'silent' }) });
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (.ci/run does) or set CHROMIUM_PATH.`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** A fresh page that records console errors and uncaught exceptions, which fail the test. */
export async function newPage(browser: Browser, errors: string[], viewport = { width: 1280, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.on('console', (message) => {
    // The browser logs every 4xx answer; the tests expect some (a conflict, a field error).
    const expectedAnswer = /^Failed to load resource: the server responded with a status of 4\d\d/.test(message.text());
    if (message.type() === 'error' && !expectedAnswer) errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  return page;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Signs in with the dev identity whose label contains `who` and waits for the first page. */
export async function signIn(page: Page, baseUrl: string, who: string, query = ''): Promise<void> {
  await page.goto(`${baseUrl}/index.html${query}#/admin`);
  await page.getByRole('button', { name: new RegExp(who) }).click();
  await page.getByRole('main').getByRole('heading', { level: 1 }).waitFor();
}
