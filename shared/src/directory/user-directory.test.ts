import { makeUser } from '../../test/users';
import { testStore } from '../../test/storage';
import type { Principal } from '../access/principal';
import { ACTIVITY_TABLE, ActivityLog } from '../audit/activity';
import { EnterpriseRepository, ENTERPRISES_TABLE } from '../enterprises/repository';
import { defaultEnterpriseSettings, type Enterprise } from '../enterprises/schema';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import type { Stored } from '../store/repository';
import type { TableStore } from '../store/table-store';
import type { DirectoryUser } from './user';
import { UserDirectory, type UserDirectoryOptions } from './user-directory';
import { UserRepository, USERS_TABLE } from './user-repository';
import type { GroupNumberSource, GroupOwnedNumber } from './user-view';

/**
 * The Users service against real storage (Azurite): the snapshot and its hooks,
 * writes with ETags and activity, bulk tag changes that retry users a concurrent
 * writer changed, purge, and access.
 */
const PROVIDER = 'prov-tenant';
const admin = (enterpriseId: string, role: Principal['role'] = 'global-admin'): Principal => ({ userId: `${role}-${enterpriseId}`, name: `Admin of ${enterpriseId}`, tenantId: `t-${enterpriseId}`, role, enterpriseId });
const providerAdmin: Principal = { userId: 'pat', name: 'Pat Provider', tenantId: PROVIDER, role: 'provider-admin', providerId: PROVIDER };

/** A repository that lets a test slip a competing write in just before chosen updates. */
class InterferingRepository extends UserRepository {
  interfere?: (current: Stored<DirectoryUser>) => Promise<void>;
  /** When set, a listing waits for it after its last row (a load "still running"). */
  listGate?: { reached: () => void; release: Promise<void> };
  override async *listAll(enterpriseId: string): AsyncGenerator<Stored<DirectoryUser>> {
    yield* super.listAll(enterpriseId);
    const gate = this.listGate;
    if (gate) {
      gate.reached();
      await gate.release;
    }
  }
  override async update(current: Stored<DirectoryUser>, next: DirectoryUser): Promise<Stored<DirectoryUser>> {
    const hook = this.interfere;
    if (hook) await hook(current);
    return super.update(current, next);
  }
  override async updateMany(changes: ReadonlyArray<{ current: Stored<DirectoryUser>; next: DirectoryUser }>): Promise<Array<Stored<DirectoryUser> | Error>> {
    const hook = this.interfere;
    if (hook) for (const { current } of changes) await hook(current);
    return super.updateMany(changes);
  }
  /** The real update, for the competing writer. */
  competingUpdate(current: Stored<DirectoryUser>, next: DirectoryUser): Promise<Stored<DirectoryUser>> {
    return super.update(current, next);
  }
}

