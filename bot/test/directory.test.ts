import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGraphSimulator, SIMULATOR_CLIENT_SECRET, type GraphSimulator } from '@switchboard/shared/simulators';
import { SyncScheduler, TableStore, UserRepository } from '@switchboard/shared';
import { DEV_TENANTS } from '../src/dev/dev-sign-in';
import type { Runtime } from '../src/runtime';
import { testConnectionString, uniqueTablePrefix } from '../../shared/test/storage';

import { devTokens } from './support/dev-sign-in';
import { call, expectError } from './support/http';
import { startTestRuntime, stopAll, silentLogger } from './support/runtime';
import { ServerProcess } from './support/server-process';

/**
 * The directory sync through the server: the API (status, start, groups, selection),
 * the schedule, and a sync that survives its process being killed.
 */
const GRAPH_CLIENT_ID = '9c0e2f4a-5b6d-4e7f-8a9b-0c1d2e3f4a5b';

let simulator: GraphSimulator;
let caFile: string;
beforeAll(async () => {
  simulator = await startGraphSimulator({ tenants: { [DEV_TENANTS.contoso]: { users: 90, seed: 11 } } });
  caFile = join(mkdtempSync(join(tmpdir(), 'sb-graph-ca-')), 'ca.pem');
  writeFileSync(caFile, simulator.caCertificate);
});
afterAll(() => simulator.stop());

/** Graph settings pointing the server at this test's simulator. */
const graphEnv = (extra: Record<string, string> = {}) => ({
  GRAPH_BASE_URL: simulator.baseUrl,
  GRAPH_AUTHORITY_HOST: simulator.authorityHost,
  GRAPH_CLIENT_ID,
  GRAPH_CLIENT_SECRET: SIMULATOR_CLIENT_SECRET,
  GRAPH_CA_FILE: caFile,
  ...extra,
});

