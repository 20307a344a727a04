import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { chromium, type Browser, type Page } from 'playwright-core';
import { defaultEnterpriseSettings, type Principal, type RunningAzurite } from '@switchboard/shared';
import { loadConfig } from '@switchboard/bot/dist/config';
import { DEV_PROVIDER_TENANT } from '@switchboard/bot/dist/dev/dev-sign-in';
import { startRuntime, type Runtime } from '@switchboard/bot/dist/runtime';
import { report } from './report';
import { ENTERPRISE, user } from './users-query.bench';

/**
 * The tab's Users page with 50,000 users, measured in Debian's Chromium against the
 * real server on Azurite (the users of the users-query bench, in an enterprise the
 * dev sign-in's provider admin manages):
 * - navigation → first rows visible: a full page load of the Users page (scripts,
 *   sign-in from the session, the enterprise, the first page of users), timed in the
 *   page from the navigation's start. The first load also fills the server's
 *   in-memory snapshot of the users (`cold`); the others find it there.
 * - search keystroke → rows updated: typing into the quick search one key at a time;
 *   from the key event to the moment the count and the first row show that search's
 *   answer (the server's answer is worked out beforehand to know what to wait for).
 * - the same searches run in the server's process just before each keystroke
 *   (`server-query`): a slow keystroke with a slow server query means a busy server.
 * Targets: first rows ≤ 2 s, keystroke → rows ≤ 200 ms.
 */
const USERS = 50_000;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TAB_DIST = join(__dirname, '../../tab/dist'); // from bench/dist
const WARM_LOADS = 5;
const WORDS = ['margaret', 'hopper', 'zola 1', 'kierkegaard', '555 0012', 'night', 'lovelace 42'];

const provider: Principal = { userId: 'bench-provider', name: 'Bench Provider', tenantId: DEV_PROVIDER_TENANT, role: 'provider-admin', providerId: DEV_PROVIDER_TENANT };

/**
 * In the page, before its scripts: `__firstRows` resolves with the time (ms since the
 * navigation started) when the first data row shows a user.
 */
const FIRST_ROWS_PROBE = `
window.__firstRows = new Promise((resolve) => {
  const seen = () => {
    const row = document.querySelector('[role="row"][aria-rowindex="2"]');
    return row !== null && row.textContent.includes('@');
  };
  const observer = new MutationObserver(() => {
    if (seen()) { observer.disconnect(); resolve(performance.now()); }
  });
  observer.observe(document, { subtree: true, childList: true, characterData: true });
});
window.__keyAt = 0;
document.addEventListener('keydown', (event) => { window.__keyAt = event.timeStamp; }, true);
`;

/** Arms a wait for the list to show `count` users (the count label) with `first` in the first row, or the empty state. */
const armRowsProbe = (count: number, first: string | undefined) => `
(() => {
  const count = ${JSON.stringify(count.toLocaleString('en-US'))};
  const first = ${JSON.stringify(first ?? null)};
  const shown = () => {
    if (first === null) return document.body.textContent.includes('No users match');
    const label = [...document.querySelectorAll('[aria-live="polite"]')].some((el) => /^[\\d,]+ (of [\\d,]+ )?users?$/.test(el.textContent) && el.textContent.startsWith(count + ' '));
    const row = document.querySelector('[role="row"][aria-rowindex="2"]');
    return label && row !== null && row.textContent.includes(first);
  };
  // Already showing that answer: this keystroke cannot be timed.
  if (shown()) { window.__rowsAt = Promise.resolve(null); return; }
  window.__rowsAt = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (shown()) { observer.disconnect(); resolve(performance.now()); }
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
  });
})()`;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function seed(runtime: Runtime): Promise<void> {
  const at = new Date().toISOString();
  await runtime.services.enterpriseRepository.create({
    id: ENTERPRISE,
    name: 'Bench Users',
    tenantId: '33333333-3333-4333-8333-333333333333',
    providerId: DEV_PROVIDER_TENANT,
    createdAt: at,
    updatedAt: at,
    settings: { ...defaultEnterpriseSettings, allowProviderManagement: true },
  });
  const CHUNK = 5_000;
  for (let from = 0; from < USERS; from += CHUNK) {
    await runtime.services.userRepository.createMany(Array.from({ length: Math.min(CHUNK, USERS - from) }, (_, k) => user(from + k)));
  }
}

async function firstRowsAfterNavigation(page: Page, url: string): Promise<number> {
  await page.goto(url);
  return (await page.evaluate('window.__firstRows')) as number;
}