describe('UserDirectory', () => {
  let store: TableStore;
  let enterprises: EnterpriseRepository;
  let repository: InterferingRepository;
  let activity: ActivityLog;
  let clock: number;
  let seq = 0;

  beforeAll(async () => {
    store = testStore();
    await store.ensureTables([ENTERPRISES_TABLE, ACTIVITY_TABLE, USERS_TABLE]);
    enterprises = new EnterpriseRepository(store);
    repository = new InterferingRepository(store);
    activity = new ActivityLog(store);
  });
  beforeEach(() => {
    clock = 1_000_000;
    repository.interfere = undefined;
    repository.listGate = undefined;
  });

  /** A fresh enterprise with the given users, and a directory over it. */
  async function setup(users: Array<Partial<DirectoryUser> & { id: string }>, options: UserDirectoryOptions & { settings?: Partial<Enterprise['settings']> } = {}) {
    const id = `ent${++seq}`;
    const at = new Date().toISOString();
    await enterprises.create({ id, name: `Enterprise ${seq}`, tenantId: `t-${id}`, providerId: PROVIDER, createdAt: at, updatedAt: at, settings: { ...defaultEnterpriseSettings, allowProviderManagement: true, ...options.settings } });
    await repository.createMany(users.map((u) => makeUser({ enterpriseId: id, ...u })));
    const directory = new UserDirectory(repository, enterprises, activity, { clock: () => clock, ...options });
    return { id, directory, principal: admin(id) };
  }
  const usernames = (page: { items: Array<{ username: string }> }) => page.items.map((row) => row.username);

  describe('queries', () => {
    it('loads the snapshot on first use and answers rows with ETags and the CHT chip of the current enterprise setting', async () => {
      const { id, directory, principal } = await setup([{ id: 'a', tags: ['VIP'] }, { id: 'b', chatAccess: 'allow' }, { id: 'c', removed: true }]);
      const page = await directory.query(principal, id, {});
      expect(page).toMatchObject({ total: 2, offset: 0, limit: 100 });
      expect(page.items.map((row) => [row.username, row.services.chat])).toEqual([['a@contoso.com', 'on'], ['b@contoso.com', 'on']]);
      expect(page.items[0]!.etag).toMatch(/^W\//);

      const enterprise = (await enterprises.byId(id))!;
      await enterprises.update(enterprise, { ...enterprise.value, settings: { ...enterprise.value.settings, chatEnabled: false } });
      const after = await directory.query(principal, id, { chat: 'off' });
      expect(usernames(after)).toEqual(['a@contoso.com']); // no reload needed: the chip is worked out per query
    });

    it('shows group-owner numbers from the group number source, and finds users by them', async () => {
      const calls: string[] = [];
      const source: GroupNumberSource = {
        async groupOwnerNumbers(enterpriseId) {
          calls.push(enterpriseId);
          return new Map<string, GroupOwnedNumber[]>([['owner', [{ number: '+15550001111', groupId: 'front-desk' }]]]);
        },
      };
      const { id, directory, principal } = await setup([{ id: 'owner', sms: { enabled: true, numbers: ['+15550002222'] } }, { id: 'other' }], { groupNumbers: source });
      const page = await directory.query(principal, id, { search: '555 000 1111' });
      expect(page.items).toHaveLength(1);
      expect(page.items[0]!.smsNumbers).toEqual([
        { number: '+15550002222', role: 'own' },
        { number: '+15550001111', role: 'group-owner', groupId: 'front-desk' },
      ]);
      expect((await directory.get(principal, id, 'owner')).smsNumbers).toHaveLength(2);
      expect(calls).toEqual([id]);
    });
  });

  describe('the snapshot and its hooks', () => {
    it('serves the snapshot within the TTL, then refreshes it from storage in the background', async () => {
      const { id, directory, principal } = await setup([{ id: 'a' }]);
      await directory.query(principal, id, {});
      await repository.createMany([makeUser({ enterpriseId: id, id: 'b' })]); // written behind the service's back
      expect((await directory.query(principal, id, {})).total).toBe(1);
      clock += 15_001;
      expect((await directory.query(principal, id, {})).total).toBe(1); // stale answer, refresh started
      await directory.snapshot(id, 'fresh'); // waits for the refresh in flight
      expect((await directory.query(principal, id, {})).total).toBe(2);
    });

    it('invalidate makes the next read load from storage', async () => {
      const { id, directory, principal } = await setup([{ id: 'a' }]);
      await directory.query(principal, id, {});
      await repository.createMany([makeUser({ enterpriseId: id, id: 'b' })]);
      directory.invalidate(id);
      expect((await directory.query(principal, id, {})).total).toBe(2);
    });

    it('applyUsers puts written users and deletions into the snapshot at once', async () => {
      const { id, directory, principal } = await setup([{ id: 'a' }, { id: 'b' }]);
      await directory.query(principal, id, { sort: 'displayName' });
      const b = (await repository.get(id, 'b'))!;
      const renamed = await repository.update(b, { ...b.value, displayName: 'Aaron', tags: ['New'] });
      const created = await repository.create(makeUser({ enterpriseId: id, id: 'c', displayName: 'Zed' }));
      const a = (await repository.get(id, 'a'))!;
      await repository.delete(a);
      directory.applyUsers(id, [renamed, created], ['a']);
      const page = await directory.query(principal, id, { sort: 'displayName' });
      expect(page.items.map((row) => [row.id, row.displayName, row.etag])).toEqual([
        ['b', 'Aaron', renamed.etag],
        ['c', 'Zed', created.etag],
      ]);
      expect(await directory.tags(principal, id)).toEqual([{ tag: 'New', count: 1 }]);
    });

    it('applyUsers before any load is a no-op (the load reads storage), and during a load it is replayed on the result', async () => {
      const { id, directory, principal } = await setup([{ id: 'a', displayName: 'Before' }]);
      directory.applyUsers(id, [{ value: makeUser({ enterpriseId: id, id: 'ghost' }), etag: 'W/"x"' }]);
      let reached!: () => void;
      let release!: () => void;
      const listed = new Promise<void>((resolve) => (reached = resolve));
      repository.listGate = { reached, release: new Promise<void>((resolve) => (release = resolve)) };
      const loading = directory.snapshot(id);
      await listed; // the load has read "a" as it was, and has not finished
      const a = (await repository.get(id, 'a'))!;
      const changed = await repository.update(a, { ...a.value, displayName: 'After' });
      const created = await repository.create(makeUser({ enterpriseId: id, id: 'late' }));
      directory.applyUsers(id, [changed, created]);
      repository.listGate = undefined;
      release();
      await loading;
      const page = await directory.query(principal, id, {});
      expect(page.items.map((row) => [row.id, row.displayName, row.etag])).toEqual([
        ['a', 'After', changed.etag],
        ['late', 'late', created.etag],
      ]);
    });
  });

  describe('tags and chat access', () => {
    it('replaces tags with the ETag, writes through to the snapshot, and records the change', async () => {
      const { id, directory, principal } = await setup([{ id: 'jane', displayName: 'Jane Doe', tags: ['VIP'] }]);
      const [row] = (await directory.query(principal, id, {})).items;
      const saved = await directory.setTags(principal, id, 'jane', row!.etag, [' Berlin ', 'VIP']);
      expect(saved.tags).toEqual(['Berlin', 'VIP']);
      expect(saved.etag).not.toBe(row!.etag);
      expect(usernames(await directory.query(principal, id, { tag: ['berlin'] }))).toEqual(['jane@contoso.com']);
      const [entry] = (await activity.page(id, { pageSize: 1 })).items;
      expect(entry).toMatchObject({
        action: 'user.tags.updated',
        actor: { id: principal.userId, role: 'global-admin' },
        entity: { type: 'user', id: 'jane', name: 'Jane Doe' },
        summary: 'Changed the tags of Jane Doe: added Berlin.',
        before: { tags: ['VIP'] },
        after: { tags: ['Berlin', 'VIP'] },
      });

      await expect(directory.setTags(principal, id, 'jane', row!.etag, ['Other'])).rejects.toThrow(ConflictError);
      await expect(directory.setTags(principal, id, 'jane', saved.etag, ['a', 'A'])).rejects.toThrow(ValidationError);
      await expect(directory.setTags(principal, id, 'nobody', saved.etag, [])).rejects.toThrow(NotFoundError);
      const same = await directory.setTags(principal, id, 'jane', saved.etag, ['Berlin', 'VIP']);
      expect(same.etag).toBe(saved.etag); // nothing to write
      expect((await activity.page(id, { pageSize: 1 })).items[0]!.id).toBe(entry!.id);
    });

    it('sets chat access with the ETag and records it', async () => {
      const { id, directory, principal } = await setup([{ id: 'jane', displayName: 'Jane Doe' }], { settings: { chatEnabled: false } });
      const row = await directory.get(principal, id, 'jane');
      expect(row.services).toEqual({ sms: 'not-configured', chat: 'off', chatAccess: 'inherit' });
      const saved = await directory.setChatAccess(principal, id, 'jane', row.etag, 'allow');
      expect(saved.services).toMatchObject({ chat: 'on', chatAccess: 'allow' });
      expect(usernames(await directory.query(principal, id, { chat: 'on' }))).toEqual(['jane@contoso.com']);
      expect((await activity.page(id, { pageSize: 1 })).items[0]).toMatchObject({
        action: 'user.chat-access.updated',
        entity: { type: 'user', id: 'jane', name: 'Jane Doe' },
        before: { chatAccess: 'inherit' },
        after: { chatAccess: 'allow' },
      });
      await expect(directory.setChatAccess(principal, id, 'jane', row.etag, 'deny')).rejects.toThrow(ConflictError);
    });

    it('renames a tag across users, merging ignoring case, and records one entry', async () => {
      const { id, directory, principal } = await setup([
        { id: 'a', tags: ['sales', 'VIP'] },
        { id: 'b', tags: ['Team', 'Sales'] },
        { id: 'c', tags: ['Other'] },
        { id: 'd', tags: ['SALES'], removed: true },
      ]);
      const result = await directory.renameTag(principal, id, 'Sales', 'team');
      expect(result).toEqual({ updated: 3, failed: [] });
      const tagsOf = async (userId: string) => (await repository.get(id, userId))!.value.tags;
      expect(await tagsOf('a')).toEqual(['team', 'VIP']);
      expect(await tagsOf('b')).toEqual(['team']);
      expect(await tagsOf('c')).toEqual(['Other']);
      expect(await tagsOf('d')).toEqual(['team']);
      expect(await directory.tags(principal, id)).toEqual([
        { tag: 'team', count: 3 },
        { tag: 'Other', count: 1 },
        { tag: 'VIP', count: 1 },
      ]);
      expect((await activity.page(id, { pageSize: 1 })).items[0]).toMatchObject({ action: 'tags.renamed', entity: { type: 'tag', id: 'Sales' }, after: { tag: 'team', users: 3 } });
      // the page's rows carry the ETags the bulk write produced: they work for the next change
      const row = (await directory.query(principal, id, { tag: ['team'] })).items.find((r) => r.id === 'a')!;
      expect(row.etag).toBe((await repository.get(id, 'a'))!.etag);
      await expect(directory.setTags(principal, id, 'a', row.etag, ['team'])).resolves.toMatchObject({ tags: ['team'] });
    });

    it('renames across more users than one bulk chunk, and the page follows', async () => {
      const many = Array.from({ length: 1_200 }, (_, i) => ({ id: `m${String(i).padStart(4, '0')}`, tags: i % 3 === 0 ? ['Bulk', 'Keep'] : ['Keep'] }));
      const { id, directory, principal } = await setup(many);
      expect((await directory.query(principal, id, { tag: ['bulk'], sort: 'tags' })).total).toBe(400);
      expect(await directory.renameTag(principal, id, 'bulk', 'Moved')).toEqual({ updated: 400, failed: [] });
      expect((await directory.query(principal, id, { tag: ['bulk'] })).total).toBe(0);
      const moved = await directory.query(principal, id, { tag: ['moved'], sort: 'tags', limit: 500 });
      expect(moved.total).toBe(400);
      expect(moved.items.every((row) => row.tags.join() === 'Moved,Keep')).toBe(true);
      directory.invalidate(id); // storage agrees with the snapshot
      expect((await directory.query(principal, id, { tag: ['moved'] })).total).toBe(400);
      expect(await directory.tags(principal, id)).toEqual([{ tag: 'Keep', count: 1_200 }, { tag: 'Moved', count: 400 }]);
    });

    it('retries a user that a concurrent writer changed, keeping both changes', async () => {
      const { id, directory, principal } = await setup([{ id: 'a', tags: ['Old'] }, { id: 'b', tags: ['Old', 'Keep'] }]);
      let interfered = 0;
      repository.interfere = async (current) => {
        if (current.value.id !== 'b' || interfered++ > 0) return;
        // Someone else adds a tag and renames the user between our read and our write.
        await repository.competingUpdate(current, { ...current.value, displayName: 'Renamed meanwhile', tags: [...current.value.tags, 'Added'] });
      };
      expect(await directory.renameTag(principal, id, 'old', 'New')).toEqual({ updated: 2, failed: [] });
      expect(interfered).toBe(2);
      const b = (await repository.get(id, 'b'))!.value;
      expect(b).toMatchObject({ displayName: 'Renamed meanwhile', tags: ['New', 'Keep', 'Added'] });
      expect((await directory.query(principal, id, { tag: ['added'] })).items.map((row) => row.displayName)).toEqual(['Renamed meanwhile']);
    });

    it('reports users that keep changing instead of failing the whole action', async () => {
      const { id, directory, principal } = await setup([{ id: 'a', tags: ['X'] }, { id: 'busy', tags: ['X'] }], { attempts: 3 });
      repository.interfere = async (current) => {
        if (current.value.id === 'busy') await repository.competingUpdate(current, { ...current.value, displayName: `again ${Math.random()}` });
      };
      const result = await directory.removeTag(principal, id, 'x');
      expect(result.updated).toBe(1);
      expect(result.failed).toEqual([{ id: 'busy', username: 'busy@contoso.com', reason: expect.stringMatching(/3 attempts/) }]);
    });

    it('removes a tag from everyone and records one entry; removing an unknown tag changes nothing', async () => {
      const { id, directory, principal } = await setup([{ id: 'a', tags: ['VIP', 'Berlin'] }, { id: 'b', tags: ['vip'] }, { id: 'c' }]);
      expect(await directory.removeTag(principal, id, 'Vip')).toEqual({ updated: 2, failed: [] });
      expect(await directory.tags(principal, id)).toEqual([{ tag: 'Berlin', count: 1 }]);
      expect((await activity.page(id, { pageSize: 1 })).items[0]).toMatchObject({ action: 'tags.removed', summary: 'Removed the tag Vip from 2 users.' });
      expect(await directory.removeTag(principal, id, 'nothing')).toEqual({ updated: 0, failed: [] });
    });
  });

  describe('purge', () => {
    it('deletes users outside the selection except those holding numbers, and says why it kept them', async () => {
      const source: GroupNumberSource = { groupOwnerNumbers: async () => new Map([['owner', [{ number: '+15550009999', groupId: 'g' }]]]) };
      const { id, directory, principal } = await setup(
        [
          { id: 'inside' },
          { id: 'gone1', inSelection: false },
          { id: 'gone2', inSelection: false, removed: true },
          { id: 'holder', inSelection: false, sms: { enabled: true, numbers: ['+15551234567'] } },
          { id: 'owner', inSelection: false },
        ],
        { groupNumbers: source },
      );
      expect((await directory.query(principal, id, { selection: 'outside', status: 'all' })).total).toBe(4);
      const result = await directory.purge(principal, id);
      expect(result.purged).toBe(2);
      expect(result.kept).toEqual([
        { id: 'holder', username: 'holder@contoso.com', reason: 'Holds SMS number +15551234567; unassign it first.' },
        { id: 'owner', username: 'owner@contoso.com', reason: 'Owns the SMS group number +15550009999; give the group another owner first.' },
      ]);
      expect(await repository.get(id, 'gone1')).toBeUndefined();
      expect(await repository.get(id, 'gone2')).toBeUndefined();
      expect((await directory.query(principal, id, { status: 'all' })).items.map((row) => row.id)).toEqual(['holder', 'inside', 'owner']);
      expect((await activity.page(id, { pageSize: 1 })).items[0]).toMatchObject({
        action: 'users.purged',
        summary: 'Purged 2 users outside the group selection: gone1@contoso.com, gone2@contoso.com. Kept 2 who hold SMS numbers.',
      });
    });

    it('spares a user who came back into the selection meanwhile', async () => {
      const { id, directory, principal } = await setup([{ id: 'back', inSelection: false }]);
      await directory.query(principal, id, {});
      const back = (await repository.get(id, 'back'))!;
      await repository.update(back, { ...back.value, inSelection: true });
      expect(await directory.purge(principal, id)).toEqual({ purged: 0, kept: [] });
      expect(await repository.get(id, 'back')).toBeDefined();
    });
  });

  describe('access', () => {
    it("lets the enterprise's admins in, and its provider only with consent", async () => {
      const { id, directory } = await setup([{ id: 'a' }]);
      await expect(directory.query(admin(id, 'enterprise-admin'), id, {})).resolves.toMatchObject({ total: 1 });
      await expect(directory.query(providerAdmin, id, {})).resolves.toMatchObject({ total: 1 });
      const { id: closed, directory: closedDirectory } = await setup([{ id: 'a' }], { settings: { allowProviderManagement: false } });
      await expect(closedDirectory.query(providerAdmin, closed, {})).rejects.toThrow(ForbiddenError);
    });

    it('refuses plain users (403) and hides other enterprises (404)', async () => {
      const { id, directory } = await setup([{ id: 'a' }]);
      await expect(directory.query(admin(id, 'user'), id, {})).rejects.toThrow(ForbiddenError);
      await expect(directory.query(admin('elsewhere'), id, {})).rejects.toThrow(NotFoundError);
      await expect(directory.renameTag(admin('elsewhere'), id, 'a', 'b')).rejects.toThrow(NotFoundError);
      await expect(directory.purge(admin(id, 'user'), id)).rejects.toThrow(ForbiddenError);
      await expect(directory.query(admin(id), 'no-such-enterprise', {})).rejects.toThrow(NotFoundError);
    });
  });
});
