import type { Client, GraphError } from '@microsoft/microsoft-graph-client';
import { startGraphSimulator, type GraphSimulator } from './simulator';
import { simulatorClients } from './test-clients';

const TENANT = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

/** All items of a paged collection. */
async function all(client: Client, start: string, maxPageSize?: number): Promise<{ items: any[]; pages: number }> {
  const items: any[] = [];
  let pages = 0;
  for (let url: string | undefined = start; url; pages++) {
    const request = client.api(url);
    if (maxPageSize) request.header('Prefer', `odata.maxpagesize=${maxPageSize}`);
    const body = await request.get();
    items.push(...body.value);
    url = body['@odata.nextLink'];
  }
  return { items, pages };
}

describe('Graph simulator: groups and transitive members', () => {
  let sim: GraphSimulator;
  let client: Client;
  const groupId = (name: string) => sim.tenant(TENANT).groups().find((g) => g.displayName === name)!.id;

  beforeAll(async () => {
    sim = await startGraphSimulator({ tenants: { [TENANT]: { users: 250, displayName: 'Northwind', domain: 'northwind.example' } } });
    ({ client } = await simulatorClients(sim, TENANT));
  });
  afterAll(() => sim.stop());

  it('lists the seeded groups, paged by $top, with $select', async () => {
    const { items, pages } = await all(client, '/groups?$select=id,displayName&$top=3');
    expect(pages).toBe(3);
    expect(items.map((g) => g.displayName)).toEqual(['All Staff', 'Sales', 'Support', 'Field Service', 'Finance', 'Engineering', 'Leadership', 'Field Service Dispatch', 'Project Falcon']);
    expect(Object.keys(items[0]).sort()).toEqual(['displayName', 'id']);
    const first = await client.api('/groups?$select=id,displayName&$top=3').get();
    expect(first['@odata.nextLink']).toMatch(new RegExp(`^${sim.baseUrl.replace(/\./g, '\\.')}/v1\\.0/groups\\?\\$select=id,displayName&\\$top=3&\\$skiptoken=`));
    expect(first['@odata.context']).toBe(`${sim.baseUrl}/v1.0/$metadata#groups(id,displayName)`);
  });

  it("filters with startswith(displayName,'...') ignoring case, across pages", async () => {
    const { items } = await all(client, "/groups?$filter=startswith(displayName,'field')&$top=1");
    expect(items.map((g) => g.displayName)).toEqual(['Field Service', 'Field Service Dispatch']);
    const quoted = sim.tenant(TENANT).addGroup({ displayName: "Sales' Partners" });
    const { items: partners } = await all(client, `/groups?$filter=${encodeURIComponent("startswith(displayName,'sales'' p')")}`);
    expect(partners.map((g) => g.id)).toEqual([quoted.id]);
    const error: GraphError = await client.api('/groups?$filter=contains(displayName,"x")').get().catch((e: GraphError) => e);
    expect([error.statusCode, error.code]).toEqual([400, 'Request_UnsupportedQuery']);
  });

  it('reads one group, and answers 404 Request_ResourceNotFound for an unknown one', async () => {
    const sales = await client.api(`/groups/${groupId('Sales')}`).get();
    expect(sales).toMatchObject({ displayName: 'Sales', mail: 'Sales@northwind.example', groupTypes: ['Unified'] });
    const error: GraphError = await client.api('/groups/00000000-0000-4000-8000-00000000dead/transitiveMembers/microsoft.graph.user').get().catch((e: GraphError) => e);
    expect([error.statusCode, error.code]).toEqual([404, 'Request_ResourceNotFound']);
  });

  it('expands nested groups transitively, each user once', async () => {
    const tenant = sim.tenant(TENANT);
    const users = tenant.users();
    const staff = users.filter((u) => u.department !== null).map((u) => u.id).sort();
    const { items, pages } = await all(client, `/groups/${groupId('All Staff')}/transitiveMembers/microsoft.graph.user?$select=id,displayName,userPrincipalName`, 100);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(items.map((u) => u.id).sort()).toEqual(staff); // departments nest 2-3 levels; the CEO is also a direct member
    expect(Object.keys(items[0]).sort()).toEqual(['displayName', 'id', 'userPrincipalName']);

    const field = users.filter((u) => u.department === 'Field Service').map((u) => u.id).sort();
    const direct = tenant.group(groupId('Field Service'))!.memberIds;
    expect(direct.length).toBeLessThan(field.length);
    const { items: fieldMembers } = await all(client, `/groups/${groupId('Field Service')}/transitiveMembers/microsoft.graph.user?$select=id`);
    expect(fieldMembers.map((u) => u.id).sort()).toEqual(field);
  });

  it('lists direct members with @odata.type, users and nested groups', async () => {
    const { items } = await all(client, `/groups/${groupId('Field Service')}/members?$select=id,displayName`);
    const types = new Set(items.map((m) => m['@odata.type']));
    expect(types).toEqual(new Set(['#microsoft.graph.user', '#microsoft.graph.group']));
    expect(items.find((m) => m['@odata.type'] === '#microsoft.graph.group')).toEqual({ '@odata.type': '#microsoft.graph.group', id: groupId('Field Service Dispatch'), displayName: 'Field Service Dispatch' });
  });

  it('follows membership changes, an empty group, and deleted users', async () => {
    const tenant = sim.tenant(TENANT);
    const empty = await client.api(`/groups/${groupId('Project Falcon')}/transitiveMembers/microsoft.graph.user`).get();
    expect(empty.value).toEqual([]);
    expect(empty['@odata.nextLink']).toBeUndefined();

    const [a, b, c] = tenant.users();
    const inner = tenant.addGroup({ displayName: 'Inner', memberIds: [c!.id] });
    const outer = tenant.addGroup({ displayName: 'Outer', memberIds: [a!.id], groupIds: [inner.id] });
    const read = async () => (await all(client, `/groups/${outer.id}/transitiveMembers/microsoft.graph.user?$select=id`)).items.map((u) => u.id).sort();
    expect(await read()).toEqual([a!.id, c!.id].sort());
    tenant.setGroupMembers(inner.id, [b!.id, c!.id, outer.id]); // a cycle, as Entra allows
    expect(await read()).toEqual([a!.id, b!.id, c!.id].sort());
    tenant.removeUser(c!.id);
    expect(await read()).toEqual([a!.id, b!.id].sort());
  });

  it('answers Graph errors for unknown resources', async () => {
    const unknown: GraphError = await client.api('/teams').get().catch((e: GraphError) => e);
    expect([unknown.statusCode, unknown.code]).toEqual([400, 'BadRequest']);
    const write: GraphError = await client.api('/groups').post({ displayName: 'x' }).catch((e: GraphError) => e);
    expect(write.statusCode).toBe(405);
  });
});
