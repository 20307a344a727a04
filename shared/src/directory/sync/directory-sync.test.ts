import { randomUUID } from 'node:crypto';
import { testStore } from '../../../test/storage';
import { ACTIVITY_TABLE, ActivityLog } from '../../audit/activity';
import { EnterpriseRepository, ENTERPRISES_TABLE } from '../../enterprises/repository';
import { defaultEnterpriseSettings, type EnterpriseSettings } from '../../enterprises/schema';
import { simulatorConnection, startGraphSimulator, type GraphSimulator } from '../../simulators';
import type { TableStore } from '../../store/table-store';
import { MsGraphDirectory } from '../graph/ms-graph-directory';
import type { DirectoryUser } from '../user';
import { UserRepository, USERS_TABLE } from '../user-repository';
import { DirectorySync, type DirectorySyncOptions } from './directory-sync';
import { DIRECTORY_SYNC_TABLE, SyncStateRepository } from './sync-state';

/**
 * The directory sync against the project's Graph simulator, through the real
 * Graph client and @azure/identity, on the run's Azurite.
 */
let simulator: GraphSimulator;
beforeAll(async () => {
  simulator = await startGraphSimulator();
});
afterAll(() => simulator.stop());
afterEach(() => simulator.faults.reset());

interface Harness {
  store: TableStore;
  tenantId: string;
  enterpriseId: string;
  sync: DirectorySync;
  users: UserRepository;
  enterprises: EnterpriseRepository;
  activity: ActivityLog;
  /** Starts a run and waits for it to end; returns the final state. */
  runOnce(): Promise<Awaited<ReturnType<DirectorySync['state']>>>;
  all(): Promise<DirectoryUser[]>;
  setSettings(settings: Partial<EnterpriseSettings>): Promise<void>;
}

async function harness(options: { users?: number; pageSize?: number; sync?: DirectorySyncOptions } = {}): Promise<Harness> {
  const store = testStore();
  await store.ensureTables([ENTERPRISES_TABLE, ACTIVITY_TABLE, USERS_TABLE, DIRECTORY_SYNC_TABLE]);
  const tenantId = randomUUID();
  simulator.addTenant(tenantId, { users: options.users ?? 120, seed: 7 });
  const enterprises = new EnterpriseRepository(store);
  const enterpriseId = `ent-${tenantId.slice(0, 8)}`;
  const at = new Date().toISOString();
  await enterprises.create({ id: enterpriseId, name: 'Test Co', tenantId, providerId: randomUUID(), createdAt: at, updatedAt: at, settings: defaultEnterpriseSettings });
  const users = new UserRepository(store);
  const activity = new ActivityLog(store);
  const source = new MsGraphDirectory({ ...simulatorConnection(simulator), pageSize: options.pageSize ?? 50 });
  const sync = new DirectorySync({ source, enterprises, users, states: new SyncStateRepository(store), activity }, { maxBackoffMs: 50, ...options.sync });
  const h: Harness = {
    store,
    tenantId,
    enterpriseId,
    sync,
    users,
    enterprises,
    activity,
    async runOnce() {
      await sync.start(enterpriseId, 'manual');
      await sync.settled(enterpriseId);
      return sync.state(enterpriseId);
    },
    async all() {
      const list: DirectoryUser[] = [];
      for await (const stored of users.listAll(enterpriseId)) list.push(stored.value);
      return list;
    },
    async setSettings(settings) {
      const current = (await enterprises.byId(enterpriseId))!;
      await enterprises.update(current, { ...current.value, settings: { ...current.value.settings, ...settings } });
    },
  };
  return h;
}

const active = (users: DirectoryUser[]) => users.filter((u) => !u.removed);
const deltaRequests = (tenantId: string) => simulator.requests.filter((r) => r.tenantId === tenantId && r.path.endsWith('/users/delta'));

