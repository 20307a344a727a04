import { randomUUID } from 'node:crypto';
import { countRequests, testStore } from '../../test/storage';
import type { Principal } from '../access/principal';
import { ActivityLog, ACTIVITY_TABLE } from '../audit/activity';
import { EnterpriseRepository, ENTERPRISES_TABLE } from '../enterprises/repository';
import { defaultEnterpriseSettings, enterpriseSettingsSchema, updateEnterpriseSchema, type EnterpriseSettings } from '../enterprises/schema';
import { AppError, ConflictError, ValidationError } from '../errors';
import { newNumberEntry } from '../numbers/number';
import { NumberRepository, NUMBERS_TABLE } from '../numbers/number-repository';
import type { E164 } from '../rules/phone';
import { escapeKey } from '../store/keys';
import { ALL_NUMBERS, optOutKey, OptedOutError, OptOuts, OPT_OUTS_TABLE } from './opt-outs';

/**
 * Opt-outs against real storage (the run's Azurite): STOP / START / HELP for both
 * scopes, carrier reports, the admins' list and add, and the message a sender reads.
 */
const PERSON = '+12065550100';
const OTHER_PERSON = '+12065550123';
const N1 = '+14255550101';
const N2 = '+14255550102';
const numberScope: EnterpriseSettings = { ...defaultEnterpriseSettings, optOutScope: 'number' };
const enterpriseScope: EnterpriseSettings = { ...defaultEnterpriseSettings, optOutScope: 'enterprise' };

interface World {
  optOuts: OptOuts;
  enterpriseId: string;
  admin: Principal;
  activity: ActivityLog;
  enterprises: EnterpriseRepository;
  /** Moves the clock the service reads. */
  setNow(iso: string): void;
  rows(): Promise<string[]>;
}

