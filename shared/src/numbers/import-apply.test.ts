import { randomUUID } from 'node:crypto';
import { testStore } from '../../test/storage';
import { makeUser } from '../../test/users';
import type { Actor, Principal } from '../access/principal';
import type { DirectoryUser } from '../directory/user';
import { UserRepository } from '../directory/user-repository';
import { defaultEnterpriseSettings } from '../enterprises/schema';
import { createServices, type Services } from '../services';
import type { Stored } from '../store/repository';
import { BulkSmsConfigApplier, type BulkRow } from './import-apply';
import type { PhoneNumberEntry } from './number';
import { NumberRepository } from './number-repository';

/**
 * Batched apply of import rows against real storage (Azurite): the same end state as
 * applyUserConfig row by row, the rows it leaves to applyUserConfig (with its exact
 * refusal), and races on numbers and users that it loses cleanly.
 */
const actor: Actor = { id: 'admin-1', name: 'Ada Admin', role: 'global-admin' };

class InterferingNumbers extends NumberRepository {
  beforeTransact?: () => Promise<void>;
  transactions = 0;
  override async transact(changes: ReadonlyArray<{ current: Stored<PhoneNumberEntry>; next: PhoneNumberEntry }>): Promise<Stored<PhoneNumberEntry>[]> {
    this.transactions++;
    const hook = this.beforeTransact;
    this.beforeTransact = undefined;
    if (hook) await hook();
    return super.transact(changes);
  }
}

class InterferingUsers extends UserRepository {
  beforeUpdateMany?: () => Promise<void>;
  override async updateMany(changes: ReadonlyArray<{ current: Stored<DirectoryUser>; next: DirectoryUser }>): Promise<Array<Stored<DirectoryUser> | Error>> {
    const hook = this.beforeUpdateMany;
    this.beforeUpdateMany = undefined;
    if (hook) await hook();
    return super.updateMany(changes);
  }
}

const N = (i: number) => `+1415555${String(100 + i).padStart(4, '0')}`;

async function world(users: Array<Partial<DirectoryUser> & { id: string }>, numbers: Array<Omit<Partial<PhoneNumberEntry>, 'number'> & { number: string }>) {
  const store = testStore();
  const services: Services = await createServices(store);
  const enterpriseId = `ent-${randomUUID().slice(0, 8)}`;
  const at = new Date().toISOString();
  await services.enterpriseRepository.create({ id: enterpriseId, name: 'Contoso', tenantId: randomUUID(), providerId: 'prov', createdAt: at, updatedAt: at, settings: defaultEnterpriseSettings });
  await services.userRepository.createMany(users.map((user) => makeUser({ enterpriseId, ...user })));
  await services.numberRepository.createMany(
    numbers.map((n) => ({
      enterpriseId,
      carrierConnectionId: null,
      capabilities: { sms: true, mms: false, voice: false },
      label: '',
      extension: null,
      holder: null,
      createdAt: at,
      updatedAt: at,
      ...n,
      segmentsPerSecond: n.segmentsPerSecond ?? null,
      number: n.number as PhoneNumberEntry['number'],
    })),
  );
  const numberRepository = new InterferingNumbers(store);
  const userRepository = new InterferingUsers(store);
  const bulk = new BulkSmsConfigApplier({ numbers: numberRepository, cache: services.numberCache, users: userRepository, listener: services.users, assignments: services.smsAssignments });
  const admin: Principal = { userId: 'admin-1', name: 'Ada Admin', tenantId: 't', role: 'global-admin', enterpriseId };
  return {
    services,
    enterpriseId,
    admin,
    bulk,
    numberRepository,
    userRepository,
    apply: (rows: BulkRow[]) => bulk.apply(enterpriseId, rows, actor),
    holder: async (e164: string) => (await services.numberRepository.require(enterpriseId, e164)).value.holder?.id ?? null,
    user: async (id: string) => (await services.userRepository.require(enterpriseId, id)).value,
    feed: async () => (await services.activity.page(enterpriseId, { pageSize: 100 })).items,
  };
}

const row = (userId: string, numbers: string[], enabled = numbers.length > 0, tags?: string[]): BulkRow => ({ userId, desired: { enabled, numbers, ...(tags ? { tags } : {}) } });

