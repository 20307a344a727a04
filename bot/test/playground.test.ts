import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ConfigError, loadConfig } from '../src/config';
import { testConnectionString, uniqueTablePrefix } from '../../shared/test/storage';
import { call } from './support/http';
import { MAIN, processesMentioning, requireBuiltServer } from './support/server-process';

/**
 * `npm start -- --playground`: the built server starts the Microsoft 365 Agents
 * Playground beside it, headless, pointed at its /api/messages, as a Contoso user
 * of the demo directory who gets a Simulator number. Debian's Chromium opens the
 * Playground, chats with the bot and sends an SMS through "Text a customer".
 */
jest.setTimeout(180_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = resolve(__dirname, '../../test-artifacts/screenshots');
const CUSTOMER = '+12065550142';

describe('the Agents Playground setting', () => {
  const base = { NODE_ENV: 'test', STORAGE_CONNECTION_STRING: testConnectionString(), PLAYGROUND: 'on' };

  it('starts only in dev mode, for a bot without BOT_ID', () => {
    expect(loadConfig({ ...base, AUTH_MODE: 'dev' }).playground).toEqual({ port: 56150, dataDir: expect.stringMatching(/\.data$/) });
    expect(loadConfig({ ...base, AUTH_MODE: 'dev', PLAYGROUND: 'off' }).playground).toBeUndefined();
    const entra = () => loadConfig({ ...base, AUTH_MODE: 'entra', AUTH_CLIENT_ID: '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d', BOT_ID: '6ba7b810-9dad-41d1-80b4-00c04fd430c8', CREDENTIALS_KEYS: `k:${'a'.repeat(64)}` });
    expect(entra).toThrow(ConfigError);
    expect(entra).toThrow(/PLAYGROUND is on outside dev mode/);
    expect(() => loadConfig({ ...base, AUTH_MODE: 'dev', BOT_ID: '6ba7b810-9dad-41d1-80b4-00c04fd430c8' })).toThrow(/PLAYGROUND is on while BOT_ID is set/);
    expect(() => loadConfig({ ...base, PLAYGROUND: 'yes' })).toThrow(/PLAYGROUND is "yes"/);
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

async function until<T>(check: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('npm start -- --playground', () => {
  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  let output = '';
  let dataDir: string;
  let playgroundPort: number;

  beforeAll(() => {
    requireBuiltServer();
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not at ${CHROMIUM}: install it with \`apt-get install -y chromium\` or set CHROMIUM_PATH.`);
  });
  afterAll(async () => {
    await browser?.close();
    if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    // Should the test fail half-way, end the Playground this test started, by pid.
    for (const leftover of processesMentioning(`--port ${playgroundPort}`)) {
      try {
        process.kill(leftover.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function openPlayground(url: string): Promise<Page> {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // Only the Playground itself: its page asks a CDN for fonts, which this machine cannot reach.
    await page.route((target) => !target.href.startsWith(url), (route) => route.abort());
    await page.goto(url, { waitUntil: 'load' });
    return page;
  }

  it('serves the Playground as a known Contoso user who chats with the bot and texts a customer from the dialog', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'switchboard-playground-'));
    playgroundPort = await freePort();
    server = spawn(process.execPath, [MAIN, '--playground'], {
      cwd: resolve(__dirname, '../..'),
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        ...(process.env.HOME ? { HOME: process.env.HOME } : {}),
        NODE_ENV: 'test',
        PORT: '0',
        LOG_LEVEL: 'warn',
        STORAGE_CONNECTION_STRING: testConnectionString(),
        STORAGE_TABLE_PREFIX: uniqueTablePrefix(),
        DATA_DIR: dataDir,
        PLAYGROUND_PORT: String(playgroundPort),
        // The Playground start syncs Contoso's directory itself when the user is missing.
        DIRECTORY_SYNC_SCHEDULE: 'off',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => server!.once('exit', (code, signal) => done({ code, signal })));

    const printed = (pattern: RegExp) => () => {
      if (server!.exitCode !== null) throw new Error(`The server exited:\n${output}`);
      return pattern.exec(output) ?? undefined;
    };
    const botUrl = (await until(printed(/Switchboard is running at (http:\/\/\S+?) /), 'the server'))[1]!;
    const url = (await until(printed(/Agents Playground \(chat with the bot\): (http:\/\/\S+)/), 'the Playground address'))[1]!;
    expect(url).toBe(`http://localhost:${playgroundPort}`);
    const [, name, display] = await until(printed(/Agents Playground user: You are (.+) of Contoso, texting from (\+[\d ]+)\./), 'the Playground user', 120_000);
    const number = `+${display!.replace(/\D/g, '')}`;

    // Headless: no browser was opened; the Playground runs as the server's child, configured as told.
    const [playground] = processesMentioning(`--port ${playgroundPort}`);
    expect(playground?.args).toContain(`--app-endpoint ${botUrl}/api/messages`);
    const config = readFileSync(join(dataDir, 'playground', '.m365agentsplayground.yml'), 'utf8');
    expect(config).toContain('tenantId: "11111111-1111-4111-8111-111111111111"');
    expect(config).toContain(`name: ${JSON.stringify(name)}`);

    const page = await openPlayground(url);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.getByText('Personal Chat').click();

    // A chat message goes to the bot, and its answer comes back into the chat.
    const editor = page.locator('[data-lexical-editor="true"]').first();
    await editor.click();
    await page.keyboard.type('hello from the playground test');
    await page.keyboard.press('Enter');
    await until(async () => (/message 200 hello from the playground test[\s\S]*User Application -> Microsoft 365 Agents Playground message 201/.test(await page.locator('body').innerText()) ? true : undefined), "the bot's answer", 30_000);
    await page.screenshot({ path: join(SCREENSHOTS, 'playground-chat.png') });

    // "Text a customer": the Playground fetches our dialog, which knows the user's number.
    await page.getByRole('button', { name: 'Trigger Message Extension App' }).click();
    await page.getByText('Action Command').click();
    await page.getByPlaceholder('Input command id or leave blanks').fill('textCustomer');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByText(`From ${display}`).waitFor({ timeout: 30_000 });
    await page.getByPlaceholder("The customer's number, e.g. +1 425 555 0142").fill('(206) 555-0142');
    await page.getByPlaceholder(/At most 10 SMS segments/).fill('Sent from the Playground');
    await page.getByText('Post a card in this conversation').click();
    await page.screenshot({ path: join(SCREENSHOTS, 'playground-text-a-customer.png') });
    await page.getByRole('button', { name: 'Send text' }).click();
    // The card the action returns lands in the compose box, as in Teams.
    await page.getByText('Texted +1 206 555 0142').waitFor({ timeout: 30_000 });
    await page.getByText(`Sent by ${name} from ${display}`).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'playground-card.png') });

    // The customer's phone (the dev carrier) got the SMS from the user's number.
    const query = new URLSearchParams({ phone: CUSTOMER, with: number });
    const received = await until(async () => {
      const answer = await call(`${botUrl}/dev/phone/api/messages?${query}`);
      return (answer.body.items as Array<{ text: string; from: string }>).find((m) => m.text === 'Sent from the Playground');
    }, 'the SMS at the customer phone', 30_000);
    expect(received.from).toBe(number);

    // Stopping the server stops the Playground with it.
    await browser!.close();
    browser = undefined;
    server.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    await until(() => (processesMentioning(`--port ${playgroundPort}`).length === 0 ? true : undefined), 'the Playground to stop', 10_000);
  });
});
