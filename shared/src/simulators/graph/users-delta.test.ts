import type { Client, GraphError } from '@microsoft/microsoft-graph-client';
import { startGraphSimulator, type GraphSimulator } from './simulator';
import type { SimulatedTenant } from './tenant';
import { simulatorClients } from './test-clients';

const TENANT = '6c1d2e3f-4a5b-4c6d-9e7f-8a9b0c1d2e3f';
const SELECT = 'id,displayName,userPrincipalName,mail,accountEnabled,userType,assignedPlans';

interface DeltaRound {
  pages: Array<{ value: any[]; nextLink?: string; deltaLink?: string }>;
  items: any[];
  deltaLink: string;
}

/** Follows nextLinks to the deltaLink, the way the directory sync will. */
async function deltaRound(client: Client, start: string, maxPageSize?: number, between?: (pageIndex: number) => void): Promise<DeltaRound> {
  const pages: DeltaRound['pages'] = [];
  let url: string | undefined = start;
  while (url) {
    const request = client.api(url);
    if (maxPageSize) request.header('Prefer', `odata.maxpagesize=${maxPageSize}`);
    const body = await request.get();
    pages.push({ value: body.value, nextLink: body['@odata.nextLink'], deltaLink: body['@odata.deltaLink'] });
    between?.(pages.length - 1);
    url = body['@odata.nextLink'];
  }
  const deltaLink = pages[pages.length - 1]!.deltaLink;
  if (!deltaLink) throw new Error('round ended without a deltaLink');
  return { pages, items: pages.flatMap((p) => p.value), deltaLink };
}

const ids = (items: any[]) => items.map((item) => item.id as string);