describe('BulkSmsConfigApplier', () => {
  it('assigns, releases and flips SMS for many users in a few transactions, then finds nothing to do', async () => {
    const w = await world(
      [
        { id: 'jane', displayName: 'Jane Doe' },
        { id: 'john', sms: { enabled: true, numbers: [N(1), N(2)] }, tags: ['Sales'] },
        { id: 'mary', sms: { enabled: true, numbers: [N(3)] } },
        ...Array.from({ length: 40 }, (_, i) => ({ id: `u${i}` })),
      ],
      [
        { number: N(0) },
        { number: N(1), holder: { type: 'user', id: 'john', name: 'john' } },
        { number: N(2), holder: { type: 'user', id: 'john', name: 'john' } },
        { number: N(3), holder: { type: 'user', id: 'mary', name: 'mary' } },
        ...Array.from({ length: 40 }, (_, i) => ({ number: N(10 + i) })),
      ],
    );
    await w.services.numberCache.snapshot(w.enterpriseId); // as after a validation: ranges are read by the snapshot's keys
    const rows = [
      row('jane', [N(0)], true, ['VIP']),
      row('john', [N(2)], true),
      row('mary', [N(3)], false, []),
      ...Array.from({ length: 40 }, (_, i) => row(`u${i}`, [N(10 + i)])),
    ];
    const outcomes = await w.apply(rows);
    expect(outcomes.every((outcome) => outcome.kind === 'changed' && outcome.via === 'batch')).toBe(true);
    expect(w.numberRepository.transactions).toBe(1); // 42 number changes: one transaction
    expect(await w.user('jane')).toMatchObject({ sms: { enabled: true, numbers: [N(0)] }, tags: ['VIP'] });
    expect(await w.user('john')).toMatchObject({ sms: { enabled: true, numbers: [N(2)] }, tags: ['Sales'] });
    expect(await w.user('mary')).toMatchObject({ sms: { enabled: false, numbers: [N(3)] }, tags: [] });
    expect(await w.holder(N(0))).toBe('jane');
    expect(await w.holder(N(1))).toBeNull();
    expect((await w.services.numberRepository.require(w.enterpriseId, N(0))).value.holder).toEqual({ type: 'user', id: 'jane', name: 'Jane Doe' });
    expect(await w.holder(N(49))).toBe('u39');
    // The Users page and the number cache saw it at once.
    const page = await w.services.users.query(w.admin, w.enterpriseId, { search: 'jane' });
    expect(page.items[0]!.smsNumbers).toEqual([{ number: N(0), role: 'own' }]);
    expect((await w.services.numberCache.snapshot(w.enterpriseId)).get(N(1))!.stored.value.holder).toBeNull();
    // No per-user entries: the import records one summary.
    expect((await w.feed()).filter((entry) => entry.action === 'user.sms.updated')).toEqual([]);

    const again = await w.apply(rows);
    expect(again.every((outcome) => outcome.kind === 'unchanged' && outcome.via === 'batch')).toBe(true);
    expect(w.numberRepository.transactions).toBe(1);
  });

  it('leaves the rows it should not decide to applyUserConfig, which answers with its own refusal', async () => {
    const w = await world(
      [{ id: 'jane' }, { id: 'gone', removed: true }, { id: 'mary', displayName: 'Mary Major' }],
      [{ number: N(0) }, { number: N(1), holder: { type: 'user', id: 'mary', name: 'Mary Major' } }, { number: N(2), capabilities: { sms: false, mms: false, voice: true } }, { number: N(3) }],
    );
    const outcomes = await w.apply([row('nobody', [N(0)]), row('gone', [N(0)]), row('jane', [N(1)]), row('mary', [N(1), N(2)]), row('jane', [N(9)])]);
    expect(outcomes).toEqual([
      { kind: 'failed', message: 'No user with id "nobody" in this enterprise.' },
      { kind: 'failed', message: expect.stringMatching(/was removed from the Microsoft 365 directory: numbers cannot be assigned/) },
      { kind: 'failed', message: '+1 415 555 0101 is assigned to Mary Major; unassign it first.' },
      { kind: 'failed', message: '+1 415 555 0102 cannot do SMS; turn SMS on for it on the Numbers page first.' },
      { kind: 'failed', message: expect.stringMatching(/^\+1 415 555 0109 is not in the number inventory/) },
    ]);
    expect(await w.holder(N(0))).toBeNull();
    expect((await w.user('jane')).sms.numbers).toEqual([]);
  });

  it('loses a race on the numbers cleanly: nothing of the transaction is written, its rows go one by one', async () => {
    const w = await world(
      [{ id: 'jane' }, { id: 'john' }, { id: 'mary', displayName: 'Mary Major' }],
      [{ number: N(0) }, { number: N(1) }, { number: N(2) }],
    );
    w.numberRepository.beforeTransact = async () => {
      await w.services.smsAssignments.applyUserConfig(w.enterpriseId, 'mary', { enabled: true, numbers: [N(1)] }, actor);
    };
    const outcomes = await w.apply([row('jane', [N(0)]), row('john', [N(1)])]);
    expect(outcomes).toEqual([
      { kind: 'changed', via: 'single' },
      { kind: 'failed', message: '+1 415 555 0101 is assigned to Mary Major; unassign it first.' },
    ]);
    expect(await w.holder(N(0))).toBe('jane');
    expect(await w.holder(N(1))).toBe('mary');
    expect((await w.user('john')).sms).toEqual({ enabled: false, numbers: [] });
  });

  it('puts numbers back when a user changed between read and write, then applies that row through applyUserConfig', async () => {
    const w = await world([{ id: 'jane', tags: ['Old'] }, { id: 'john' }], [{ number: N(0) }, { number: N(1) }]);
    w.userRepository.beforeUpdateMany = async () => {
      // Another admin changes Jane's tags meanwhile (not her SMS part).
      const jane = await w.services.userRepository.require(w.enterpriseId, 'jane');
      await w.services.userRepository.update(jane, { ...jane.value, tags: ['New'] });
    };
    const outcomes = await w.apply([row('jane', [N(0)]), row('john', [N(1)])]);
    expect(outcomes).toEqual([
      { kind: 'changed', via: 'single' },
      { kind: 'changed', via: 'batch' },
    ]);
    expect(await w.user('jane')).toMatchObject({ sms: { enabled: true, numbers: [N(0)] }, tags: ['New'] });
    expect(await w.holder(N(0))).toBe('jane');
    expect(await w.holder(N(1))).toBe('john');
    // The row that went through applyUserConfig has its own entry.
    expect((await w.feed()).filter((entry) => entry.action === 'user.sms.updated').map((entry) => entry.entity.id)).toEqual(['jane']);
  });
});