export async function usersPageBench(azurite: RunningAzurite): Promise<void> {
  if (!existsSync(join(TAB_DIST, 'index.html'))) throw new Error('The tab is not built: run `npm run build -w tab` first.');
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not at ${CHROMIUM}: install it with \`apt-get install -y chromium\` or set CHROMIUM_PATH.`);
  const prefix = `p${Date.now().toString(36)}`;
  const config = (usersPreload: 'on' | 'off') =>
    loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      AUTH_MODE: 'dev',
      STORAGE_CONNECTION_STRING: azurite.connectionString,
      STORAGE_TABLE_PREFIX: prefix,
      DIRECTORY_SYNC_SCHEDULE: 'off',
      USERS_PRELOAD: usersPreload,
      TAB_DIST,
    });
  // Seed through one server, then measure a fresh start of another, as in production (NODE_ENV=production preloads the users).
  const seeder = await startRuntime(config('off'), { logger: pino({ level: 'silent' }) });
  try {
    await seed(seeder);
  } finally {
    await seeder.stop();
  }
  const runtime = await startRuntime(config('on'), { logger: pino({ level: 'silent' }) });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript({ content: FIRST_ROWS_PROBE });
    const page = await context.newPage();
    await page.goto(`${runtime.url}/index.html#/admin`);
    await page.getByRole('button', { name: /Pat Provider/ }).click();
    await page.getByRole('main').getByRole('heading', { level: 1 }).waitFor();

    // Navigation → first rows: the first visit after the start (the users preloading meanwhile), then warm.
    const usersUrl = (n: number) => `${runtime.url}/index.html?load=${n}#/admin/enterprises/${ENTERPRISE}/users`;
    report({ name: 'users-page.first-rows.cold', value: await firstRowsAfterNavigation(page, usersUrl(0)), unit: 'ms' });
    const loads: number[] = [];
    for (let i = 1; i <= WARM_LOADS; i++) loads.push(await firstRowsAfterNavigation(page, usersUrl(i)));
    loads.sort((a, b) => a - b);
    report({ name: 'users-page.first-rows.p50', value: percentile(loads, 50), unit: 'ms' });
    report({ name: 'users-page.first-rows.max', value: loads[loads.length - 1]!, unit: 'ms' });
    report({ name: 'users-page.dom-rows', value: await page.locator('[role="row"]').count(), unit: 'rows' });

    // Search keystroke → rows updated.
    const search = page.getByRole('searchbox', { name: 'Search users' });
    const times: number[] = [];
    // The same search run in the server's process just before: when it is slow too, the server was busy, not the page.
    const serverTimes: number[] = [];
    let shown = '';
    for (const word of WORDS) {
      await search.fill('');
      const everyone = await runtime.services.users.query(provider, ENTERPRISE, { limit: 1 });
      await page.evaluate(armRowsProbe(everyone.total, everyone.items[0]?.username));
      await page.evaluate('window.__rowsAt');
      shown = `${everyone.total}:${everyone.items[0]?.username ?? ''}`;
      for (let k = 1; k <= word.length; k++) {
        const text = word.slice(0, k);
        const asked = performance.now();
        const answer = await runtime.services.users.query(provider, ENTERPRISE, { search: text, limit: 1 });
        serverTimes.push(performance.now() - asked);
        const expected = `${answer.total}:${answer.items[0]?.username ?? ''}`;
        const char = word[k - 1]!;
        // A keystroke that changes nothing on screen (the same answer) cannot be timed: type it and go on.
        if (expected === shown || char === ' ') {
          await page.keyboard.type(char);
          continue;
        }
        await page.evaluate(armRowsProbe(answer.total, answer.items[0]?.username));
        await page.keyboard.type(char);
        const [rowsAt, keyAt] = (await page.evaluate('Promise.all([window.__rowsAt, window.__keyAt])')) as [number | null, number];
        if (rowsAt !== null) times.push(rowsAt - keyAt);
        shown = expected;
      }
    }
    times.sort((a, b) => a - b);
    report({ name: 'users-page.search-keystroke.p50', value: percentile(times, 50), unit: 'ms' });
    report({ name: 'users-page.search-keystroke.p95', value: percentile(times, 95), unit: 'ms' });
    report({ name: 'users-page.search-keystroke.max', value: times[times.length - 1]!, unit: 'ms' });
    report({ name: 'users-page.search-keystroke.samples', value: times.length, unit: 'keystrokes' });
    serverTimes.sort((a, b) => a - b);
    report({ name: 'users-page.server-query.p95', value: percentile(serverTimes, 95), unit: 'ms' });
    report({ name: 'users-page.server-query.max', value: serverTimes[serverTimes.length - 1]!, unit: 'ms' });
  } finally {
    await browser?.close();
    await runtime.stop();
  }
}