async function waitForSync(url: string, token: string, enterpriseId: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await call(`${url}/api/admin/enterprises/${enterpriseId}/directory/sync`, { token });
    if (answer.status === 200 && answer.body.status !== 'running' && answer.body.lastResult) return answer.body;
    if (Date.now() > deadline) throw new Error(`The sync did not finish: ${JSON.stringify(answer.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('directory sync API', () => {
  let runtime: Runtime;
  let tokens: Record<'contoso-global-admin' | 'contoso-user' | 'fabrikam-global-admin' | 'provider-admin', string>;

  beforeAll(async () => {
    runtime = await startTestRuntime(graphEnv());
    tokens = await devTokens(runtime.url, ['contoso-global-admin', 'contoso-user', 'fabrikam-global-admin', 'provider-admin'] as const);
  });
  afterAll(() => stopAll(runtime));

  it('starts a sync (202), reports it, and answers a second request with the running one', async () => {
    const url = `${runtime.url}/api/admin/enterprises/contoso/directory/sync`;
    const before = await call(url, { token: tokens['contoso-global-admin'] });
    expect(before.body).toMatchObject({ configured: true, status: 'idle', intervalMinutes: 15, groupIds: [] });

    simulator.faults.latency(100);
    const first = await call(url, { method: 'POST', token: tokens['contoso-global-admin'] });
    const second = await call(url, { method: 'POST', token: tokens['contoso-global-admin'] });
    simulator.faults.reset();
    expect(first.status).toBe(202);
    expect(first.body.status).toBe('running');
    expect(second.status).toBe(202);
    expect(second.body.status).toBe('running');

    const done = await waitForSync(runtime.url, tokens['contoso-global-admin'], 'contoso');
    expect(done.lastResult).toMatchObject({ outcome: 'succeeded', added: 90, trigger: 'manual' });
    expect(done.nextRunAt).toBeDefined();
    const feed = await call(`${runtime.url}/api/admin/enterprises/contoso/activity?pageSize=5`, { token: tokens['contoso-global-admin'] });
    expect(feed.body.items.filter((e: { action: string }) => e.action === 'directory.synced')).toHaveLength(1);
    expect(feed.body.items[0].actor.name).toBe('Grace Global');
  });

  it('lists groups for the picker and explains a new selection in plain words', async () => {
    const groups = await call(`${runtime.url}/api/admin/enterprises/contoso/directory/groups?search=s`, { token: tokens['contoso-global-admin'] });
    expect(groups.status).toBe(200);
    const names = groups.body.items.map((g: { displayName: string }) => g.displayName);
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((name: string) => name.toLowerCase().startsWith('s'))).toBe(true);

    const sales = groups.body.items.find((g: { displayName: string }) => g.displayName === 'Sales');
    const enterprise = await call(`${runtime.url}/api/admin/enterprises/contoso`, { token: tokens['contoso-global-admin'] });
    const chosen = await call(`${runtime.url}/api/admin/enterprises/contoso/directory/selection`, {
      method: 'PUT',
      token: tokens['contoso-global-admin'],
      body: { groupIds: [sales.id] },
      headers: { 'if-match': enterprise.body.etag },
    });
    expect(chosen.status).toBe(200);
    expect(chosen.body.notice).toMatch(/Only members of the group Sales .*Outside selection/);
    expect(chosen.body.groups).toEqual([expect.objectContaining({ id: sales.id, displayName: 'Sales' })]);

    const done = await waitForSync(runtime.url, tokens['contoso-global-admin'], 'contoso');
    expect(done.groupIds).toEqual([sales.id]);
    const outside = await call(`${runtime.url}/api/admin/enterprises/contoso/users?selection=outside&limit=500`, { token: tokens['contoso-global-admin'] });
    const members = simulator.tenant(DEV_TENANTS.contoso).groups().find((g) => g.id === sales.id);
    expect(members).toBeDefined();
    expect(outside.body.total).toBeGreaterThan(0);
    expect(outside.body.total).toBeLessThan(90);

    const unknown = await call(`${runtime.url}/api/admin/enterprises/contoso/directory/selection`, {
      method: 'PUT',
      token: tokens['contoso-global-admin'],
      body: { groupIds: ['00000000-0000-4000-8000-000000000000'] },
      headers: { 'if-match': chosen.body.etag },
    });
    expect(expectError(unknown, 400, 'validation_failed').details).toEqual([{ path: 'groupIds.0', message: 'not a group of this enterprise' }]);
  });

  it('keeps the sync to admins of the enterprise', async () => {
    expectError(await call(`${runtime.url}/api/admin/enterprises/contoso/directory/sync`, { method: 'POST', token: tokens['contoso-user'] }), 403, 'forbidden');
    expectError(await call(`${runtime.url}/api/admin/enterprises/contoso/directory/sync`, { token: tokens['fabrikam-global-admin'] }), 404, 'not_found');
    expectError(await call(`${runtime.url}/api/admin/enterprises/fabrikam/directory/groups`, { token: tokens['provider-admin'] }), 403, 'forbidden');
  });

  it('says plainly when the server has no Graph connection', async () => {
    const bare = await startTestRuntime({ AUTH_MODE: 'entra', AUTH_CLIENT_ID: GRAPH_CLIENT_ID, BOT_ID: GRAPH_CLIENT_ID });
    try {
      expect(bare.services.directorySync.configured).toBe(false);
      await expect(bare.services.directorySync.start('contoso', 'manual')).rejects.toThrow(/GRAPH_CLIENT_ID/);
    } finally {
      await bare.stop();
    }
  });
});

describe('directory sync schedule', () => {
  it('starts due enterprises and leaves the others until their interval has passed', async () => {
    const runtime = await startTestRuntime(graphEnv({ AUTH_MODE: 'dev' }));
    try {
      const scheduler = new SyncScheduler(runtime.services.directorySync, runtime.services.enterpriseRepository, silentLogger());
      // Both never synced: both due. (Fabrikam's tenant is not in this simulator: its run fails, and says so.)
      expect((await scheduler.tick()).sort()).toEqual(['contoso', 'fabrikam']);
      await runtime.services.directorySync.settleAll();
      expect((await runtime.services.directorySync.state('fabrikam')).lastResult).toMatchObject({ outcome: 'failed', error: expect.stringContaining('Graph') });
      expect(await scheduler.tick()).toEqual([]); // just synced: not due for 15 minutes
      const later = new SyncScheduler(runtime.services.directorySync, runtime.services.enterpriseRepository, silentLogger(), { now: () => new Date(Date.now() + 16 * 60_000) });
      expect(await later.tick()).toContain('contoso');
      await runtime.services.directorySync.settleAll();
      expect((await runtime.services.directorySync.state('contoso')).lastResult).toMatchObject({ trigger: 'schedule', outcome: 'succeeded', mode: 'delta' });
    } finally {
      await runtime.stop();
    }
  });
});

describe('a sync whose server process is killed half-way', () => {
  it('is resumed by the next process and ends with no user lost or duplicated', async () => {
    const tablePrefix = uniqueTablePrefix();
    const env = {
      NODE_ENV: 'test',
      PORT: '0',
      AUTH_MODE: 'dev',
      STORAGE_CONNECTION_STRING: testConnectionString(),
      STORAGE_TABLE_PREFIX: tablePrefix,
      DIRECTORY_SYNC_SCHEDULE: 'off',
      DIRECTORY_SYNC_LEASE_SECONDS: '2',
      LOG_LEVEL: 'warn',
      ...graphEnv({ GRAPH_PAGE_SIZE: '10' }),
    };
    const users = new UserRepository(new TableStore(testConnectionString(), { tablePrefix }));
    const expected = new Set(simulator.tenant(DEV_TENANTS.contoso).users().map((u) => u.id));

    const first = ServerProcess.start(env);
    try {
      const url = await first.url();
      const { 'contoso-global-admin': token } = await devTokens(url, ['contoso-global-admin'] as const);
      simulator.faults.latency(150);
      const started = await call(`${url}/api/admin/enterprises/contoso/directory/sync`, { method: 'POST', token });
      expect(started.status).toBe(202);
      // Let it write a few pages, then kill it without warning.
      for (let i = 0; i < 100; i++) {
        const status = await call(`${url}/api/admin/enterprises/contoso/directory/sync`, { token });
        if (status.body.processed >= 30) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      first.child.kill('SIGKILL');
      await first.exited;
    } finally {
      simulator.faults.reset();
      await first.kill();
    }

    let stored = 0;
    for await (const _ of users.listAll('contoso')) stored++;
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(expected.size);

    const second = ServerProcess.start(env);
    try {
      const url = await second.url();
      const { 'contoso-global-admin': token } = await devTokens(url, ['contoso-global-admin'] as const);
      // The dead run still looks "running" until its 2 s lease runs out; then a request resumes it.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const resumed = await call(`${url}/api/admin/enterprises/contoso/directory/sync`, { method: 'POST', token });
      expect(resumed.body).toMatchObject({ status: 'running', processed: expect.any(Number) });
      expect(resumed.body.processed).toBeGreaterThanOrEqual(30); // it carries on, not from zero
      const done = await waitForSync(url, token, 'contoso');
      expect(done.lastResult).toMatchObject({ outcome: 'succeeded', added: expected.size, failed: 0 });
      const ids: string[] = [];
      for await (const user of users.listAll('contoso')) ids.push(user.value.id);
      expect(ids).toHaveLength(expected.size);
      expect(new Set(ids)).toEqual(expected);
    } finally {
      second.child.kill('SIGTERM');
      await second.exit(10_000);
      await second.kill();
    }
  }, 90_000);
});
