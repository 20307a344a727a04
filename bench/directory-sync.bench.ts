import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import {
  ActivityLog,
  DirectorySync,
  EnterpriseRepository,
  MsGraphDirectory,
  SyncStateRepository,
  TableStore,
  TABLES,
  UserRepository,
  defaultEnterpriseSettings,
  type RunningAzurite,
} from '@switchboard/shared';
import { simulatorConnection, startGraphSimulator } from '@switchboard/shared/simulators';
import { report } from './report';

/**
 * A 50,000-user directory from the Graph simulator into the embedded store, through
 * the real Graph client: the first (full) sync, then a delta of 500 changed users.
 * Targets: at most 60 s and 3 s.
 */
const USERS = 50_000;
const CHANGED = 500;

export async function directorySyncBench(azurite: RunningAzurite): Promise<void> {
  const tenantId = randomUUID();
  const simulator = await startGraphSimulator({ tenants: { [tenantId]: { users: USERS, seed: 42 } } });
  try {
    const store = new TableStore(azurite.connectionString, { tablePrefix: `s${Date.now().toString(36)}` });
    await store.ensureTables(TABLES);
    const enterprises = new EnterpriseRepository(store);
    const at = new Date().toISOString();
    await enterprises.create({ id: 'bench', name: 'Bench Co', tenantId, providerId: randomUUID(), createdAt: at, updatedAt: at, settings: defaultEnterpriseSettings });
    const source = new MsGraphDirectory(simulatorConnection(simulator));
    const sync = new DirectorySync({ source, enterprises, users: new UserRepository(store), states: new SyncStateRepository(store), activity: new ActivityLog(store) });

    const run = async () => {
      const started = performance.now();
      await sync.start('bench', 'manual');
      await sync.settled('bench');
      const state = await sync.state('bench');
      if (state.lastResult?.outcome !== 'succeeded') throw new Error(`sync failed: ${state.lastResult?.error}`);
      return { ms: performance.now() - started, result: state.lastResult };
    };

    const first = await run();
    if (first.result.added !== USERS) throw new Error(`first sync added ${first.result.added}, expected ${USERS}`);
    report({ name: 'directory.sync.first.50k', value: first.ms / 1000, unit: 's' });
    report({ name: 'directory.sync.first.50k.rate', value: USERS / (first.ms / 1000), unit: 'users/s' });

    const tenant = simulator.tenant(tenantId);
    for (const user of tenant.users().slice(0, CHANGED)) tenant.updateUser(user.id, { displayName: `${user.displayName} (moved)` });
    const delta = await run();
    if (delta.result.mode !== 'delta' || delta.result.updated !== CHANGED) throw new Error(`delta sync: ${JSON.stringify(delta.result)}`);
    report({ name: 'directory.sync.delta.500', value: delta.ms / 1000, unit: 's' });
  } finally {
    await simulator.stop();
  }
}
