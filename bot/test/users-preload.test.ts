import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config';
import { startRuntime, type Runtime } from '../src/runtime';
import { makeUser } from '../../shared/test/users';
import { testConnectionString, uniqueTablePrefix } from '../../shared/test/storage';
import { devTokens } from './support/dev-sign-in';
import { call } from './support/http';
import { silentLogger, stopAll } from './support/runtime';

/**
 * USERS_PRELOAD: a server loads the Users page snapshots at start (production's default),
 * so the first admin visit does not wait for every user to be read from storage.
 */
describe('Users page snapshots at start', () => {
  const tablePrefix = uniqueTablePrefix();
  const keys = `test:${randomBytes(32).toString('base64')}`;
  const start = (preload: 'on' | 'off') =>
    startRuntime(
      loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', STORAGE_CONNECTION_STRING: testConnectionString(), AUTH_MODE: 'dev', DIRECTORY_SYNC_SCHEDULE: 'off', CREDENTIALS_KEYS: keys, USERS_PRELOAD: preload }),
      { tablePrefix, logger: silentLogger() },
    );
  let runtimes: Runtime[] = [];
  afterEach(async () => {
    await stopAll(...runtimes);
    runtimes = [];
  });

  const total = async (runtime: Runtime) => {
    const { 'contoso-global-admin': token } = await devTokens(runtime.url, ['contoso-global-admin']);
    const answer = await call(`${runtime.url}/api/admin/enterprises/contoso/users?limit=1`, { token });
    expect(answer.status).toBe(200);
    return answer.body.total as number;
  };

  it('defaults to on in production only', () => {
    const base = { AUTH_MODE: 'dev', STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' };
    expect(loadConfig({ ...base, NODE_ENV: 'development' }).usersPreload).toBe(false);
    expect(loadConfig({ ...base, NODE_ENV: 'test', USERS_PRELOAD: 'on' }).usersPreload).toBe(true);
    expect(loadConfig({ AUTH_MODE: 'entra', AUTH_CLIENT_ID: '00000000-0000-4000-8000-000000000001', BOT_ID: '00000000-0000-4000-8000-000000000002', CREDENTIALS_KEYS: keys, STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', NODE_ENV: 'production' }).usersPreload).toBe(true);
    expect(() => loadConfig({ ...base, USERS_PRELOAD: 'yes' })).toThrow(/USERS_PRELOAD/);
  });

  it('loads the snapshot before the first visit with it on, on the first visit with it off', async () => {
    const seeder = await start('off');
    runtimes.push(seeder);
    await seeder.services.userRepository.createMany([1, 2, 3].map((n) => makeUser({ enterpriseId: 'contoso', id: `pre${n}`, displayName: `Preloaded ${n}` })));
    await stopAll(seeder);
    runtimes = [];

    // With preload, the snapshot was read at start: a user written behind its back afterwards
    // (the sync and the services write through it; this test does not) is not in it yet.
    const preloading = await start('on');
    runtimes.push(preloading);
    expect(preloading.usersPreloaded).toBeDefined();
    await preloading.usersPreloaded;
    await preloading.services.userRepository.createMany([makeUser({ enterpriseId: 'contoso', id: 'late', displayName: 'Late Arrival' })]);
    expect(await total(preloading)).toBe(3);

    // Without, the first visit reads storage and sees all four.
    const lazy = await start('off');
    runtimes.push(lazy);
    expect(lazy.usersPreloaded).toBeUndefined();
    expect(await total(lazy)).toBe(4);
  });
});