describe('Graph simulator: users/delta', () => {
  let sim: GraphSimulator;
  let client: Client;

  beforeAll(async () => {
    sim = await startGraphSimulator({ tenants: { [TENANT]: { users: 250 } } });
    ({ client } = await simulatorClients(sim, TENANT));
  });
  afterAll(() => sim.stop());

  /** A fresh tenant per test, so changes do not leak between tests. */
  let counter = 0;
  function freshTenant(users = 250): { id: string; tenant: SimulatedTenant; client: Promise<Client> } {
    const id = `0000000${++counter}-0000-4000-8000-000000000000`.slice(-36);
    const tenant = sim.addTenant(id, { users, seed: 42 });
    return { id, tenant, client: simulatorClients(sim, id).then((c) => c.client) };
  }

  it('enumerates all 250 users in pages of 100 with nextLinks, then a deltaLink', async () => {
    sim.requests.length = 0;
    const round = await deltaRound(client, `/users/delta?$select=${SELECT}`);
    expect(round.pages.map((p) => p.value.length)).toEqual([100, 100, 50]);
    expect(round.pages.slice(0, 2).every((p) => p.nextLink?.startsWith(`${sim.baseUrl}/v1.0/users/delta?$skiptoken=`) && !p.deltaLink)).toBe(true);
    expect(round.deltaLink).toMatch(new RegExp(`^${sim.baseUrl.replace(/[.]/g, '\\.')}/v1\\.0/users/delta\\?\\$deltatoken=`));
    expect(new Set(ids(round.items)).size).toBe(250);
    expect(ids(round.items).sort()).toEqual(sim.tenant(TENANT).users().map((u) => u.id).sort());
    // $select is honoured, and only the first request needs it: the tokens carry it.
    for (const item of round.items) expect(Object.keys(item).sort()).toEqual(SELECT.split(',').sort());
    const graphCalls = sim.requests.filter((r) => r.kind === 'graph');
    expect(graphCalls.map((r) => [r.path, r.status, r.tenantId])).toEqual([
      ['/v1.0/users/delta', 200, TENANT],
      ['/v1.0/users/delta', 200, TENANT],
      ['/v1.0/users/delta', 200, TENANT],
    ]);
    expect(graphCalls[0]!.params).toEqual({ $select: SELECT });
    expect(graphCalls[0]!.query).toBe(`$select=${SELECT}`);
    expect(Object.keys(graphCalls[1]!.params)).toEqual(['$skiptoken']);
  });

  it('honours Prefer: odata.maxpagesize', async () => {
    const round = await deltaRound(client, `/users/delta?$select=id`, 60);
    expect(round.pages.map((p) => p.value.length)).toEqual([60, 60, 60, 60, 10]);
    expect(round.items[0]).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it("returns Graph's default properties without $select (no licences, no accountEnabled)", async () => {
    const body = await client.api('/users/delta').header('Prefer', 'odata.maxpagesize=5').get();
    expect(body['@odata.context']).toBe(`${sim.baseUrl}/v1.0/$metadata#users(businessPhones,displayName,givenName,jobTitle,mail,mobilePhone,officeLocation,preferredLanguage,surname,userPrincipalName,id)`);
    expect(body.value[0]).not.toHaveProperty('assignedPlans');
    expect(body.value[0]).not.toHaveProperty('accountEnabled');
    expect(body.value[0]).toHaveProperty('userPrincipalName');
  });

  it('refuses an unknown $select property with 400', async () => {
    const error: GraphError = await client.api('/users/delta?$select=id,shoeSize').get().catch((e: GraphError) => e);
    expect(error.statusCode).toBe(400);
    expect(error.message).toContain("'shoeSize'");
  });

  it('after changes, the deltaLink returns exactly the created, updated and removed users', async () => {
    const fresh = freshTenant();
    const c = await fresh.client;
    const first = await deltaRound(c, `/users/delta?$select=${SELECT}`);
    const [a, b, d, e] = fresh.tenant.users();
    const created = fresh.tenant.addUser({ givenName: 'Nadia', surname: 'Quinn', department: 'Sales' });
    fresh.tenant.updateUser(a!.id, { jobTitle: 'Regional Manager' });
    fresh.tenant.updateUser(a!.id, { department: 'Support' }); // twice: still one entry
    fresh.tenant.setLicense(b!.id, { teams: false, teamsPhone: true });
    fresh.tenant.removeUser(d!.id);
    fresh.tenant.removeUser(e!.id, { reason: 'changed' }); // soft delete

    sim.requests.length = 0;
    const second = await deltaRound(c, first.deltaLink);
    expect(sim.requests.filter((r) => r.kind === 'graph').map((r) => Object.keys(r.params))).toEqual([['$deltatoken']]);
    expect(second.items).toHaveLength(5);
    const byId = new Map(second.items.map((item) => [item.id, item]));
    expect(byId.get(created.id)).toMatchObject({ displayName: 'Nadia Quinn', userPrincipalName: 'nadia.quinn@contoso.onmicrosoft.com', accountEnabled: true });
    expect(byId.get(a!.id)).toMatchObject({ id: a!.id, displayName: a!.displayName });
    const plans = byId.get(b!.id).assignedPlans as Array<{ servicePlanId: string; capabilityStatus: string }>;
    expect(plans.find((p) => p.servicePlanId === '4828c8ec-dc2e-4779-b502-87ac9ce28ab7')?.capabilityStatus).toBe('Enabled');
    if (b!.assignedPlans.some((p) => p.servicePlanId === '57ff2da0-773e-42df-b2af-ffb7a2317929')) {
      expect(plans.find((p) => p.servicePlanId === '57ff2da0-773e-42df-b2af-ffb7a2317929')?.capabilityStatus).toBe('Deleted');
    }
    expect(byId.get(d!.id)).toEqual({ id: d!.id, '@removed': { reason: 'deleted' } });
    expect(byId.get(e!.id)).toEqual({ id: e!.id, '@removed': { reason: 'changed' } });

    // Nothing changed since: an empty page with a new deltaLink.
    const third = await deltaRound(c, second.deltaLink);
    expect(third.pages).toEqual([{ value: [], deltaLink: expect.any(String) }]);
    // The old link still answers the same changes (links are not single-use).
    expect(ids((await deltaRound(c, first.deltaLink)).items).sort()).toEqual(ids(second.items).sort());
  });

  it('pages a large change set the same way, each user once', async () => {
    const fresh = freshTenant(300);
    const c = await fresh.client;
    const first = await deltaRound(c, '/users/delta?$select=id,jobTitle');
    const users = fresh.tenant.users();
    for (const user of users.slice(0, 150)) fresh.tenant.updateUser(user.id, { jobTitle: 'Changed once' });
    for (const user of users.slice(0, 150)) fresh.tenant.updateUser(user.id, { jobTitle: 'Changed twice' });
    const second = await deltaRound(c, first.deltaLink, 100);
    expect(second.pages.map((p) => p.value.length)).toEqual([100, 50]);
    expect(new Set(ids(second.items)).size).toBe(150);
    expect(second.items.every((item) => item.jobTitle === 'Changed twice')).toBe(true);
  });

  it('stays consistent when the directory changes while a client pages', async () => {
    const fresh = freshTenant();
    const c = await fresh.client;
    const before = fresh.tenant.users();
    let added = '';
    let removedUnseen = '';
    let removedSeen = '';
    let updatedSeen = '';
    const round = await deltaRound(c, '/users/delta?$select=id,displayName', 100, (page) => {
      if (page !== 0) return;
      // After page 1: changes on both sides of the cursor.
      added = fresh.tenant.addUser({ displayName: 'Mid Round' }).id;
      removedUnseen = before[220]!.id; // on page 3, not read yet
      removedSeen = before[10]!.id; // on page 1, already read
      updatedSeen = before[20]!.id;
      fresh.tenant.removeUser(removedUnseen);
      fresh.tenant.removeUser(removedSeen);
      fresh.tenant.updateUser(updatedSeen, { displayName: 'Renamed Mid Round' });
      fresh.tenant.updateUser(before[150]!.id, { displayName: 'Renamed Ahead' }); // page 2, not read yet
    });
    const seen = ids(round.items);
    expect(new Set(seen).size).toBe(seen.length); // nothing twice
    expect(seen).not.toContain(added); // created after the snapshot: next round
    expect(seen).not.toContain(removedUnseen);
    expect(seen).toContain(removedSeen);
    expect(seen).toHaveLength(249); // 250 at the snapshot, one removed before it was read
    expect(round.items.find((item) => item.id === before[150]!.id).displayName).toBe('Renamed Ahead');

    // Everything that happened during the round comes with the next one.
    const next = await deltaRound(c, round.deltaLink);
    expect(ids(next.items).sort()).toEqual([added, removedUnseen, removedSeen, updatedSeen, before[150]!.id].sort());
    expect(next.items.find((item) => item.id === updatedSeen).displayName).toBe('Renamed Mid Round');
  });

  it('answers 410 resyncRequired for expired delta links and skip tokens, and 400 for forged ones', async () => {
    const fresh = freshTenant(120);
    const c = await fresh.client;
    const first = await deltaRound(c, '/users/delta?$select=id');
    const half = await c.api('/users/delta?$select=id').get();
    fresh.tenant.expireDeltaTokens();
    for (const link of [first.deltaLink, half['@odata.nextLink']]) {
      const error: GraphError = await c.api(link).get().catch((e: GraphError) => e);
      expect(error.statusCode).toBe(410);
      expect(error.code).toBe('resyncRequired');
    }
    // The remedy works: a full enumeration starts a new, valid chain.
    const again = await deltaRound(c, '/users/delta?$select=id');
    expect(again.items).toHaveLength(120);
    await expect(deltaRound(c, again.deltaLink)).resolves.toMatchObject({ items: [] });

    fresh.tenant.expireDeltaTokens({ error: 'syncStateNotFound' });
    const stale: GraphError = await c.api(again.deltaLink).get().catch((e: GraphError) => e);
    expect([stale.statusCode, stale.code]).toEqual([400, 'syncStateNotFound']);

    const forged: GraphError = await c.api(`${again.deltaLink}x`).get().catch((e: GraphError) => e);
    expect([forged.statusCode, forged.code]).toEqual([400, 'Request_BadRequest']);
    // A token from one tenant is no good in another.
    const foreign: GraphError = await client.api(again.deltaLink).get().catch((e: GraphError) => e);
    expect(foreign.statusCode).toBe(400);
  });

  it('gives a deltaLink for "now" with $deltatoken=latest', async () => {
    const fresh = freshTenant(30);
    const c = await fresh.client;
    const latest = await c.api('/users/delta?$deltatoken=latest&$select=id,displayName').get();
    expect(latest.value).toEqual([]);
    const added = fresh.tenant.addUser({ displayName: 'After Latest' });
    const next = await deltaRound(c, latest['@odata.deltaLink']);
    expect(next.items).toEqual([{ id: added.id, displayName: 'After Latest' }]);
  });
});