describe('DirectorySync', () => {
  it('reads the whole directory on the first run, page by page, with licences', async () => {
    const h = await harness({ users: 120, pageSize: 50 });
    const state = await h.runOnce();
    expect(state.lastResult).toMatchObject({ outcome: 'succeeded', mode: 'full', added: 120, updated: 0, removed: 0, failed: 0 });
    expect(deltaRequests(h.tenantId).length).toBeGreaterThanOrEqual(3); // 50 + 50 + 20

    const graphUsers = simulator.tenant(h.tenantId).users();
    const stored = await h.all();
    expect(stored.map((u) => u.id).sort()).toEqual(graphUsers.map((u) => u.id).sort());
    for (const graphUser of graphUsers) {
      const user = stored.find((u) => u.id === graphUser.id)!;
      const enabledPlans = (graphUser.assignedPlans ?? []).filter((p) => p.capabilityStatus === 'Enabled').map((p) => p.servicePlanId);
      expect(user).toMatchObject({
        userPrincipalName: graphUser.userPrincipalName,
        displayName: graphUser.displayName,
        accountEnabled: graphUser.accountEnabled,
        teamsLicensed: enabledPlans.includes('57ff2da0-773e-42df-b2af-ffb7a2317929'),
        teamsPhoneLicensed: enabledPlans.includes('4828c8ec-dc2e-4779-b502-87ac9ce28ab7'),
      });
    }
    // Both kinds of licence state are present in the seed, so the mapping is really exercised.
    expect(new Set(stored.map((u) => u.teamsLicensed))).toEqual(new Set([true, false]));

    const feed = await h.activity.page(h.enterpriseId);
    expect(feed.items[0]).toMatchObject({ action: 'directory.synced', summary: expect.stringContaining('120 added') });
  });

  it('reads only the changes afterwards, marks removed users and releases their numbers', async () => {
    const h = await harness({ users: 60 });
    await h.runOnce();
    const tenant = simulator.tenant(h.tenantId);
    const [leaving, renamed] = tenant.users();
    // An admin gave the leaving user a number; the sync must release it and say so.
    const stored = (await h.users.get(h.enterpriseId, leaving!.id))!;
    await h.users.update(stored, { ...stored.value, sms: { enabled: true, numbers: ['+15551230001'] }, tags: ['Sales'] });

    tenant.removeUser(leaving!.id);
    tenant.updateUser(renamed!.id, { displayName: 'Renamed Person' });
    const newcomer = tenant.addUser({ displayName: 'New Hire' });
    simulator.requests.length = 0;

    const state = await h.runOnce();
    expect(state.lastResult).toMatchObject({ outcome: 'succeeded', mode: 'delta', added: 1, updated: 1, removed: 1, failed: 0 });
    expect(state.processed).toBe(3);
    expect(deltaRequests(h.tenantId).every((r) => r.query.includes('deltatoken') || r.query.includes('skiptoken'))).toBe(true);

    const byId = new Map((await h.all()).map((u) => [u.id, u]));
    expect(byId.get(leaving!.id)).toMatchObject({ removed: true, sms: { enabled: false, numbers: [] }, tags: ['Sales'] });
    expect(byId.get(renamed!.id)?.displayName).toBe('Renamed Person');
    expect(byId.get(newcomer.id)?.displayName).toBe('New Hire');

    const feed = (await h.activity.page(h.enterpriseId)).items;
    expect(feed.find((e) => e.action === 'user.removed')).toMatchObject({
      entity: { id: leaving!.id },
      summary: expect.stringContaining('+15551230001'),
      before: { smsNumbers: ['+15551230001'] },
      after: { smsNumbers: [] },
    });
  });

  it('keeps an admin change made while the sync writes the same user', async () => {
    const h = await harness({ users: 20 });
    await h.runOnce();
    const tenant = simulator.tenant(h.tenantId);
    const target = tenant.users()[0]!;
    tenant.updateUser(target.id, { displayName: 'From Graph' });
    // The admin saves tags between the sync's read and its write: the sync's first write loses, it re-reads and merges.
    const original = h.users.updateMany.bind(h.users);
    let interfered = false;
    h.users.updateMany = async (changes) => {
      if (!interfered && changes.some(({ next }) => next.id === target.id)) {
        interfered = true;
        const fresh = (await h.users.get(h.enterpriseId, target.id))!;
        await h.users.update(fresh, { ...fresh.value, tags: ['VIP'] });
      }
      return original(changes);
    };
    const state = await h.runOnce();
    expect(interfered).toBe(true);
    expect(state.lastResult).toMatchObject({ updated: 1, failed: 0 });
    expect((await h.users.get(h.enterpriseId, target.id))?.value).toMatchObject({ displayName: 'From Graph', tags: ['VIP'] });
  });

  it('limits the sync to the transitive members of the selected groups, and marks those who fall out', async () => {
    const h = await harness({ users: 40 });
    const tenant = simulator.tenant(h.tenantId);
    const people = tenant.users();
    const inner = tenant.addGroup({ displayName: 'Night shift', memberIds: people.slice(0, 5).map((u) => u.id) });
    const outer = tenant.addGroup({ displayName: 'Dispatch', memberIds: people.slice(5, 10).map((u) => u.id), groupIds: [inner.id] });
    await h.setSettings({ syncGroupIds: [outer.id] });

    let state = await h.runOnce();
    expect(state.lastResult).toMatchObject({ outcome: 'succeeded', added: 10 });
    expect((await h.all()).map((u) => u.id).sort()).toEqual(people.slice(0, 10).map((u) => u.id).sort());

    // Membership changes without any user changing: Graph's users delta says nothing.
    tenant.setGroupMembers(inner.id, [people[0]!.id, people[20]!.id]);
    state = await h.runOnce();
    const byId = new Map((await h.all()).map((u) => [u.id, u]));
    expect(byId.get(people[20]!.id)).toMatchObject({ inSelection: true, removed: false });
    for (const left of people.slice(1, 5)) expect(byId.get(left.id)).toMatchObject({ inSelection: false, removed: false });
    expect(byId.get(people[0]!.id)?.inSelection).toBe(true);
    expect(byId.size).toBe(11);

    // Back to everyone: a full read adds the rest and brings those outside back in.
    await h.setSettings({ syncGroupIds: [] });
    state = await h.runOnce();
    expect(state.lastResult?.mode).toBe('full');
    const everyone = await h.all();
    expect(everyone).toHaveLength(40);
    expect(everyone.every((u) => u.inSelection && !u.removed)).toBe(true);
  });

  it('waits out throttling (429 with Retry-After) and transient failures', async () => {
    const h = await harness({ users: 30, pageSize: 10 });
    simulator.faults.throttle(4, 1);
    simulator.faults.fail(1, 503);
    const started = Date.now();
    const state = await h.runOnce();
    expect(state.lastResult).toMatchObject({ outcome: 'succeeded', added: 30 });
    expect(simulator.requests.filter((r) => r.tenantId === h.tenantId && r.status === 429).length).toBe(4);
    // Retry-After is honoured (the sync's own cap is 50 ms here; the Graph client's RetryHandler waits its second too).
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('resumes an interrupted run from the page where it stopped, losing and duplicating no one', async () => {
    const h = await harness({ users: 100, pageSize: 10, sync: { pageAttempts: 1 } });
    simulator.requests.length = 0;
    // Graph dies after four pages of the first run.
    simulator.faults.failAfter(5, 50, 503, 0.01);
    let state = await h.runOnce();
    expect(state.status).toBe('failed');
    expect(state.lastResult?.outcome).toBe('failed');
    expect(state.cursor).toContain('skiptoken');
    const partial = await h.all();
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(100);

    simulator.faults.reset();
    simulator.requests.length = 0;
    state = await h.runOnce();
    expect(state.status).toBe('idle');
    expect(state.lastResult).toMatchObject({ outcome: 'succeeded', added: 100, failed: 0 });
    // It went on from the saved link: the first request of the resumed run is not a fresh start.
    expect(deltaRequests(h.tenantId)[0]?.query).toContain('skiptoken');
    const users = await h.all();
    expect(users).toHaveLength(100);
    expect(new Set(users.map((u) => u.id)).size).toBe(100);
  });

  it('takes over a run whose process died once its lease expires', async () => {
    const h = await harness({ users: 30, pageSize: 10, sync: { leaseMs: 500 } });
    // A run that "died": the state says running, with a lease that is about to run out.
    simulator.faults.latency(400);
    await h.sync.start(h.enterpriseId, 'manual');
    const again = await h.sync.start(h.enterpriseId, 'manual');
    expect(again.started).toBe(false); // lease valid: the second request joins the first run
    await h.sync.settled(h.enterpriseId);
    simulator.faults.reset();
    expect((await h.sync.state(h.enterpriseId)).lastResult?.outcome).toBe('succeeded');

    const states = new SyncStateRepository(h.store);
    const stored = (await states.of(h.enterpriseId))!;
    await states.update(stored, { ...stored.value, status: 'running', leaseOwner: 'dead-process', leaseUntil: new Date(Date.now() - 1000).toISOString() });
    const takeover = await h.sync.start(h.enterpriseId, 'manual');
    expect(takeover.started).toBe(true);
    await h.sync.settled(h.enterpriseId);
    expect((await h.sync.state(h.enterpriseId)).status).toBe('idle');
  });

  it('runs once when two syncs are requested at the same time', async () => {
    const h = await harness({ users: 30 });
    const [a, b] = await Promise.all([h.sync.start(h.enterpriseId, 'manual'), h.sync.start(h.enterpriseId, 'manual')]);
    expect([a.started, b.started].sort()).toEqual([false, true]);
    await h.sync.settled(h.enterpriseId);
    const state = await h.sync.state(h.enterpriseId);
    expect(state.lastResult).toMatchObject({ added: 30 });
    const runs = (await h.activity.page(h.enterpriseId)).items.filter((e) => e.action === 'directory.synced');
    expect(runs).toHaveLength(1);
  });

  it('starts over with a full read when Graph forgets the delta link, removing whoever is gone', async () => {
    const h = await harness({ users: 25 });
    await h.runOnce();
    const tenant = simulator.tenant(h.tenantId);
    const gone = tenant.users()[3]!;
    tenant.removeUser(gone.id);
    tenant.expireDeltaTokens();
    const state = await h.runOnce();
    expect(state.lastResult).toMatchObject({ outcome: 'succeeded', mode: 'full', removed: 1 });
    expect((await h.users.get(h.enterpriseId, gone.id))?.value.removed).toBe(true);
    expect(active(await h.all())).toHaveLength(24);
  });

  it('reports progress while it runs', async () => {
    const h = await harness({ users: 40, pageSize: 10 });
    simulator.faults.latency(150);
    await h.sync.start(h.enterpriseId, 'manual');
    const seen: Array<{ phase?: string; processed: number }> = [];
    while ((await h.sync.state(h.enterpriseId)).status === 'running') {
      const { phase, processed } = await h.sync.state(h.enterpriseId);
      seen.push({ phase, processed });
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    await h.sync.settled(h.enterpriseId);
    expect(seen.some((s) => s.phase === 'users' && s.processed > 0 && s.processed < 40)).toBe(true);
  });
});
