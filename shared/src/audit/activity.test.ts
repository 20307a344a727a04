import { testStore } from '../../test/storage';
import { systemActor } from '../access/principal';
import { ACTIVITY_TABLE, ActivityLog, MASK, maskSecrets } from './activity';
import { changes } from './diff';

describe('maskSecrets', () => {
  it('masks secret-looking fields at any depth and keeps the rest', () => {
    const masked = maskSecrets({
      name: 'Twilio main',
      authToken: 'abc123',
      nested: { sipPassword: 'hunter2', apiKey: 'k', connectionString: 'AccountKey=x', label: 'visible' },
      list: [{ clientSecret: 's' }],
      emptyPassword: '',
    });
    expect(masked).toEqual({
      name: 'Twilio main',
      authToken: MASK,
      nested: { sipPassword: MASK, apiKey: MASK, connectionString: MASK, label: 'visible' },
      list: [{ clientSecret: MASK }],
      emptyPassword: '',
    });
  });
});

describe('changes', () => {
  it('keeps only the fields that differ, with dotted paths', () => {
    expect(changes({ name: 'A', settings: { chat: true, sync: 15 } }, { name: 'A', settings: { chat: false, sync: 15 } })).toEqual({
      before: { 'settings.chat': true },
      after: { 'settings.chat': false },
    });
  });
});

describe('ActivityLog', () => {
  it('returns entries newest first, pages through them, and masks secrets before storing', async () => {
    const store = testStore();
    await store.ensureTables([ACTIVITY_TABLE]);
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const log = new ActivityLog(store, () => new Date((clock += 1000)));
    for (let i = 1; i <= 5; i++) {
      await log.record({ scope: 'ent-1', actor: systemActor, action: 'thing.changed', entity: { type: 'thing', id: `t${i}` }, summary: `change ${i}`, before: { password: 'old' }, after: { password: 'new', n: i } });
    }
    await log.record({ scope: 'ent-2', actor: systemActor, action: 'other', entity: { type: 'thing', id: 'x' }, summary: 'elsewhere' });

    const first = await log.page('ent-1', { pageSize: 2 });
    expect(first.items.map((e) => e.summary)).toEqual(['change 5', 'change 4']);
    const second = await log.page('ent-1', { pageSize: 2, continuationToken: first.continuationToken! });
    const third = await log.page('ent-1', { pageSize: 2, continuationToken: second.continuationToken! });
    expect([...second.items, ...third.items].map((e) => e.summary)).toEqual(['change 3', 'change 2', 'change 1']);
    expect(third.continuationToken).toBeUndefined();
    expect(first.items[0]).toMatchObject({ before: { password: MASK }, after: { password: MASK, n: 5 }, actor: systemActor });

    const raw = store.client(ACTIVITY_TABLE);
    for await (const row of raw.listEntities()) expect(JSON.stringify(row)).not.toMatch(/"(old|new)"/);
  });

  it('keeps entries written in the same millisecond apart', async () => {
    const store = testStore();
    await store.ensureTables([ACTIVITY_TABLE]);
    const frozen = new Date('2026-01-01T00:00:00Z');
    const log = new ActivityLog(store, () => frozen);
    await Promise.all([1, 2, 3].map((i) => log.record({ scope: 's', actor: systemActor, action: 'a', entity: { type: 't', id: `${i}` }, summary: `${i}` })));
    expect((await log.page('s')).items).toHaveLength(3);
  });
});
