import { randomUUID } from 'node:crypto';
import { testStore } from '../../test/storage';
import { makeUser } from '../../test/users';
import type { Actor, Principal } from '../access/principal';
import type { DirectoryUser } from '../directory/user';
import { UserRepository } from '../directory/user-repository';
import { defaultEnterpriseSettings } from '../enterprises/schema';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { createServices, type Services } from '../services';
import type { PhoneNumberEntry } from './number';
import { NumberCache } from './number-cache';
import { NumberRepository } from './number-repository';
import { SmsAssignments } from './sms-assignments';
import type { Stored } from '../store/repository';

/** A users repository that lets a test slip a competing (real) write in just before an update. */
class InterferingUsers extends UserRepository {
  beforeUpdate?: () => Promise<void>;
  override async update(current: Stored<DirectoryUser>, next: DirectoryUser): Promise<Stored<DirectoryUser>> {
    const hook = this.beforeUpdate;
    this.beforeUpdate = undefined;
    if (hook) await hook();
    return super.update(current, next);
  }
}

/** A numbers repository that lets a test slip a competing (real) write in just before a transaction. */
class InterferingNumbers extends NumberRepository {
  beforeTransact?: () => Promise<void>;
  override async transact(changes: ReadonlyArray<{ current: Stored<PhoneNumberEntry>; next: PhoneNumberEntry }>): Promise<Stored<PhoneNumberEntry>[]> {
    const hook = this.beforeTransact;
    this.beforeTransact = undefined;
    if (hook) await hook();
    return super.transact(changes);
  }
}

/**
 * Assigning numbers to users against real storage (Azurite), through the services as
 * the server wires them: all or nothing, races with exactly one winner, idempotent
 * repeats, the user mirror and the Users page, releasing removed users' numbers.
 */
const actor: Actor = { id: 'admin-1', name: 'Ada Admin', role: 'global-admin' };

interface World {
  services: Services;
  enterpriseId: string;
  admin: Principal;
  /** The number's stored state. */
  number(e164: string): Promise<{ value: PhoneNumberEntry; etag: string } | undefined>;
  user(id: string): Promise<{ value: DirectoryUser; etag: string }>;
  feed(): Promise<Array<{ action: string; summary: string; before: unknown; after: unknown }>>;
}

async function world(users: Array<Partial<DirectoryUser> & { id: string }>, numbers: Array<Omit<Partial<PhoneNumberEntry>, 'number'> & { number: string }>): Promise<World> {
  const services = await createServices(testStore());
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
  const admin: Principal = { userId: 'admin-1', name: 'Ada Admin', tenantId: 't', role: 'global-admin', enterpriseId };
  return {
    services,
    enterpriseId,
    admin,
    number: (e164) => services.numberRepository.get(enterpriseId, e164),
    user: (id) => services.userRepository.require(enterpriseId, id),
    feed: async () => (await services.activity.page(enterpriseId, { pageSize: 100 })).items,
  };
}

const N1 = '+14155550101';
const N2 = '+14155550102';
const N3 = '+14155550103';
const VOICE = '+14155550109';

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject');
}