async function world(): Promise<World> {
  const store = testStore();
  await store.ensureTables([OPT_OUTS_TABLE, ENTERPRISES_TABLE, ACTIVITY_TABLE, NUMBERS_TABLE]);
  const enterprises = new EnterpriseRepository(store);
  const numbers = new NumberRepository(store);
  const activity = new ActivityLog(store);
  const enterpriseId = `ent-${randomUUID().slice(0, 8)}`;
  const at = new Date().toISOString();
  await enterprises.create({ id: enterpriseId, name: 'Contoso', tenantId: randomUUID(), providerId: 'prov', createdAt: at, updatedAt: at, settings: defaultEnterpriseSettings });
  for (const n of [N1, N2]) await numbers.create(newNumberEntry(enterpriseId, n as E164, at));
  let now = new Date('2026-11-21T18:00:00.000Z');
  const optOuts = new OptOuts({ store, enterprises, numbers, activity, now: () => now });
  return {
    optOuts,
    enterpriseId,
    admin: { userId: 'admin-1', name: 'Ada Admin', tenantId: 't', role: 'global-admin', enterpriseId },
    activity,
    enterprises,
    setNow: (iso) => (now = new Date(iso)),
    rows: async () => {
      const keys: string[] = [];
      for await (const stored of optOuts.repository.listAll(enterpriseId)) keys.push(optOutKey(stored.value.enterpriseNumber, stored.value.externalNumber));
      return keys;
    },
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

describe('opt-outs', () => {
  describe('keywords, number scope (the default)', () => {
    it('STOP blocks only that number to that person, answers the opt-out reply, and repeats change nothing', async () => {
      const w = await world();
      expect(await w.optOuts.handleKeyword(w.enterpriseId, N1, PERSON, 'STOP', numberScope)).toEqual({ keyword: 'stop', reply: numberScope.optOutReply });
      expect(await w.optOuts.isBlocked(w.enterpriseId, N1, PERSON)).toMatchObject({ blocked: true, since: '2026-11-21T18:00:00.000Z', scope: 'number' });
      expect(await w.optOuts.isBlocked(w.enterpriseId, N2, PERSON)).toEqual({ blocked: false });
      expect(await w.optOuts.isBlocked(w.enterpriseId, N1, OTHER_PERSON)).toEqual({ blocked: false });

      w.setNow('2026-11-22T09:00:00.000Z');
      expect(await w.optOuts.handleKeyword(w.enterpriseId, N1, PERSON, 'stop', numberScope)).toEqual({ keyword: 'stop', reply: numberScope.optOutReply });
      // The first STOP stands: the block dates from it.
      expect((await w.optOuts.isBlocked(w.enterpriseId, N1, PERSON)).since).toBe('2026-11-21T18:00:00.000Z');
      expect(await w.rows()).toEqual([`${N1}|${PERSON}`]);
    });

    it('START lifts the block and answers the opt-in reply; a repeated START is fine', async () => {
      const w = await world();
      await w.optOuts.handleKeyword(w.enterpriseId, N1, PERSON, 'STOP', numberScope);
      expect(await w.optOuts.handleKeyword(w.enterpriseId, N1, PERSON, 'START', numberScope)).toEqual({ keyword: 'start', reply: numberScope.optInReply });
      expect(await w.optOuts.isBlocked(w.enterpriseId, N1, PERSON)).toEqual({ blocked: false });
      expect(await w.optOuts.handleKeyword(w.enterpriseId, N1, PERSON, 'UNSTOP', numberScope)).toEqual({ keyword: 'start', reply: numberScope.optInReply });
      expect(await w.rows()).toEqual([]);
      // And the cycle works again.
      await w.optOuts.handleKeyword(w.enterpriseId, N1, PERSON, 'QUIT', numberScope);
      expect((await w.optOuts.isBlocked(w.enterpriseId, N1, PERSON)).blocked).toBe(true);
    });

    it('START to one number does not lift a STOP sent to another', async () => {
      const w = await world();
      await w.optOuts.handleKeyword(w.enterpriseId, N1, PERSON, 'STOP', numberScope);
      await w.optOuts.handleKeyword(w.enterpriseId, N2, PERSON, 'STOP', numberScope);
      await w.optOuts.handleKeyword(w.enterpriseId, N2, PERSON, 'START', numberScope);
      expect((await w.optOuts.isBlocked(w.enterpriseId, N1, PERSON)).blocked).toBe(true);
      expect((await w.optOuts.isBlocked(w.enterpriseId, N2, PERSON)).blocked).toBe(false);
    });

    it('HELP answers the help reply and stores nothing, blocked or not', async () => {
      const w = await world();
      expect(await w.optOuts.handleKeyword(w.enterpriseId, N1, PERSON, 'HELP', numberScope)).toEqual({ keyword: 'help', reply: numberScope.helpReply });
      expect(await w.optOuts.handleKeyword(w.enterpriseId, N1, PERSON, 'info', numberScope)).toEqual({ keyword: 'help', reply: numberScope.helpReply });
      expect(await w.rows()).toEqual([]);
      await w.optOuts.handleKeyword(w.enterpriseId, N1, PERSON, 'STOP', numberScope);
      await w.optOuts.handleKeyword(w.enterpriseId, N1, PERSON, 'HELP', numberScope);
      expect((await w.optOuts.isBlocked(w.enterpriseId, N1, PERSON)).blocked).toBe(true);
    });

    it('takes keywords in any case and with trailing punctuation, and records the word texted', async () => {
      const w = await world();
      expect((await w.optOuts.handleKeyword(w.enterpriseId, N1, PERSON, '  quit! ', numberScope))?.keyword).toBe('stop');
      expect((await w.optOuts.isBlocked(w.enterpriseId, N1, PERSON)).optOut).toMatchObject({ source: 'keyword', keyword: 'QUIT', textedNumber: N1 });
      expect((await w.optOuts.handleKeyword(w.enterpriseId, N1, PERSON, 'Start.', numberScope))?.keyword).toBe('start');
      expect((await w.optOuts.isBlocked(w.enterpriseId, N1, PERSON)).blocked).toBe(false);
    });

    it('does nothing for a sentence that merely contains a keyword', async () => {
      const w = await world();
      for (const body of ['stop texting me', 'Please STOP', 'start over?', 'help me with my order', '']) {
        expect(await w.optOuts.handleKeyword(w.enterpriseId, N1, PERSON, body, numberScope)).toBeUndefined();
      }
      expect(await w.rows()).toEqual([]);
    });

    it('matches the same person however the number is written', async () => {
      const w = await world();
      await w.optOuts.handleKeyword(w.enterpriseId, N1, PERSON, 'STOP', numberScope);
      expect((await w.optOuts.isBlocked(w.enterpriseId, '+1 (425) 555-0101', '+1 206-555-0100')).blocked).toBe(true);
    });

    it('keeps enterprises apart', async () => {
      const a = await world();
      await a.optOuts.handleKeyword(a.enterpriseId, N1, PERSON, 'STOP', enterpriseScope);
      expect(await a.optOuts.isBlocked('another-enterprise', N1, PERSON)).toEqual({ blocked: false });
    });
  });

  describe('keywords, enterprise scope', () => {
    it("STOP to one number blocks all the enterprise's numbers; START to any of them lifts it", async () => {
      const w = await world();
      expect(await w.optOuts.handleKeyword(w.enterpriseId, N1, PERSON, 'STOPALL', enterpriseScope)).toEqual({ keyword: 'stop', reply: enterpriseScope.optOutReply });
      for (const n of [N1, N2, '+14255550199']) expect(await w.optOuts.isBlocked(w.enterpriseId, n, PERSON)).toMatchObject({ blocked: true, scope: 'enterprise' });
      expect(await w.rows()).toEqual([`${ALL_NUMBERS}|${PERSON}`]);
      await w.optOuts.handleKeyword(w.enterpriseId, N2, PERSON, 'STOP', enterpriseScope); // idempotent
      expect(await w.rows()).toEqual([`${ALL_NUMBERS}|${PERSON}`]);
      expect(await w.optOuts.handleKeyword(w.enterpriseId, N2, PERSON, 'start', enterpriseScope)).toEqual({ keyword: 'start', reply: enterpriseScope.optInReply });
      for (const n of [N1, N2]) expect((await w.optOuts.isBlocked(w.enterpriseId, n, PERSON)).blocked).toBe(false);
    });

    it('START clears both the number row and the enterprise row (the scope changed in between)', async () => {
      const w = await world();
      await w.optOuts.handleKeyword(w.enterpriseId, N1, PERSON, 'STOP', numberScope);
      w.setNow('2026-11-23T10:00:00.000Z');
      await w.optOuts.handleKeyword(w.enterpriseId, N2, PERSON, 'STOP', enterpriseScope);
      expect((await w.rows()).sort()).toEqual([`${ALL_NUMBERS}|${PERSON}`, `${N1}|${PERSON}`]);
      // Both rows apply to N1: the block is reported from the earliest.
      expect(await w.optOuts.isBlocked(w.enterpriseId, N1, PERSON)).toMatchObject({ blocked: true, since: '2026-11-21T18:00:00.000Z', scope: 'number' });
      await w.optOuts.handleKeyword(w.enterpriseId, N1, PERSON, 'START', numberScope);
      expect(await w.rows()).toEqual([]);
    });
  });

  describe('carrier reports', () => {
    it('block the pair (number scope) once, and a START from the person lifts it', async () => {
      const w = await world();
      const recorded = await w.optOuts.recordCarrierOptOut(w.enterpriseId, N1, PERSON, { note: 'twilio 21610' });
      expect(recorded).toMatchObject({ enterpriseNumber: N1, externalNumber: PERSON, source: 'carrier', note: 'twilio 21610' });
      w.setNow('2026-11-24T00:00:00.000Z');
      expect((await w.optOuts.recordCarrierOptOut(w.enterpriseId, N1, PERSON)).optedOutAt).toBe('2026-11-21T18:00:00.000Z');
      expect(await w.optOuts.isBlocked(w.enterpriseId, N2, PERSON)).toEqual({ blocked: false });
      await w.optOuts.handleKeyword(w.enterpriseId, N1, PERSON, 'START', numberScope);
      expect(await w.optOuts.isBlocked(w.enterpriseId, N1, PERSON)).toEqual({ blocked: false });
    });
  });

  describe('the sender is told why', () => {
    it('names the person, the number, the word, the date and what lifts it', async () => {
      const w = await world();
      await w.optOuts.handleKeyword(w.enterpriseId, N1, PERSON, 'STOP', numberScope);
      const error = await rejection(w.optOuts.assertNotBlocked(w.enterpriseId, N1, PERSON));
      expect(error).toBeInstanceOf(OptedOutError);
      expect(error).toBeInstanceOf(AppError);
      expect(error).not.toBeInstanceOf(ConflictError); // never retried as an ETag race
      expect(error).toMatchObject({ code: 'opted_out', status: 409 });
      expect(error.message).toBe('+1 206 555 0100 replied STOP to +1 425 555 0101 on 2026-11-21; they must text START before you can message them again.');
      await expect(w.optOuts.assertNotBlocked(w.enterpriseId, N2, PERSON)).resolves.toBeUndefined();
    });

    it('dates the opt-out in the time zone given', async () => {
      const w = await world();
      w.setNow('2026-11-22T03:00:00.000Z'); // still the 21st in Seattle
      await w.optOuts.handleKeyword(w.enterpriseId, N1, PERSON, 'stop', numberScope);
      expect((await rejection(w.optOuts.assertNotBlocked(w.enterpriseId, N1, PERSON, { timeZone: 'America/Los_Angeles' }))).message).toContain(' on 2026-11-21;');
      expect((await rejection(w.optOuts.assertNotBlocked(w.enterpriseId, N1, PERSON))).message).toContain(' on 2026-11-22;');
    });

    it('says when the STOP covers every number, and words carrier and admin opt-outs', async () => {
      const w = await world();
      await w.optOuts.handleKeyword(w.enterpriseId, N1, PERSON, 'Unsubscribe', enterpriseScope);
      expect((await rejection(w.optOuts.assertNotBlocked(w.enterpriseId, N2, PERSON))).message).toBe(
        "+1 206 555 0100 replied UNSUBSCRIBE to +1 425 555 0101 on 2026-11-21, which blocks all of your organisation's numbers; they must text START before you can message them again.",
      );
      await w.optOuts.recordCarrierOptOut(w.enterpriseId, N1, OTHER_PERSON);
      expect((await rejection(w.optOuts.assertNotBlocked(w.enterpriseId, N1, OTHER_PERSON))).message).toBe(
        'The carrier reported on 2026-11-21 that +1 206 555 0123 has opted out of messages from +1 425 555 0101; they must text START before you can message them again.',
      );
      const third = '+12065550177';
      await w.optOuts.add(w.admin, w.enterpriseId, { externalNumber: third });
      expect((await rejection(w.optOuts.assertNotBlocked(w.enterpriseId, N1, third))).message).toBe(
        "An administrator recorded on 2026-11-21 that +1 206 555 0177 asked not to receive messages from any of your organisation's numbers; they must text START before you can message them again.",
      );
    });
  });

  describe('admins', () => {
    it('add an opt-out for one number or all, once, with an activity entry each', async () => {
      const w = await world();
      const one = await w.optOuts.add(w.admin, w.enterpriseId, { externalNumber: '+1 (206) 555-0100', enterpriseNumber: '+1 425 555 0101', note: 'asked by phone' });
      expect(one).toEqual({ id: `${N1}|${PERSON}`, externalNumber: PERSON, scope: 'number', enterpriseNumber: N1, source: 'admin', note: 'asked by phone', optedOutAt: '2026-11-21T18:00:00.000Z' });
      const all = await w.optOuts.add(w.admin, w.enterpriseId, { externalNumber: OTHER_PERSON });
      expect(all).toEqual({ id: `*|${OTHER_PERSON}`, externalNumber: OTHER_PERSON, scope: 'enterprise', source: 'admin', optedOutAt: '2026-11-21T18:00:00.000Z' });
      expect(await w.optOuts.add(w.admin, w.enterpriseId, { externalNumber: OTHER_PERSON, note: 'again' })).toEqual(all);
      expect((await w.optOuts.isBlocked(w.enterpriseId, N2, OTHER_PERSON)).blocked).toBe(true);

      const feed = (await w.activity.page(w.enterpriseId, { pageSize: 10 })).items;
      expect(feed.map((e) => [e.action, e.summary])).toEqual([
        ['optOut.created', "Recorded that +1 206 555 0123 asked not to receive messages from all of Contoso's numbers."],
        ['optOut.created', 'Recorded that +1 206 555 0100 asked not to receive messages from +1 425 555 0101.'],
      ]);
      expect(feed[1]).toMatchObject({ actor: { id: 'admin-1', name: 'Ada Admin' }, entity: { type: 'optOut', id: `${N1}|${PERSON}` }, before: null, after: one });
    });

    it('list the opt-outs, enterprise-wide first, page by page and for one person', async () => {
      const w = await world();
      await w.optOuts.handleKeyword(w.enterpriseId, N1, PERSON, 'STOP', numberScope);
      await w.optOuts.handleKeyword(w.enterpriseId, N2, PERSON, 'STOP', numberScope);
      await w.optOuts.handleKeyword(w.enterpriseId, N2, OTHER_PERSON, 'STOP', enterpriseScope);
      const first = await w.optOuts.list(w.admin, w.enterpriseId, { pageSize: 2 });
      expect(first.items.map((o) => o.id)).toEqual([`*|${OTHER_PERSON}`, `${N1}|${PERSON}`]);
      expect(first.items[0]).toMatchObject({ scope: 'enterprise', source: 'keyword', keyword: 'STOP', textedNumber: N2 });
      expect(first.items[0]!.enterpriseNumber).toBeUndefined();
      const second = await w.optOuts.list(w.admin, w.enterpriseId, { pageSize: 2, continuationToken: first.continuationToken! });
      expect(second.items.map((o) => o.id)).toEqual([`${N2}|${PERSON}`]);
      expect(second.continuationToken).toBeUndefined();
      const person = await w.optOuts.list(w.admin, w.enterpriseId, { pageSize: 50, externalNumber: '+1 206 555 0100' });
      expect(person.items.map((o) => o.id)).toEqual([`${N1}|${PERSON}`, `${N2}|${PERSON}`]);
    });

    it('are told which field is wrong', async () => {
      const w = await world();
      const bad = await rejection(w.optOuts.add(w.admin, w.enterpriseId, { externalNumber: '555' }));
      expect(bad).toBeInstanceOf(ValidationError);
      expect((bad as ValidationError).details).toEqual([{ path: 'externalNumber', message: expect.any(String) }]);
      const notOurs = await rejection(w.optOuts.add(w.admin, w.enterpriseId, { externalNumber: PERSON, enterpriseNumber: '+14255550199' }));
      expect((notOurs as ValidationError).details).toEqual([
        { path: 'enterpriseNumber', message: "+1 425 555 0199 is not one of Contoso's numbers: pick one from the Numbers page, or omit enterpriseNumber to block all of them." },
      ]);
      const filter = await rejection(w.optOuts.list(w.admin, w.enterpriseId, { pageSize: 10, externalNumber: 'abc' }));
      expect((filter as ValidationError).details[0]!.path).toBe('externalNumber');
      expect(await w.rows()).toEqual([]);
    });
  });

  describe('a racing START', () => {
    it('never deletes a STOP written after it read the row (ETag delete)', async () => {
      const w = await world();
      await w.optOuts.handleKeyword(w.enterpriseId, N1, PERSON, 'STOP', numberScope);
      const read = (await w.optOuts.repository.get(w.enterpriseId, `${N1}|${PERSON}`))!;
      // Meanwhile: START, then a new STOP (a new row, a new ETag).
      await w.optOuts.handleKeyword(w.enterpriseId, N1, PERSON, 'START', numberScope);
      await w.optOuts.handleKeyword(w.enterpriseId, N1, PERSON, 'STOP', numberScope);
      await expect(w.optOuts.repository.delete(read)).rejects.toBeInstanceOf(ConflictError);
      expect((await w.optOuts.isBlocked(w.enterpriseId, N1, PERSON)).blocked).toBe(true);
    });
  });
});

describe('compliance settings', () => {
  it('default for enterprises stored before they existed', async () => {
    const store = testStore();
    await store.ensureTables([ENTERPRISES_TABLE]);
    const legacy = { allowProviderManagement: false, chatEnabled: true, syncIntervalMinutes: 15, timeZone: 'UTC', syncGroupIds: [] };
    await store.client(ENTERPRISES_TABLE).createEntity({
      partitionKey: 'enterprises',
      rowKey: escapeKey('old'),
      name: 'Old Co',
      tenantId: randomUUID(),
      providerId: 'prov',
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-01T00:00:00.000Z',
      settings: JSON.stringify(legacy),
    });
    const stored = await new EnterpriseRepository(store).byId('old');
    expect(stored!.value.settings).toEqual({
      ...legacy,
      optOutScope: 'number',
      optOutReply: 'You have been unsubscribed and will receive no more messages from this number. Reply START to resubscribe.',
      optInReply: 'You have been resubscribed. Reply STOP to unsubscribe.',
      helpReply: 'Reply STOP to unsubscribe. Msg&data rates may apply.',
    });
    expect(enterpriseSettingsSchema.parse(stored!.value.settings)).toEqual(stored!.value.settings);
  });

  it('trims replies and names the field and the fix when one is wrong', () => {
    expect(updateEnterpriseSchema.parse({ settings: { optOutReply: '  Bye.  ', optOutScope: 'enterprise' } })).toEqual({ settings: { optOutReply: 'Bye.', optOutScope: 'enterprise' } });
    const issues = (input: unknown) => updateEnterpriseSchema.safeParse(input).error!.issues.map((i) => [i.path.join('.'), i.message]);
    expect(issues({ settings: { optOutReply: '   ' } })).toEqual([['settings.optOutReply', 'The reply to STOP (optOutReply) cannot be empty: write the text people receive, e.g. the default.']]);
    expect(issues({ settings: { helpReply: 'x'.repeat(321) } })).toEqual([['settings.helpReply', 'The reply to HELP (helpReply) is too long: shorten it to at most 320 characters.']]);
    expect(updateEnterpriseSchema.safeParse({ settings: { optInReply: 'x'.repeat(320) } }).success).toBe(true);
    expect(issues({ settings: { optOutScope: 'all' } })).toEqual([['settings.optOutScope', expect.stringContaining('Use "number"')]]);
  });
});

describe('the opt-out check across processes', () => {
  /** A second server on the same storage: its own OptOuts, with its own in-memory sets. */
  const otherProcess = (w: World) => {
    const store = (w.optOuts.repository as unknown as { store: import('../store/table-store').TableStore }).store;
    return new OptOuts({ store, enterprises: w.enterprises, numbers: new NumberRepository(store), activity: w.activity });
  };

  it('honours a STOP recorded by another process at the very next check, and a START lifts it there too', async () => {
    const w = await world();
    const sender = otherProcess(w);
    // The sending process has looked (and keeps the set) before the STOP arrives elsewhere.
    await expect(sender.assertNotBlocked(w.enterpriseId, N1, PERSON)).resolves.toBeUndefined();
    await w.optOuts.handleKeyword(w.enterpriseId, N1, PERSON, 'STOP', numberScope);
    await expect(sender.assertNotBlocked(w.enterpriseId, N1, PERSON)).rejects.toBeInstanceOf(OptedOutError);
    await expect(sender.assertNotBlocked(w.enterpriseId, N2, PERSON)).resolves.toBeUndefined();
    await w.optOuts.handleKeyword(w.enterpriseId, N1, PERSON, 'START', numberScope);
    await expect(sender.assertNotBlocked(w.enterpriseId, N1, PERSON)).resolves.toBeUndefined();
  });

  it('shares version reads among checks that arrive while one is on its way, and still honours a STOP made before a check began', async () => {
    const w = await world();
    const sender = otherProcess(w);
    await sender.assertNotBlocked(w.enterpriseId, N2, OTHER_PERSON); // the set is loaded
    const store = (w.optOuts.repository as unknown as { store: import('../store/table-store').TableStore }).store;
    const counter = countRequests(store);
    // Twenty checks, each in a turn of the event loop of its own, as sends arrive one by one.
    const checks: Array<Promise<void>> = [];
    for (let i = 0; i < 20; i++) {
      checks.push(sender.assertNotBlocked(w.enterpriseId, N2, OTHER_PERSON));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await Promise.all(checks);
    counter.stop();
    // One read on its way at a time, the others waiting together: a read per turn would be twenty.
    expect(counter.requests()).toBeLessThanOrEqual(10);
    expect(counter.requests()).toBeGreaterThanOrEqual(1);

    // A STOP recorded elsewhere while checks keep coming (one begun before it may go either way):
    // a check begun after it sees it.
    const early = sender.assertNotBlocked(w.enterpriseId, N1, PERSON).catch(() => undefined);
    await w.optOuts.handleKeyword(w.enterpriseId, N1, PERSON, 'STOP', numberScope);
    await expect(sender.assertNotBlocked(w.enterpriseId, N1, PERSON)).rejects.toBeInstanceOf(OptedOutError);
    await early;
  });

  it('honours opt-outs written straight through the repository, by carriers and by admins, and checks made at once agree', async () => {
    const w = await world();
    const sender = otherProcess(w);
    await sender.assertNotBlocked(w.enterpriseId, N2, OTHER_PERSON);
    await w.optOuts.repository.create({ enterpriseId: w.enterpriseId, enterpriseNumber: ALL_NUMBERS, externalNumber: OTHER_PERSON, optedOutAt: new Date().toISOString(), source: 'admin', keyword: null, textedNumber: null, note: null });
    const checks = await Promise.allSettled(Array.from({ length: 20 }, () => sender.assertNotBlocked(w.enterpriseId, N2, OTHER_PERSON)));
    expect(checks.every((check) => check.status === 'rejected' && check.reason instanceof OptedOutError)).toBe(true);
    await w.optOuts.recordCarrierOptOut(w.enterpriseId, N1, PERSON);
    await expect(sender.assertNotBlocked(w.enterpriseId, N1, PERSON)).rejects.toBeInstanceOf(OptedOutError);
    // The version row never shows in the admins' list.
    expect((await w.rows()).sort()).toEqual([optOutKey(ALL_NUMBERS, OTHER_PERSON), optOutKey(N1, PERSON)].sort());
  });
});
