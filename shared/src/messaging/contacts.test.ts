import { randomUUID } from 'node:crypto';
import { testStore } from '../../test/storage';
import { ActivityLog, ACTIVITY_TABLE } from '../audit/activity';
import type { Principal } from '../access/principal';
import { EnterpriseRepository, ENTERPRISES_TABLE } from '../enterprises/repository';
import { defaultEnterpriseSettings } from '../enterprises/schema';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import type { TableStore } from '../store/table-store';
import { CONTACTS_TABLE, Contacts } from './contacts';

/** Personal and enterprise contacts against real storage: rules, who may write, precedence, search. */
const ACME = '+14155550801';
const PLUMBER = '+14155550802';
const JOHN = '+14155550803';

interface World {
  contacts: Contacts;
  store: TableStore;
  enterprises: EnterpriseRepository;
  activity: ActivityLog;
  enterpriseId: string;
  admin: Principal;
  person(id: string): Principal;
}

async function world(): Promise<World> {
  const store = testStore();
  await store.ensureTables([ENTERPRISES_TABLE, ACTIVITY_TABLE, CONTACTS_TABLE]);
  const enterprises = new EnterpriseRepository(store);
  const activity = new ActivityLog(store);
  const enterpriseId = `ent-${randomUUID().slice(0, 8)}`;
  const at = new Date().toISOString();
  await enterprises.create({ id: enterpriseId, name: 'Contoso', tenantId: randomUUID(), providerId: 'prov', createdAt: at, updatedAt: at, settings: defaultEnterpriseSettings });
  return {
    contacts: new Contacts({ store, enterprises, activity }),
    store,
    enterprises,
    activity,
    enterpriseId,
    admin: { userId: 'ada', name: 'Ada Admin', tenantId: 't', role: 'enterprise-admin', enterpriseId },
    person: (id) => ({ userId: id, name: id, tenantId: 't', role: 'user', enterpriseId }),
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

describe('Contacts', () => {
  it('validates name and number, naming the field and the fix', async () => {
    const w = await world();
    const uma = w.person('uma');
    const cases: Array<[Parameters<Contacts['save']>[2], string, RegExp]> = [
      [{ name: '', number: ACME }, 'name', /^Give the contact a name\.$/],
      [{ name: '   ', number: ACME }, 'name', /^Give the contact a name\.$/],
      [{ name: 'n'.repeat(101), number: ACME }, 'name', /at most 100 characters; shorten it/],
      [{ name: 'Line\nbreak', number: ACME }, 'name', /cannot contain line breaks/],
      [{ name: 'Acme', number: '' }, 'number', /Enter a phone number in international form, e.g\. \+14155550123/],
      [{ name: 'Acme', number: '+1 555' }, 'number', /too short for a \+1 number.*check the digits/],
      [{ name: 'Acme', number: 'call me' }, 'number', /contains letters: use digits only/],
      [{ name: 'Acme', number: ACME, scope: 'team' as never }, 'scope', /Use "personal" \(only you see it\) or "enterprise"/],
    ];
    for (const [input, field, message] of cases) {
      const error = await rejection(w.contacts.save(uma, w.enterpriseId, input));
      expect({ input, error: error.constructor.name }).toEqual({ input, error: 'ValidationError' });
      expect((error as ValidationError).details).toEqual([{ path: field, message: expect.stringMatching(message) }]);
      expect(error.message.startsWith(`${field}: `)).toBe(true);
    }
    // National forms with a default country, and spaces, are canonicalised; 100 characters is fine.
    const saved = await w.contacts.save(uma, w.enterpriseId, { name: ` ${'n'.repeat(100)} `, number: '(415) 555-0801', defaultCountry: 'US' });
    expect(saved).toMatchObject({ number: ACME, display: '+1 415 555 0801', name: 'n'.repeat(100), scope: 'personal', etag: expect.any(String) });
  });

  it('lets users write personal contacts only, administrators both; enterprise changes go to the activity feed', async () => {
    const w = await world();
    const uma = w.person('uma');
    const refused = await rejection(w.contacts.save(uma, w.enterpriseId, { scope: 'enterprise', name: 'Acme', number: ACME }));
    expect(refused).toBeInstanceOf(ForbiddenError);
    expect(refused.message).toContain('Save it as a personal contact');

    const mine = await w.contacts.save(uma, w.enterpriseId, { name: 'My Plumber', number: PLUMBER });
    expect(mine.scope).toBe('personal');
    const shared = await w.contacts.save(w.admin, w.enterpriseId, { scope: 'enterprise', name: 'Acme Support', number: ACME });
    await w.contacts.save(w.admin, w.enterpriseId, { scope: 'personal', name: "Ada's dentist", number: JOHN });

    const feed = (await w.activity.page(w.enterpriseId, { pageSize: 10 })).items;
    expect(feed.map((e) => [e.action, e.summary])).toEqual([['contact.created', 'Added the enterprise contact Acme Support (+1 415 555 0801).']]);
    expect(feed[0]).toMatchObject({ entity: { type: 'contact', id: ACME, name: 'Acme Support' }, actor: { id: 'ada' }, after: { name: 'Acme Support', number: ACME } });

    // Renames need the ETag: creating over an existing contact is a conflict naming the fix.
    const again = await rejection(w.contacts.save(w.admin, w.enterpriseId, { scope: 'enterprise', name: 'Acme', number: ACME }));
    expect(again).toBeInstanceOf(ConflictError);
    expect(again.message).toBe('+1 415 555 0801 is already your enterprise contact "Acme Support". To rename it, send If-Match with its ETag (or change it in the list).');
    const renamed = await w.contacts.save(w.admin, w.enterpriseId, { scope: 'enterprise', name: 'Acme Help Desk', number: ACME }, shared.etag);
    expect(renamed.name).toBe('Acme Help Desk');
    expect(await rejection(w.contacts.save(w.admin, w.enterpriseId, { scope: 'enterprise', name: 'Late', number: ACME }, shared.etag))).toBeInstanceOf(ConflictError);
    expect(await rejection(w.contacts.save(w.admin, w.enterpriseId, { scope: 'enterprise', name: 'Nobody', number: JOHN }, renamed.etag))).toBeInstanceOf(NotFoundError);

    expect(await rejection(w.contacts.delete(uma, w.enterpriseId, 'enterprise', ACME, renamed.etag))).toBeInstanceOf(ForbiddenError);
    expect(await rejection(w.contacts.delete(w.admin, w.enterpriseId, 'enterprise', ACME, shared.etag))).toBeInstanceOf(ConflictError);
    await w.contacts.delete(w.admin, w.enterpriseId, 'enterprise', '+1 415 555 0801', renamed.etag);
    await w.contacts.delete(uma, w.enterpriseId, 'personal', PLUMBER, mine.etag);
    expect((await w.contacts.list(uma, w.enterpriseId)).items).toEqual([]);
    expect((await w.activity.page(w.enterpriseId, { pageSize: 10 })).items.map((e) => e.action)).toEqual(['contact.deleted', 'contact.updated', 'contact.created']);

    const stranger: Principal = { userId: 'frank', name: 'Frank', tenantId: 'x', role: 'global-admin', enterpriseId: 'fabrikam' };
    expect(await rejection(w.contacts.list(stranger, w.enterpriseId))).toBeInstanceOf(NotFoundError);
    expect(await rejection(w.contacts.save(stranger, w.enterpriseId, { name: 'x', number: ACME }))).toBeInstanceOf(NotFoundError);
    const provider: Principal = { userId: 'pat', name: 'Pat', tenantId: 'p', role: 'provider-admin', providerId: 'prov' };
    expect(await rejection(w.contacts.list(provider, w.enterpriseId))).toBeInstanceOf(ForbiddenError);
  });

  it('reuses a looked-up name for a few seconds; a change made through the same service shows at once', async () => {
    const w = await world();
    const uma = w.person('uma');
    let now = Date.parse('2026-03-01T10:00:00Z');
    // Two servers on one store: each keeps what it looked up.
    const other = new Contacts({ store: w.store, enterprises: w.enterprises, activity: w.activity, now: () => new Date(now) });
    const here = new Contacts({ store: w.store, enterprises: w.enterprises, activity: w.activity, now: () => new Date(now) });
    expect(await other.nameOf(w.enterpriseId, 'uma', ACME)).toBeUndefined();
    expect(await here.nameOf(w.enterpriseId, 'uma', ACME)).toBeUndefined();

    await here.save(uma, w.enterpriseId, { name: 'My Acme guy', number: ACME });
    expect(await here.nameOf(w.enterpriseId, 'uma', ACME)).toBe('My Acme guy');
    now += 4_000;
    expect(await other.nameOf(w.enterpriseId, 'uma', ACME)).toBeUndefined(); // still the name it looked up
    now += 2_000;
    expect(await other.nameOf(w.enterpriseId, 'uma', ACME)).toBe('My Acme guy');
  });

  it('reads a small contact partition once for any number of senders, and a large one number by number', async () => {
    const w = await world();
    const uma = w.person('uma');
    await w.contacts.save(uma, w.enterpriseId, { name: 'My Acme guy', number: ACME });
    await w.contacts.save(w.admin, w.enterpriseId, { name: 'Plumber', number: PLUMBER, scope: 'enterprise' });
    await w.contacts.save(w.admin, w.enterpriseId, { name: 'John', number: JOHN, scope: 'enterprise' });
    const count = (contacts: Contacts) => {
      const whole = jest.spyOn(contacts.repository, 'listAll');
      const byNumber = jest.spyOn(contacts.repository, 'getMany');
      return () => ({ whole: whole.mock.calls.length, byNumber: byNumber.mock.calls.length });
    };
    const senders = Array.from({ length: 30 }, (_, i) => `+1206555${String(1000 + i)}`);

    const small = new Contacts({ store: w.store, enterprises: w.enterprises, activity: w.activity });
    const smallCalls = count(small);
    for (const sender of [...senders, ACME, PLUMBER]) await small.nameOf(w.enterpriseId, 'uma', sender);
    expect(await small.namesOf(w.enterpriseId, 'uma', [ACME, PLUMBER, JOHN])).toEqual(new Map([[ACME, 'My Acme guy'], [PLUMBER, 'Plumber'], [JOHN, 'John']]));
    expect(smallCalls()).toEqual({ whole: 2, byNumber: 0 }); // Uma's partition and the enterprise's, once each

    // The enterprise's two contacts are over this limit: its names are read by number (and kept), Uma's whole.
    const large = new Contacts({ store: w.store, enterprises: w.enterprises, activity: w.activity, wholePartitionMax: 1 });
    const largeCalls = count(large);
    expect(await large.namesOf(w.enterpriseId, 'uma', [ACME, PLUMBER, JOHN])).toEqual(new Map([[ACME, 'My Acme guy'], [PLUMBER, 'Plumber'], [JOHN, 'John']]));
    expect(await large.nameOf(w.enterpriseId, 'uma', PLUMBER)).toBe('Plumber');
    expect(largeCalls()).toEqual({ whole: 2, byNumber: 1 });
  });

  it('names a number by the personal contact first, then the enterprise one; lists and finds accordingly', async () => {
    const w = await world();
    const uma = w.person('uma');
    const olga = w.person('olga');
    await w.contacts.save(w.admin, w.enterpriseId, { scope: 'enterprise', name: 'Acme Support', number: ACME });
    await w.contacts.save(w.admin, w.enterpriseId, { scope: 'enterprise', name: 'John Smith (Acme)', number: JOHN });
    await w.contacts.save(uma, w.enterpriseId, { name: 'My Acme guy', number: ACME });
    await w.contacts.save(uma, w.enterpriseId, { name: 'Joe the Plumber', number: PLUMBER });

    expect(await w.contacts.nameOf(w.enterpriseId, 'uma', ACME)).toBe('My Acme guy');
    expect(await w.contacts.nameOf(w.enterpriseId, 'olga', ACME)).toBe('Acme Support');
    expect(await w.contacts.nameOf(w.enterpriseId, 'olga', PLUMBER)).toBeUndefined();
    expect(await w.contacts.nameOf(w.enterpriseId, 'uma', 'ACME-ALERTS')).toBeUndefined();
    expect(await w.contacts.namesOf(w.enterpriseId, 'uma', [ACME, PLUMBER, JOHN, '+14155550899'])).toEqual(
      new Map([
        [ACME, 'My Acme guy'],
        [PLUMBER, 'Joe the Plumber'],
        [JOHN, 'John Smith (Acme)'],
      ]),
    );

    expect((await w.contacts.list(uma, w.enterpriseId)).items.map((c) => [c.name, c.scope])).toEqual([
      ['Acme Support', 'enterprise'],
      ['Joe the Plumber', 'personal'],
      ['John Smith (Acme)', 'enterprise'],
      ['My Acme guy', 'personal'],
    ]);
    expect((await w.contacts.list(olga, w.enterpriseId)).items.map((c) => c.name)).toEqual(['Acme Support', 'John Smith (Acme)']);
    expect((await w.contacts.list(uma, w.enterpriseId, { scope: 'personal', q: 'ACME' })).items.map((c) => c.name)).toEqual(['My Acme guy']);
    expect((await w.contacts.list(uma, w.enterpriseId, { q: '555 0803' })).items.map((c) => c.name)).toEqual(['John Smith (Acme)']);

    // Best first: exact, starts with, every word starts, contains. Uma's own name for ACME hides "Acme Support" from her.
    expect((await w.contacts.find(w.enterpriseId, 'uma', 'acme')).map((m) => [m.name, m.scope])).toEqual([
      ['My Acme guy', 'personal'],
      ['John Smith (Acme)', 'enterprise'],
    ]);
    expect((await w.contacts.find(w.enterpriseId, 'olga', 'ACME')).map((m) => m.name)).toEqual(['Acme Support', 'John Smith (Acme)']);
    expect((await w.contacts.find(w.enterpriseId, 'olga', 'acme support')).map((m) => m.name)).toEqual(['Acme Support']);
    expect((await w.contacts.find(w.enterpriseId, 'uma', 'jo sm'))[0]).toEqual({ name: 'John Smith (Acme)', number: JOHN, scope: 'enterprise' });
    expect((await w.contacts.find(w.enterpriseId, 'uma', 'jo')).map((m) => m.name)).toEqual(['Joe the Plumber', 'John Smith (Acme)']);
    expect(await w.contacts.find(w.enterpriseId, 'uma', 'zelda')).toEqual([]);
  });
});