describe('SmsAssignments.applyUserConfig', () => {
  it('assigns numbers, mirrors them on the user, shows them on the Users page at once, and records the change', async () => {
    const w = await world([{ id: 'jane', displayName: 'Jane Doe' }], [{ number: N1 }, { number: N2 }]);
    // The Users page has a snapshot before the save: it must not wait for a refresh.
    expect((await w.services.users.query(w.admin, w.enterpriseId, {})).items[0]!.smsNumbers).toEqual([]);

    const change = await w.services.smsAssignments.applyUserConfig(w.enterpriseId, 'jane', { enabled: true, numbers: ['+1 (415) 555-0101', N2], tags: ['Sales'] }, actor);
    expect(change).toEqual({ userId: 'jane', added: [N1, N2], removed: [], enabledBefore: false, enabledAfter: true, tagsChanged: true, unchanged: false });

    expect((await w.number(N1))!.value.holder).toEqual({ type: 'user', id: 'jane', name: 'Jane Doe' });
    expect((await w.number(N2))!.value.holder).toEqual({ type: 'user', id: 'jane', name: 'Jane Doe' });
    expect((await w.user('jane')).value).toMatchObject({ sms: { enabled: true, numbers: [N1, N2] }, tags: ['Sales'] });
    const row = (await w.services.users.query(w.admin, w.enterpriseId, {})).items[0]!;
    expect(row.smsNumbers).toEqual([
      { number: N1, role: 'own' },
      { number: N2, role: 'own' },
    ]);
    expect(row.services.sms).toBe('enabled');

    const [entry] = await w.feed();
    expect(entry).toMatchObject({
      action: 'user.sms.updated',
      actor,
      summary: 'Changed SMS for Jane Doe: assigned +1 415 555 0101, +1 415 555 0102; turned SMS on; set the tags to Sales.',
      before: { enabled: false, numbers: [], tags: [] },
      after: { enabled: true, numbers: [N1, N2], tags: ['Sales'] },
    });
  });

  it('is idempotent: the same desired state again writes nothing and records nothing', async () => {
    const w = await world([{ id: 'jane' }], [{ number: N1 }]);
    await w.services.smsAssignments.applyUserConfig(w.enterpriseId, 'jane', { enabled: true, numbers: [N1] }, actor);
    const [userBefore, numberBefore, feedBefore] = await Promise.all([w.user('jane'), w.number(N1), w.feed()]);

    const again = await w.services.smsAssignments.applyUserConfig(w.enterpriseId, 'jane', { enabled: true, numbers: ['+1 415 555 0101'] }, actor);
    expect(again).toEqual({ userId: 'jane', added: [], removed: [], enabledBefore: true, enabledAfter: true, tagsChanged: false, unchanged: true });
    expect((await w.user('jane')).etag).toBe(userBefore.etag);
    expect((await w.number(N1))!.etag).toBe(numberBefore!.etag);
    expect((await w.feed()).length).toBe(feedBefore.length);
  });

  it('releases numbers (remove one, remove all) and they become available again', async () => {
    const w = await world([{ id: 'jane' }], [{ number: N1 }, { number: N2 }]);
    await w.services.smsAssignments.applyUserConfig(w.enterpriseId, 'jane', { enabled: true, numbers: [N1, N2] }, actor);
    expect(await w.services.smsAssignments.applyUserConfig(w.enterpriseId, 'jane', { enabled: true, numbers: [N2] }, actor)).toMatchObject({ added: [], removed: [N1] });
    expect((await w.number(N1))!.value.holder).toBeNull();
    const view = await w.services.smsAssignments.view(w.admin, w.enterpriseId, 'jane');
    expect(view.numbers).toEqual([{ number: N2, display: '+1 415 555 0102' }]);
    expect(view.available).toEqual([{ number: N1, display: '+1 415 555 0101', label: '' }]);

    const etag = (await w.user('jane')).etag;
    const result = await w.services.smsAssignments.removeAll(w.admin, w.enterpriseId, 'jane', etag);
    expect(result.change).toMatchObject({ removed: [N2], enabledAfter: true });
    expect(result.numbers).toEqual([]);
    expect((await w.number(N2))!.value.holder).toBeNull();
    expect((await w.user('jane')).value.sms).toEqual({ enabled: true, numbers: [] });
  });

  it('is all or nothing: a save with one number someone else took meanwhile changes nothing at all', async () => {
    const w = await world([{ id: 'jane', displayName: 'Jane Doe' }, { id: 'john', displayName: 'John Smith' }], [{ number: N1 }, { number: N2 }, { number: N3 }]);
    await w.services.smsAssignments.applyUserConfig(w.enterpriseId, 'jane', { enabled: false, numbers: [N3] }, actor);
    const dialog = await w.services.smsAssignments.view(w.admin, w.enterpriseId, 'jane');
    expect(dialog.available.map((n) => n.number)).toEqual([N1, N2]);

    // Meanwhile another admin gives N2 to John.
    await w.services.smsAssignments.applyUserConfig(w.enterpriseId, 'john', { enabled: true, numbers: [N2] }, actor);
    const [janeBefore, n1Before, n3Before, feedBefore] = await Promise.all([w.user('jane'), w.number(N1), w.number(N3), w.feed()]);

    const error = await rejection(w.services.smsAssignments.save(w.admin, w.enterpriseId, 'jane', dialog.userEtag, { enabled: true, numbers: [N1, N2], tags: ['VIP'] }));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toBe('+1 415 555 0102 is assigned to John Smith; unassign it first.');
    expect((error as ConflictError).details).toEqual([{ path: 'numbers.1', message: error.message }]);

    // Nothing moved: not the free number, not the released one, not the switch, not the tags.
    expect(await w.user('jane')).toEqual(janeBefore);
    expect(await w.number(N1)).toEqual(n1Before);
    expect(await w.number(N3)).toEqual(n3Before);
    expect((await w.number(N2))!.value.holder).toMatchObject({ id: 'john' });
    expect((await w.feed()).length).toBe(feedBefore.length);
  });

  it('changes nothing when a number is taken between reading it and the transaction', async () => {
    const w = await world([{ id: 'jane', displayName: 'Jane Doe' }, { id: 'john', displayName: 'John Smith' }], [{ number: N1 }, { number: N2 }, { number: N3 }]);
    await w.services.smsAssignments.applyUserConfig(w.enterpriseId, 'jane', { enabled: false, numbers: [N3] }, actor);
    const numbers = new InterferingNumbers(w.services.store);
    const assignments = new SmsAssignments({ numbers, cache: new NumberCache(numbers), users: w.services.userRepository, enterprises: w.services.enterpriseRepository, activity: w.services.activity });
    // Jane's save has read N1, N2 and N3 (free, free, hers); John takes N2 before her transaction goes out.
    numbers.beforeTransact = async () => {
      await w.services.smsAssignments.applyUserConfig(w.enterpriseId, 'john', { enabled: true, numbers: [N2] }, actor);
    };
    const [janeBefore, n1Before, n3Before, feedBefore] = await Promise.all([w.user('jane'), w.number(N1), w.number(N3), w.feed()]);
    const error = await rejection(assignments.applyUserConfig(w.enterpriseId, 'jane', { enabled: true, numbers: [N1, N2], tags: ['VIP'] }, actor, { expectedUserEtag: janeBefore.etag }));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toBe('+1 415 555 0102 is assigned to John Smith; unassign it first.');
    expect(await w.user('jane')).toEqual(janeBefore);
    expect(await w.number(N1)).toEqual(n1Before);
    expect(await w.number(N3)).toEqual(n3Before);
    expect((await w.feed()).length).toBe(feedBefore.length + 1); // John's save only
  });

  it('merges a concurrent change to other fields of the user, but gives the numbers back when the SMS part changed meanwhile', async () => {
    const w = await world([{ id: 'jane', displayName: 'Jane Doe' }], [{ number: N1 }, { number: N2 }]);
    const users = new InterferingUsers(w.services.store);
    const assignments = new SmsAssignments({ numbers: w.services.numberRepository, cache: w.services.numberCache, users, enterprises: w.services.enterpriseRepository, activity: w.services.activity });

    // The directory sync renames Jane while the mirror is being written: merged.
    users.beforeUpdate = async () => {
      const jane = await w.user('jane');
      await w.services.userRepository.update(jane, { ...jane.value, displayName: 'Jane Doe-Smith' });
    };
    await assignments.applyUserConfig(w.enterpriseId, 'jane', { enabled: true, numbers: [N1] }, actor);
    expect((await w.user('jane')).value).toMatchObject({ displayName: 'Jane Doe-Smith', sms: { enabled: true, numbers: [N1] } });

    // Another admin changes Jane's tags (part of the same dialog) meanwhile: this save is refused and N2 goes back.
    users.beforeUpdate = async () => {
      const jane = await w.user('jane');
      await w.services.userRepository.update(jane, { ...jane.value, tags: ['Other admin'] });
    };
    const error = await rejection(assignments.applyUserConfig(w.enterpriseId, 'jane', { enabled: true, numbers: [N1, N2] }, actor));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toMatch(/SMS configuration of Jane Doe-Smith was changed by someone else meanwhile/);
    expect((await w.number(N2))!.value.holder).toBeNull();
    expect((await w.number(N1))!.value.holder).toMatchObject({ id: 'jane' });
    expect((await w.user('jane')).value).toMatchObject({ tags: ['Other admin'], sms: { enabled: true, numbers: [N1] } });
  });

  it('lets exactly one of two concurrent saves for the same number win; the other is told who has it', async () => {
    const numbers = Array.from({ length: 6 }, (_, i) => `+1415555020${i}`);
    const w = await world([{ id: 'jane', displayName: 'Jane Doe' }, { id: 'john', displayName: 'John Smith' }], numbers.map((number) => ({ number })));
    for (const number of numbers) {
      const results = await Promise.allSettled([
        w.services.smsAssignments.applyUserConfig(w.enterpriseId, 'jane', { enabled: true, numbers: [number] }, actor),
        w.services.smsAssignments.applyUserConfig(w.enterpriseId, 'john', { enabled: true, numbers: [number] }, actor),
      ]);
      const won = results.findIndex((r) => r.status === 'fulfilled');
      const lost = results.findIndex((r) => r.status === 'rejected');
      expect({ won: won >= 0, lost: lost >= 0 }).toEqual({ won: true, lost: true });
      const winner = won === 0 ? { id: 'jane', name: 'Jane Doe' } : { id: 'john', name: 'John Smith' };
      const reason = (results[lost] as PromiseRejectedResult).reason as Error;
      expect(reason).toBeInstanceOf(ConflictError);
      expect(reason.message).toBe(`+1 415 555 020${number.slice(-1)} is assigned to ${winner.name}; unassign it first.`);
      expect((await w.number(number))!.value.holder).toEqual({ type: 'user', ...winner });
      expect((await w.user(winner.id)).value.sms.numbers).toEqual([number]);
      // Release for the next round (the winner's next save gives it back).
      await w.services.smsAssignments.applyUserConfig(w.enterpriseId, winner.id, { enabled: true, numbers: [] }, actor);
    }
  });

  it('refuses numbers that are invalid, not in the inventory or without SMS, naming each', async () => {
    const w = await world([{ id: 'jane' }], [{ number: N1 }, { number: VOICE, capabilities: { sms: false, mms: false, voice: true } }]);
    const invalid = await rejection(w.services.smsAssignments.applyUserConfig(w.enterpriseId, 'jane', { enabled: true, numbers: [N1, 'call me'] }, actor));
    expect(invalid).toBeInstanceOf(ValidationError);
    expect((invalid as ValidationError).details).toEqual([{ path: 'numbers.1', message: expect.stringContaining('contains letters') }]);

    const missing = await rejection(w.services.smsAssignments.applyUserConfig(w.enterpriseId, 'jane', { enabled: true, numbers: [N1, '+14155550199', VOICE] }, actor));
    expect(missing).toBeInstanceOf(ValidationError);
    expect((missing as ValidationError).details).toEqual([
      { path: 'numbers.1', message: '+1 415 555 0199 is not in the number inventory; add it on the Numbers page first.' },
      { path: 'numbers.2', message: '+1 415 555 0109 cannot do SMS; turn SMS on for it on the Numbers page first.' },
    ]);
    expect((await w.number(N1))!.value.holder).toBeNull();
    expect(await rejection(w.services.smsAssignments.applyUserConfig(w.enterpriseId, 'nobody', { enabled: true, numbers: [] }, actor))).toBeInstanceOf(NotFoundError);
  });

  it('configures unlicensed users but warns; refuses new numbers for removed users and still releases theirs', async () => {
    const w = await world(
      [
        { id: 'nolicense', displayName: 'Nora Nolicense', teamsLicensed: false },
        { id: 'gone', displayName: 'Gus Gone' },
      ],
      [{ number: N1 }, { number: N2 }, { number: N3 }],
    );
    const dialog = await w.services.smsAssignments.view(w.admin, w.enterpriseId, 'nolicense');
    expect(dialog).toMatchObject({ licensed: false, warning: 'Nora Nolicense has no Teams license and cannot use SMS until licensed.' });
    const saved = await w.services.smsAssignments.save(w.admin, w.enterpriseId, 'nolicense', dialog.userEtag, { enabled: true, numbers: [N1] });
    expect(saved).toMatchObject({ warning: expect.stringContaining('no Teams license'), numbers: [{ number: N1 }], change: { added: [N1] } });

    await w.services.smsAssignments.applyUserConfig(w.enterpriseId, 'gone', { enabled: true, numbers: [N2] }, actor);
    const gone = await w.user('gone');
    await w.services.userRepository.update(gone, { ...gone.value, removed: true });
    const refused = await rejection(w.services.smsAssignments.applyUserConfig(w.enterpriseId, 'gone', { enabled: true, numbers: [N2, N3] }, actor));
    expect(refused).toBeInstanceOf(ConflictError);
    expect(refused.message).toBe('Gus Gone was removed from the Microsoft 365 directory: numbers cannot be assigned to them and SMS cannot be turned on. Numbers can still be released.');
    expect((await w.number(N3))!.value.holder).toBeNull();
    expect((await w.services.smsAssignments.view(w.admin, w.enterpriseId, 'gone')).warning).toMatch(/removed from the Microsoft 365 directory/);
    expect(await w.services.smsAssignments.applyUserConfig(w.enterpriseId, 'gone', { enabled: false, numbers: [] }, actor)).toMatchObject({ removed: [N2], enabledAfter: false });
    expect((await w.number(N2))!.value.holder).toBeNull();
  });

  it('refuses a save when the user changed since the dialog loaded (If-Match), and checks access', async () => {
    const w = await world([{ id: 'jane' }], [{ number: N1 }]);
    const dialog = await w.services.smsAssignments.view(w.admin, w.enterpriseId, 'jane');
    await w.services.users.setTags(w.admin, w.enterpriseId, 'jane', dialog.userEtag, ['Sales']);
    const stale = await rejection(w.services.smsAssignments.save(w.admin, w.enterpriseId, 'jane', dialog.userEtag, { enabled: true, numbers: [N1] }));
    expect(stale).toBeInstanceOf(ConflictError);
    expect(stale.message).toMatch(/was changed since you loaded them/);
    expect((await w.number(N1))!.value.holder).toBeNull();

    const user: Principal = { ...w.admin, role: 'user' };
    expect(await rejection(w.services.smsAssignments.view(user, w.enterpriseId, 'jane'))).toBeInstanceOf(ForbiddenError);
    const stranger: Principal = { ...w.admin, enterpriseId: 'someone-else' };
    expect(await rejection(w.services.smsAssignments.view(stranger, w.enterpriseId, 'jane'))).toBeInstanceOf(NotFoundError);
  });

  it('lists available numbers: unassigned and SMS-capable only, searchable, limited', async () => {
    const w = await world(
      [{ id: 'jane' }, { id: 'john' }],
      [{ number: N1, label: 'Front desk' }, { number: N2 }, { number: N3 }, { number: VOICE, capabilities: { sms: false, mms: false, voice: true } }],
    );
    await w.services.smsAssignments.applyUserConfig(w.enterpriseId, 'john', { enabled: true, numbers: [N3] }, actor);
    const view = await w.services.smsAssignments.view(w.admin, w.enterpriseId, 'jane');
    expect(view.available.map((n) => n.number)).toEqual([N1, N2]);
    expect(view.availableTotal).toBe(2);
    expect((await w.services.smsAssignments.view(w.admin, w.enterpriseId, 'jane', { search: 'front' })).available).toEqual([{ number: N1, display: '+1 415 555 0101', label: 'Front desk' }]);
    expect((await w.services.smsAssignments.view(w.admin, w.enterpriseId, 'jane', { search: '555 0102' })).available.map((n) => n.number)).toEqual([N2]);
    const limited = await w.services.smsAssignments.view(w.admin, w.enterpriseId, 'jane', { limit: 1 });
    expect({ items: limited.available.length, total: limited.availableTotal }).toEqual({ items: 1, total: 2 });
  });
});

describe('SmsAssignments.releaseHeldBy', () => {
  it('releases every number the users hold, read from the numbers table, per user', async () => {
    const w = await world([{ id: 'jane' }, { id: 'john' }, { id: 'mary' }], [{ number: N1 }, { number: N2 }, { number: N3 }]);
    await w.services.smsAssignments.applyUserConfig(w.enterpriseId, 'jane', { enabled: true, numbers: [N1, N2] }, actor);
    await w.services.smsAssignments.applyUserConfig(w.enterpriseId, 'mary', { enabled: true, numbers: [N3] }, actor);
    const released = await w.services.smsAssignments.releaseHeldBy(w.enterpriseId, ['jane', 'john']);
    expect(Object.fromEntries([...released].map(([id, numbers]) => [id, [...numbers].sort()]))).toEqual({ jane: [N1, N2] });
    expect((await w.number(N1))!.value.holder).toBeNull();
    expect((await w.number(N2))!.value.holder).toBeNull();
    expect((await w.number(N3))!.value.holder).toMatchObject({ id: 'mary' });
    expect((await w.services.smsAssignments.releaseHeldBy(w.enterpriseId, ['jane'])).size).toBe(0);
  });
});
