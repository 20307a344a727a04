import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devSignIn } from './support/dev-sign-in';
import { call } from './support/http';
import { processesMentioning, requireBuiltServer, ServerProcess } from './support/server-process';
import { testConnectionString } from '../../shared/test/storage';

/**
 * The built server as a process (`node bot/dist/main.js`): refusing bad settings
 * with one clear line, starting and stopping cleanly on SIGTERM, and the embedded
 * storage (its own Azurite) keeping data across a restart and leaving nothing behind.
 */
jest.setTimeout(90_000);

const started: ServerProcess[] = [];
const launch = (env: Record<string, string>) => {
  const server = ServerProcess.start(env);
  started.push(server);
  return server;
};

beforeAll(() => requireBuiltServer());

afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.kill()));
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return condition();
}

describe('configuration errors', () => {
  async function refusal(env: Record<string, string>) {
    const server = launch({ NODE_ENV: 'test', ...env });
    const exit = await server.exit(20_000);
    expect(exit).toBeDefined();
    const lines = server.stderr.split('\n').filter((line) => line.trim() !== '');
    return { code: exit!.code, lines, stdout: server.stdout };
  }

  it('refuses a malformed PORT with one line naming it', async () => {
    const { code, lines, stdout } = await refusal({ PORT: 'abc' });
    expect(code).not.toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/\bPORT\b/);
    expect(lines[0]).toContain('abc');
    expect(stdout).toBe('');
  });

  it('refuses entra mode without AUTH_CLIENT_ID, naming it', async () => {
    const { code, lines } = await refusal({ AUTH_MODE: 'entra', PORT: '0' });
    expect(code).not.toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/\bAUTH_CLIENT_ID\b/);
  });

  it('refuses dev sign-in on a non-loopback address, naming AUTH_MODE and HOST', async () => {
    const { code, lines } = await refusal({ AUTH_MODE: 'dev', HOST: '0.0.0.0', PORT: '0' });
    expect(code).not.toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/\bAUTH_MODE\b/);
    expect(lines[0]).toMatch(/\bHOST\b/);
  });
});

describe('running', () => {
  it('starts on the given storage, answers health, and exits 0 on SIGTERM', async () => {
    const server = launch({ NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'warn', STORAGE_CONNECTION_STRING: testConnectionString() });
    const url = await server.url();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await call(`${url}/api/health`);
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });

    server.child.kill('SIGTERM');
    const exit = await server.exit(5_000);
    expect(exit).toEqual({ code: 0, signal: null });
    await expect(fetch(`${url}/api/health`)).rejects.toThrow();
  });

  it('runs its own Azurite when no storage is configured, keeps data across a restart, and leaves no process behind', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-startup-'));
    const env = { NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'warn', DATA_DIR: dataDir };
    try {
      const first = launch(env);
      const url = await first.url(60_000);
      expect((await call(`${url}/api/health`)).status).toBe(200);
      // The embedded Azurite runs as child processes keeping their data under DATA_DIR.
      expect(processesMentioning(dataDir).length).toBeGreaterThanOrEqual(1);

      const token = await devSignIn(url, 'provider-admin');
      const created = await call(`${url}/api/admin/enterprises`, { token, body: { name: 'Persisted Ltd', tenantId: '33333333-3333-4333-8333-333333333333' } });
      expect(created.status).toBe(201);

      first.child.kill('SIGTERM');
      expect(await first.exit(15_000)).toEqual({ code: 0, signal: null });
      expect(await waitFor(() => processesMentioning(dataDir).length === 0, 5_000)).toBe(true);

      const second = launch(env);
      const url2 = await second.url(60_000);
      const token2 = await devSignIn(url2, 'provider-admin');
      const listed = await call(`${url2}/api/admin/enterprises`, { token: token2 });
      expect(listed.status).toBe(200);
      const names = listed.body.items.map((e: { name: string }) => e.name);
      // The enterprise survived the restart, and the demo seed was not added twice.
      expect(names).toEqual(['Contoso', 'Fabrikam', 'Persisted Ltd']);
      expect(listed.body.items.find((e: { name: string }) => e.name === 'Persisted Ltd')).toMatchObject({ id: created.body.id, etag: expect.any(String) });

      second.child.kill('SIGTERM');
      expect(await second.exit(15_000)).toEqual({ code: 0, signal: null });
      expect(await waitFor(() => processesMentioning(dataDir).length === 0, 5_000)).toBe(true);
    } finally {
      await Promise.all(started.splice(0).map((server) => server.kill()));
      // Should a run fail half-way, end the Azurite children this test caused, by pid.
      for (const leftover of processesMentioning(dataDir)) {
        try {
          process.kill(leftover.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
