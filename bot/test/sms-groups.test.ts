import { makeUser } from '../../shared/test/users';
import type { Runtime } from '../src/runtime';
import { devTokens } from './support/dev-sign-in';
import { call, expectError, type JsonAnswer } from './support/http';
import { startTestRuntime, stopAll } from './support/runtime';

/**
 * SMS groups over HTTP against the real server and Azurite: create, rename, owners
 * and members, the shared number (held through the numbers table), delete; the Users
 * page showing owners' group numbers; who may do what.
 */
const IDENTITIES = ['provider-admin', 'contoso-global-admin', 'contoso-admin', 'contoso-user', 'fabrikam-global-admin'] as const;

describe('SMS groups API', () => {
  let runtime: Runtime;
  let url: string;
  let tokens: Record<(typeof IDENTITIES)[number], string>;

  beforeAll(async () => {
    runtime = await startTestRuntime();
    url = runtime.url;
    tokens = await devTokens(url, IDENTITIES);
    await runtime.services.userRepository.createMany([
      makeUser({ enterpriseId: 'contoso', id: 'olga', displayName: 'Olga Owner' }),
      makeUser({ enterpriseId: 'contoso', id: 'mike', displayName: 'Mike Member', teamsLicensed: false }),
      makeUser({ enterpriseId: 'contoso', id: 'jane', displayName: 'Jane Doe' }),
      makeUser({ enterpriseId: 'contoso', id: 'ghost', displayName: 'Gone Ghost', removed: true }),
    ]);
    await runtime.services.userRepository.createMany([makeUser({ enterpriseId: 'fabrikam', id: 'frank' })]);
    const range = await call(`${url}/api/admin/enterprises/contoso/numbers/range`, { token: tokens['contoso-global-admin'], body: { from: '+14155550700', to: '+14155550709' } });
    expect(range.status).toBe(200);
  });
  afterAll(() => stopAll(runtime));

  const admin = () => tokens['contoso-global-admin'];
  const groupsUrl = (enterprise = 'contoso') => `${url}/api/admin/enterprises/${enterprise}/sms-groups`;
  const create = (body: unknown, token = admin()) => call(groupsUrl(), { token, body });
  const patch = (id: string, body: unknown, etag: string) => call(`${groupsUrl()}/${id}`, { method: 'PATCH', token: admin(), body, headers: { 'if-match': etag } });
  const holder = async (number: string) => (await call(`${url}/api/admin/enterprises/contoso/numbers/${encodeURIComponent(number)}`, { token: admin() })).body.holder;
  const userRow = async (id: string) => (await call(`${url}/api/admin/enterprises/contoso/users?search=${id}`, { token: admin() })).body.items.find((row: { id: string }) => row.id === id);

  it('creates a group with owners, members and a number; owners see it on the Users page as "group owner"', async () => {
    expect((await userRow('olga')).smsNumbers).toEqual([]); // the page's snapshot exists before the group
    const answer = await create({ name: 'Dispatch', number: '+1 415 555 0700', ownerIds: ['olga'], memberIds: ['mike', 'olga'] });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({
      id: expect.any(String),
      name: 'Dispatch',
      number: '+14155550700',
      display: '+1 415 555 0700',
      members: [
        { id: 'olga', displayName: 'Olga Owner', username: 'olga@contoso.com', owner: true, licensed: true, removed: false },
        { id: 'mike', displayName: 'Mike Member', username: 'mike@contoso.com', owner: false, licensed: false, removed: false },
      ],
      ownerIds: ['olga'],
      memberIds: ['olga', 'mike'],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      etag: expect.stringMatching(/^W\//),
    });
    expect(answer.headers.get('etag')).toBe(answer.body.etag);
    expect(await holder('+14155550700')).toEqual({ type: 'group', id: answer.body.id, name: 'Dispatch' });
    expect((await userRow('olga')).smsNumbers).toEqual([{ number: '+14155550700', role: 'group-owner', groupId: answer.body.id }]);
    expect((await call(`${url}/api/admin/enterprises/contoso/users/olga`, { token: admin() })).body.smsNumbers).toEqual([{ number: '+14155550700', role: 'group-owner', groupId: answer.body.id }]);
    expect((await userRow('mike')).smsNumbers).toEqual([]);
    expect(await runtime.services.smsGroups.membersOf('contoso', '+14155550700')).toEqual(['olga', 'mike']);

    const list = await call(groupsUrl(), { token: admin() });
    expect(list.status).toBe(200);
    expect(list.body.items.map((g: { name: string }) => g.name)).toEqual(['Dispatch']);
    const one = await call(`${groupsUrl()}/${answer.body.id}`, { token: admin() });
    expect(one.body).toEqual(answer.body);
  });

  it('refuses a taken name (ignoring case), a taken number, no owner, unknown or removed users', async () => {
    const name = expectError(await create({ name: 'DISPATCH', ownerIds: ['jane'] }), 409, 'conflict');
    expect(name.details).toEqual([{ path: 'name', message: expect.stringContaining('An SMS group named "Dispatch" already exists') }]);
    const number = expectError(await create({ name: 'Night desk', number: '+14155550700', ownerIds: ['jane'] }), 409, 'conflict');
    expect(number.message).toBe('+1 415 555 0700 is assigned to the SMS group Dispatch; unassign it first.');
    const noOwner = expectError(await create({ name: 'Night desk', ownerIds: [] }), 400, 'validation_failed');
    expect(noOwner.details).toEqual([{ path: 'ownerIds', message: 'An SMS group needs at least one owner.' }]);
    const users = expectError(await create({ name: 'Night desk', ownerIds: ['nobody'], memberIds: ['ghost'] }), 400, 'validation_failed');
    expect(users.details!.map((d) => d.path)).toEqual(['ownerIds.0', 'memberIds.0']);
    const bad = expectError(await create({ name: '', number: '+1 415', ownerIds: ['jane'], extra: 1 }), 400, 'validation_failed');
    expect(bad.details!.map((d) => d.path).sort()).toEqual(['extra', 'name']);
    const badNumber = expectError(await create({ name: 'Night desk', number: '+1 415', ownerIds: ['jane'] }), 400, 'validation_failed');
    expect(badNumber.details).toEqual([{ path: 'number', message: '"+1 415" is too short for a +1 number: check the digits.' }]);
    expect((await call(groupsUrl(), { token: admin() })).body.items).toHaveLength(1);
    expect(await holder('+14155550701')).toBeNull();
  });

  it('renames, changes owners and members, moves the number, with If-Match', async () => {
    const [group] = (await call(groupsUrl(), { token: admin() })).body.items;
    expectError(await call(`${groupsUrl()}/${group.id}`, { method: 'PATCH', token: admin(), body: { name: 'x' } }), 428, 'precondition_required');

    const renamed = await patch(group.id, { name: 'Dispatch West', ownerIds: ['jane'], memberIds: ['mike'] }, group.etag);
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Dispatch West', ownerIds: ['jane'], memberIds: ['jane', 'mike'] });
    expect(await holder('+14155550700')).toEqual({ type: 'group', id: group.id, name: 'Dispatch West' });
    expect((await userRow('jane')).smsNumbers).toEqual([{ number: '+14155550700', role: 'group-owner', groupId: group.id }]);
    expect((await userRow('olga')).smsNumbers).toEqual([]);
    expectError(await patch(group.id, { name: 'Stale' }, group.etag), 409, 'conflict');

    const moved = await patch(group.id, { number: '+14155550701' }, renamed.body.etag);
    expect(moved.status).toBe(200);
    expect(await holder('+14155550700')).toBeNull();
    expect(await holder('+14155550701')).toMatchObject({ type: 'group', id: group.id });
    expect((await userRow('jane')).smsNumbers).toEqual([{ number: '+14155550701', role: 'group-owner', groupId: group.id }]);

    // A user's number cannot become the group's; nothing changes.
    const jane = (await call(`${url}/api/admin/enterprises/contoso/users/jane/sms`, { token: admin() })).body;
    expect((await call(`${url}/api/admin/enterprises/contoso/users/jane/sms`, { method: 'PUT', token: admin(), body: { enabled: true, numbers: ['+14155550702'] }, headers: { 'if-match': jane.userEtag } })).status).toBe(200);
    const taken = expectError(await patch(group.id, { number: '+14155550702', name: 'Renamed too' }, moved.body.etag), 409, 'conflict');
    expect(taken.message).toBe('+1 415 555 0702 is assigned to Jane Doe; unassign it first.');
    expect((await call(`${groupsUrl()}/${group.id}`, { token: admin() })).body).toMatchObject({ name: 'Dispatch West', number: '+14155550701', etag: moved.body.etag });
    expect((await userRow('jane')).smsNumbers).toEqual([
      { number: '+14155550702', role: 'own' },
      { number: '+14155550701', role: 'group-owner', groupId: group.id },
    ]);

    const feed = (await call(`${url}/api/admin/enterprises/contoso/activity?pageSize=10`, { token: admin() })).body.items;
    expect(feed.find((e: { action: string }) => e.action === 'smsgroup.updated')).toMatchObject({ summary: 'Changed the SMS group Dispatch West: number +1 415 555 0700 → +1 415 555 0701.' });
  });

  it('deletes a group with If-Match and releases its number', async () => {
    const [group] = (await call(groupsUrl(), { token: admin() })).body.items;
    expectError(await call(`${groupsUrl()}/${group.id}`, { method: 'DELETE', token: admin(), headers: { 'if-match': 'W/"stale"' } }), 409, 'conflict');
    const deleted = await call(`${groupsUrl()}/${group.id}`, { method: 'DELETE', token: admin(), headers: { 'if-match': group.etag } });
    expect(deleted.status).toBe(204);
    expect(await holder('+14155550701')).toBeNull();
    expect((await userRow('jane')).smsNumbers).toEqual([{ number: '+14155550702', role: 'own' }]);
    expectError(await call(`${groupsUrl()}/${group.id}`, { token: admin() }), 404, 'not_found');
    const feed = (await call(`${url}/api/admin/enterprises/contoso/activity?pageSize=1`, { token: admin() })).body.items;
    expect(feed[0]).toMatchObject({ action: 'smsgroup.deleted', summary: 'Deleted the SMS group Dispatch West; released +1 415 555 0701.' });
  });

  describe('who may do what', () => {
    const operations = (enterprise: string) => [
      { method: 'GET', path: groupsUrl(enterprise) },
      { method: 'POST', path: groupsUrl(enterprise), body: { name: 'X', ownerIds: ['frank'] } },
      { method: 'GET', path: `${groupsUrl(enterprise)}/some-id` },
      { method: 'PATCH', path: `${groupsUrl(enterprise)}/some-id`, body: { name: 'Y' }, etag: 'W/"x"' },
      { method: 'DELETE', path: `${groupsUrl(enterprise)}/some-id`, etag: 'W/"x"' },
    ];
    const send = (op: ReturnType<typeof operations>[number], token: string): Promise<JsonAnswer> =>
      call(op.path, { method: op.method, token, ...(op.body ? { body: op.body } : {}), ...(op.etag ? { headers: { 'if-match': op.etag } } : {}) });

    it('answers 403 to plain users, 404 to other enterprises, 403 to a provider without consent', async () => {
      for (const op of operations('contoso')) {
        expect({ op: `${op.method} ${op.path}`, status: (await send(op, tokens['contoso-user'])).status }).toEqual({ op: `${op.method} ${op.path}`, status: 403 });
        expect({ op: `${op.method} ${op.path}`, status: (await send(op, tokens['fabrikam-global-admin'])).status }).toEqual({ op: `${op.method} ${op.path}`, status: 404 });
      }
      for (const op of operations('fabrikam')) {
        const answer = await send(op, tokens['provider-admin']);
        expect({ op: `${op.method} ${op.path}`, status: answer.status }).toEqual({ op: `${op.method} ${op.path}`, status: 403 });
        expect(answer.body.error.message).toMatch(/has not allowed management by its service provider/);
      }
      expect((await call(groupsUrl(), { token: tokens['provider-admin'] })).status).toBe(200);
      expect((await call(groupsUrl(), { token: tokens['contoso-admin'] })).status).toBe(200);
    });
  });
});
