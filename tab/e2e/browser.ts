import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import axe from 'axe-core';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadConfig } from '../../bot/src/config';
import { startRuntime, type Runtime } from '../../bot/src/runtime';
import { testConnectionString, uniqueTablePrefix } from '../../shared/test/storage';

/**
 * The real server (dev sign-in, the run's Azurite, the built tab) and Debian's
 * Chromium, driven by playwright-core. Screenshots land in test-artifacts/ (git-ignored);
 * `screenshotBothThemes` takes a page in light and dark, `checkAccessibility` runs axe-core.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = join(__dirname, '../../test-artifacts/screenshots');
const TAB_DIST = join(__dirname, '../dist');

export interface ServerOptions {
  /**
   * Also start dev mode's simulator carrier: the demo enterprises' Simulator connections
   * and numbers (Uma User holds +1 425 555 0100) and the customer phone page's API
   * (`/dev/phone/api/send`, `/dev/phone/api/messages`), so a test can text like a customer.
   */
  devCarrier?: boolean;
}

export async function startServer(options: ServerOptions = {}): Promise<Runtime> {
  if (!existsSync(join(TAB_DIST, 'index.html'))) throw new Error('The tab is not built: run `npm run build -w tab` (npm test does it first).');
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', AUTH_MODE: 'dev', STORAGE_CONNECTION_STRING: testConnectionString(), TAB_DIST });
  return startRuntime(config, { tablePrefix: uniqueTablePrefix(), logger: pino({ level: 'silent' }), ...(options.devCarrier ? { devCarrier: true } : {}) });
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

/** What a browser test file works with; `runtime` and `browser` exist from its beforeAll on. */
export interface BrowserSuite {
  readonly runtime: Runtime;
  readonly browser: Browser;
  /** Console errors and uncaught exceptions of the pages; any fails the test that caused it. */
  readonly errors: string[];
  /** A fresh page whose errors are recorded. */
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
}

/**
 * Registers the hooks of a browser test file: the real server and Chromium started
 * once (then `setup`, for the file's data), both stopped after, and each test failed
 * by any error its pages logged.
 */
export function browserSuite(options: ServerOptions & { setup?: (runtime: Runtime) => Promise<void> } = {}): BrowserSuite {
  const { setup, ...serverOptions } = options;
  let runtime: Runtime | undefined;
  let browser: Browser | undefined;
  const errors: string[] = [];
  beforeAll(async () => {
    [runtime, browser] = await Promise.all([startServer(serverOptions), launchBrowser()]);
    await setup?.(runtime);
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
  });
  afterEach(() => {
    expect(errors.splice(0)).toEqual([]);
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`The ${what} has not started: use it inside tests or hooks.`);
    return value;
  };
  return {
    get runtime() {
      return started(runtime, 'server');
    },
    get browser() {
      return started(browser, 'browser');
    },
    errors,
    newPage: (viewport) => newPage(started(browser, 'browser'), errors, viewport),
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  // Transitions run to their end first: a theme switch or a click must not leave colours half-way.
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true, animations: 'disabled', caret: 'hide' });
}

/** Signs in with the dev identity whose label contains `who` and waits for the first page. */
export async function signIn(page: Page, baseUrl: string, who: string, query = ''): Promise<void> {
  await page.goto(`${baseUrl}/index.html${query}#/admin`);
  await page.getByRole('button', { name: new RegExp(who) }).click();
  await page.getByRole('main').getByRole('heading', { level: 1 }).waitFor();
}

export type ScreenshotTheme = 'light' | 'dark';

/**
 * Re-renders the open page in another theme without reloading it (the open dialog,
 * thread or typed text stay): `?theme=` after the hash is what the tab follows outside
 * Teams. Waits until the document says the theme is applied.
 */
export async function switchTheme(page: Page, theme: ScreenshotTheme): Promise<void> {
  await page.evaluate((name) => {
    const search = new URLSearchParams(window.location.search);
    search.delete('theme');
    const query = search.toString();
    const route = window.location.hash.split('?')[0] || '#/';
    history.replaceState(history.state, '', `${window.location.pathname}${query ? `?${query}` : ''}${route}?theme=${name}`);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  }, theme === 'light' ? 'default' : 'dark');
  await page.waitForFunction((scheme) => document.documentElement.style.colorScheme === scheme, theme);
  // Let styles settle (fonts, transitions) before a picture is taken.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

/** `{name}-light.png` and `{name}-dark.png` of the page as it is; the page is left in the light theme. */
export async function screenshotBothThemes(page: Page, name: string): Promise<void> {
  for (const theme of ['dark', 'light'] as const) {
    await switchTheme(page, theme);
    await screenshot(page, `${name}-${theme}`);
  }
}

/** Waits for the finite animations running now (a dialog fading in): mid-fade colours would fail a contrast check. */
export async function settleAnimations(page: Page): Promise<void> {
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((animation) => animation.effect?.getTiming().iterations !== Infinity)
        .map((animation) => animation.finished.catch(() => undefined)),
    ),
  );
}

export interface AccessibilityOptions {
  /** CSS selectors to leave out (e.g. a third-party frame). */
  exclude?: string[];
}

/**
 * Tabster (Fluent UI's focus manager) brackets focus groups and dialogs with empty,
 * aria-hidden, focusable `<i data-tabster-dummy>` sentinels that pass focus straight on:
 * by design, so axe's aria-hidden-focus finding on them is no problem of the page.
 */
const ALWAYS_EXCLUDED = ['[data-tabster-dummy]'];

interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  helpUrl: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

/**
 * Runs axe-core on the page as it is and fails on serious or critical violations, with
 * one readable line per problem and the elements concerned. Minor and moderate findings
 * are returned for the caller to look at, not failed on.
 */
export async function checkAccessibility(page: Page, name: string, options: AccessibilityOptions = {}): Promise<AxeViolation[]> {
  await settleAnimations(page);
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axe.source });
  const violations = await page.evaluate(async (exclude) => {
    const engine = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const context = { include: [document], exclude: exclude.map((selector) => [selector]) };
    const result = await engine.run(context, { resultTypes: ['violations'] });
    return result.violations.map(({ id, impact, help, helpUrl, nodes }) => ({ id, impact, help, helpUrl, nodes: nodes.map(({ target, failureSummary }) => ({ target, failureSummary })) }));
  }, [...ALWAYS_EXCLUDED, ...(options.exclude ?? [])]);
  const blocking = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (blocking.length > 0) {
    const lines = blocking.map((v) => {
      const where = v.nodes.slice(0, 5).map((n) => `      ${JSON.stringify(n.target)}${n.failureSummary ? `: ${n.failureSummary.replace(/\s+/g, ' ')}` : ''}`);
      return [`  - [${v.impact}] ${v.id}: ${v.help} (${v.nodes.length} element${v.nodes.length === 1 ? '' : 's'}; ${v.helpUrl})`, ...where].join('\n');
    });
    throw new Error(`Accessibility check "${name}" found ${blocking.length} serious or critical problem${blocking.length === 1 ? '' : 's'}:\n${lines.join('\n')}`);
  }
  return violations;
}

/** checkAccessibility in the dark theme and then the light one (contrast differs); the page is left light. */
export async function checkAccessibilityBothThemes(page: Page, name: string, options: AccessibilityOptions = {}): Promise<void> {
  for (const theme of ['dark', 'light'] as const) {
    await switchTheme(page, theme);
    await checkAccessibility(page, `${name} (${theme})`, options);
  }
}
