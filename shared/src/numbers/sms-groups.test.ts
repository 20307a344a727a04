import { randomUUID } from 'node:crypto';
import { testStore } from '../../test/storage';
import { makeUser } from '../../test/users';
import type { Actor, Principal } from '../access/principal';
import type { DirectoryUser } from '../directory/user';
import { defaultEnterpriseSettings } from '../enterprises/schema';
import { ConflictError, ForbiddenError, ValidationError } from '../errors';
import { createServices, type Services } from '../services';
import type { PhoneNumberEntry } from './number';

/**
 * SMS groups against real storage through the wired services: the shared number is
 * held through the numbers table, owners see it on the Users page, members receive.
 */
const actor: Actor = { id: 'admin-1', name: 'Ada Admin', role: 'global-admin' };
const G1 = '+14155550501';
const G2 = '+14155550502';
const JANES = '+14155550503';

interface World {
  services: Services;
  enterpriseId: string;
  admin: Principal;
  holder(number: string): Promise<PhoneNumberEntry['holder'] | undefined>;
  ownerNumbers(userId: string): Promise<unknown[]>;
}

async function world(users: Array<Partial<DirectoryUser> & { id: string }>): Promise<World> {
  const services = await createServices(testStore());
  const enterpriseId = `ent-${randomUUID().slice(0, 8)}`;
  const at = new Date().toISOString();
  await services.enterpriseRepository.create({ id: enterpriseId, name: 'Contoso', tenantId: randomUUID(), providerId: 'prov', createdAt: at, updatedAt: at, settings: defaultEnterpriseSettings });
  await services.userRepository.createMany(users.map((user) => makeUser({ enterpriseId, ...user })));
  const admin: Principal = { userId: 'admin-1', name: 'Ada Admin', tenantId: 't', role: 'global-admin', enterpriseId };
  await services.numbers.addRange(admin, enterpriseId, { from: G1, to: JANES });
  return {
    services,
    enterpriseId,
    admin,
    holder: async (number) => (await services.numberRepository.get(enterpriseId, number))?.value.holder,
    ownerNumbers: async (userId) => (await services.users.query(admin, enterpriseId, { search: userId })).items.find((row) => row.id === userId)!.smsNumbers,
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject');
}

const people = [
  { id: 'olga', displayName: 'Olga Owner' },
  { id: 'mike', displayName: 'Mike Member' },
  { id: 'jane', displayName: 'Jane Doe' },
  { id: 'ghost', displayName: 'Gone Ghost', removed: true },
];

describe('SmsGroups', () => {
  it('creates a group on a number: the group holds it, owners are members, the Users page shows it as "group owner"', async () => {
    const w = await world(people);
    // The Users page snapshot exists before the group does.
    expect(await w.ownerNumbers('olga')).toEqual([]);

    const group = await w.services.smsGroups.create(w.admin, w.enterpriseId, { name: 'Dispatch', number: '+1 415 555 0501', ownerIds: ['olga'], memberIds: ['mike'] });
    expect(group).toMatchObject({ name: 'Dispatch', number: G1, display: '+1 415 555 0501', ownerIds: ['olga'], memberIds: ['olga', 'mike'] });
    expect(group.members.map((m) => [m.id, m.owner])).toEqual([
      ['olga', true],
      ['mike', false],
    ]);
    expect(await w.holder(G1)).toEqual({ type: 'group', id: group.id, name: 'Dispatch' });
    expect(await w.ownerNumbers('olga')).toEqual([{ number: G1, role: 'group-owner', groupId: group.id }]);
    expect(await w.ownerNumbers('mike')).toEqual([]);
    expect(await w.services.smsGroups.membersOf(w.enterpriseId, G1)).toEqual(['olga', 'mike']);
    expect(await w.services.smsGroups.membersOf(w.enterpriseId, G2)).toEqual([]);

    const feed = (await w.services.activity.page(w.enterpriseId, { pageSize: 5 })).items;
    expect(feed[0]).toMatchObject({ action: 'smsgroup.created', summary: 'Created the SMS group Dispatch on +1 415 555 0501 with 2 members.', after: { name: 'Dispatch', number: G1 } });
  });

  it("shares the holder rules with users: a group's number cannot go to a user, a user's cannot go to a group, nor be deleted", async () => {
    const w = await world(people);
    await w.services.smsAssignments.applyUserConfig(w.enterpriseId, 'jane', { enabled: true, numbers: [JANES] }, actor);
    const taken = await rejection(w.services.smsGroups.create(w.admin, w.enterpriseId, { name: 'Sales', number: JANES, ownerIds: ['olga'], memberIds: [] }));
    expect(taken).toBeInstanceOf(ConflictError);
    expect(taken.message).toBe('+1 415 555 0503 is assigned to Jane Doe; unassign it first.');
    expect((await w.services.smsGroups.list(w.admin, w.enterpriseId)).items).toEqual([]);

    await w.services.smsGroups.create(w.admin, w.enterpriseId, { name: 'Sales', number: G1, ownerIds: ['olga'], memberIds: [] });
    const toUser = await rejection(w.services.smsAssignments.applyUserConfig(w.enterpriseId, 'jane', { enabled: true, numbers: [JANES, G1] }, actor));
    expect(toUser.message).toBe('+1 415 555 0501 is assigned to the SMS group Sales; unassign it first.');
    const stored = (await w.services.numberRepository.get(w.enterpriseId, G1))!;
    const deleting = await rejection(w.services.numbers.delete(w.admin, w.enterpriseId, G1, stored.etag));
    expect(deleting).toBeInstanceOf(ConflictError);
    expect(deleting.message).toBe('+1 415 555 0501 is assigned to the SMS group Sales; unassign it first.');
  });

  it('checks names (unique ignoring case), owners and members', async () => {
    const w = await world(people);
    await w.services.smsGroups.create(w.admin, w.enterpriseId, { name: 'Dispatch', ownerIds: ['olga'], memberIds: [] });
    const duplicate = await rejection(w.services.smsGroups.create(w.admin, w.enterpriseId, { name: '  dispatch ', number: G2, ownerIds: ['mike'], memberIds: [] }));
    expect(duplicate).toBeInstanceOf(ConflictError);
    expect((duplicate as ConflictError).details[0]!.path).toBe('name');
    expect(await w.holder(G2)).toBeNull();

    const noOwner = await rejection(w.services.smsGroups.create(w.admin, w.enterpriseId, { name: 'Empty', ownerIds: [], memberIds: ['mike'] }));
    expect((noOwner as ValidationError).details).toEqual([{ path: 'ownerIds', message: 'An SMS group needs at least one owner.' }]);
    const strangers = await rejection(w.services.smsGroups.create(w.admin, w.enterpriseId, { name: 'Odd', ownerIds: ['olga'], memberIds: ['nobody', 'ghost'] }));
    expect((strangers as ValidationError).details).toEqual([
      { path: 'memberIds.0', message: `No user with id "nobody" in this enterprise's directory.` },
      { path: 'memberIds.1', message: 'Gone Ghost was removed from the Microsoft 365 directory and cannot join an SMS group.' },
    ]);
  });

  it('gives exactly one of two racing creates the name; the loser gives its number back', async () => {
    const w = await world(people);
    const results = await Promise.allSettled([
      w.services.smsGroups.create(w.admin, w.enterpriseId, { name: 'Night desk', number: G1, ownerIds: ['olga'], memberIds: [] }),
      w.services.smsGroups.create(w.admin, w.enterpriseId, { name: 'NIGHT DESK', number: G2, ownerIds: ['mike'], memberIds: [] }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = results.findIndex((r) => r.status === 'rejected');
    expect((results[lost] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    expect(await w.holder(lost === 0 ? G1 : G2)).toBeNull();
    expect(await w.holder(lost === 0 ? G2 : G1)).toMatchObject({ type: 'group' });
  });

  it('renames, changes owners and members, moves and releases the number, refusing stale ETags', async () => {
    const w = await world(people);
    let group = await w.services.smsGroups.create(w.admin, w.enterpriseId, { name: 'Dispatch', number: G1, ownerIds: ['olga'], memberIds: ['mike'] });
    const stale = group.etag;

    group = await w.services.smsGroups.update(w.admin, w.enterpriseId, group.id, group.etag, { name: 'Dispatch West' });
    expect(await w.holder(G1)).toEqual({ type: 'group', id: group.id, name: 'Dispatch West' });
    expect(await rejection(w.services.smsGroups.update(w.admin, w.enterpriseId, group.id, stale, { name: 'Nope' }))).toBeInstanceOf(ConflictError);

    // Mike becomes the owner; Olga stays a member.
    group = await w.services.smsGroups.update(w.admin, w.enterpriseId, group.id, group.etag, { ownerIds: ['mike'] });
    expect({ owners: group.ownerIds, members: group.memberIds }).toEqual({ owners: ['mike'], members: ['mike', 'olga'] });
    expect(await w.ownerNumbers('mike')).toEqual([{ number: G1, role: 'group-owner', groupId: group.id }]);
    expect(await w.ownerNumbers('olga')).toEqual([]);

    group = await w.services.smsGroups.update(w.admin, w.enterpriseId, group.id, group.etag, { memberIds: ['jane'] });
    expect(group.memberIds).toEqual(['mike', 'jane']);

    group = await w.services.smsGroups.update(w.admin, w.enterpriseId, group.id, group.etag, { number: G2 });
    expect(await w.holder(G1)).toBeNull();
    expect(await w.holder(G2)).toMatchObject({ type: 'group', id: group.id });
    expect(await w.ownerNumbers('mike')).toEqual([{ number: G2, role: 'group-owner', groupId: group.id }]);

    group = await w.services.smsGroups.update(w.admin, w.enterpriseId, group.id, group.etag, { number: null });
    expect(group.number).toBeNull();
    expect(await w.holder(G2)).toBeNull();
    expect(await w.ownerNumbers('mike')).toEqual([]);

    const feed = (await w.services.activity.page(w.enterpriseId, { pageSize: 10 })).items.filter((e) => e.action === 'smsgroup.updated');
    expect(feed.map((e) => e.summary)).toEqual([
      'Changed the SMS group Dispatch West: released +1 415 555 0502.',
      'Changed the SMS group Dispatch West: number +1 415 555 0501 → +1 415 555 0502.',
      'Changed the SMS group Dispatch West: 1 member added; 1 member removed.',
      'Changed the SMS group Dispatch West: owners changed.',
      'Changed the SMS group Dispatch West: renamed from Dispatch.',
    ]);
  });

  it('deletes a group and releases its number', async () => {
    const w = await world(people);
    const group = await w.services.smsGroups.create(w.admin, w.enterpriseId, { name: 'Dispatch', number: G1, ownerIds: ['olga'], memberIds: [] });
    expect(await w.ownerNumbers('olga')).toHaveLength(1);
    await w.services.smsGroups.delete(w.admin, w.enterpriseId, group.id, group.etag);
    expect(await w.holder(G1)).toBeNull();
    expect(await w.ownerNumbers('olga')).toEqual([]);
    expect((await w.services.smsGroups.list(w.admin, w.enterpriseId)).items).toEqual([]);
    // The name is free again.
    await w.services.smsGroups.create(w.admin, w.enterpriseId, { name: 'dispatch', ownerIds: ['olga'], memberIds: [] });
    const feed = (await w.services.activity.page(w.enterpriseId, { pageSize: 5 })).items;
    expect(feed[1]).toMatchObject({ action: 'smsgroup.deleted', summary: 'Deleted the SMS group Dispatch; released +1 415 555 0501.' });
  });

  it('lists groups by name with search, and checks access', async () => {
    const w = await world(people);
    await w.services.smsGroups.create(w.admin, w.enterpriseId, { name: 'beta', number: G2, ownerIds: ['olga'], memberIds: [] });
    await w.services.smsGroups.create(w.admin, w.enterpriseId, { name: 'Alpha', ownerIds: ['mike'], memberIds: [] });
    expect((await w.services.smsGroups.list(w.admin, w.enterpriseId)).items.map((g) => g.name)).toEqual(['Alpha', 'beta']);
    expect((await w.services.smsGroups.list(w.admin, w.enterpriseId, { search: '555 0502' })).items.map((g) => g.name)).toEqual(['beta']);
    expect((await w.services.smsGroups.list(w.admin, w.enterpriseId, { search: 'ALP' })).items.map((g) => g.name)).toEqual(['Alpha']);
    expect(await rejection(w.services.smsGroups.list({ ...w.admin, role: 'user' }, w.enterpriseId))).toBeInstanceOf(ForbiddenError);
  });
});
