import type { Runtime } from '../src/runtime';
import { devTokens } from './support/dev-sign-in';
import { call, expectError } from './support/http';
import { startTestRuntime, stopAll } from './support/runtime';

/**
 * The opt-out list over the admin API (list and add, never remove; admins only,
 * other enterprises invisible) and the compliance settings through the enterprise
 * settings API.
 */
const IDENTITIES = ['provider-admin', 'contoso-global-admin', 'contoso-admin', 'contoso-user', 'fabrikam-global-admin'] as const;
const PERSON = '+12065550100';
const OTHER_PERSON = '+12065550123';
const N1 = '+14155550900';
const N2 = '+14155550901';

describe('opt-outs API', () => {
  let runtime: Runtime;
  let url: string;
  let tokens: Record<(typeof IDENTITIES)[number], string>;

  beforeAll(async () => {
    runtime = await startTestRuntime();
    url = runtime.url;
    tokens = await devTokens(url, IDENTITIES);
    const range = await call(`${url}/api/admin/enterprises/contoso/numbers/range`, { token: tokens['contoso-global-admin'], body: { from: N1, to: N2 } });
    expect(range.status).toBe(200);
  });
  afterAll(() => stopAll(runtime));

  const optOutsUrl = (enterprise = 'contoso', query = '') => `${url}/api/admin/enterprises/${enterprise}/opt-outs${query}`;
  const list = (token: string, enterprise = 'contoso', query = '') => call(optOutsUrl(enterprise, query), { token });
  const add = (token: string, body: unknown, enterprise = 'contoso') => call(optOutsUrl(enterprise), { token, body });
  const feed = async () => (await call(`${url}/api/admin/enterprises/contoso/activity?pageSize=50`, { token: tokens['contoso-global-admin'] })).body.items as Array<Record<string, any>>;

  it('lets an admin add an opt-out for one number or all, once, each with an activity entry', async () => {
    const one = await add(tokens['contoso-admin'], { externalNumber: '+1 (206) 555-0100', enterpriseNumber: '+1 415 555 0900', note: 'asked by phone' });
    expect(one.status).toBe(201);
    expect(one.body).toEqual({ id: `${N1}|${PERSON}`, externalNumber: PERSON, scope: 'number', enterpriseNumber: N1, source: 'admin', note: 'asked by phone', optedOutAt: expect.any(String) });
    const all = await add(tokens['contoso-global-admin'], { externalNumber: OTHER_PERSON });
    expect(all.status).toBe(201);
    expect(all.body).toMatchObject({ id: `*|${OTHER_PERSON}`, scope: 'enterprise', source: 'admin' });
    expect(all.body.enterpriseNumber).toBeUndefined();
    // Adding it again answers the stored one and writes nothing.
    const again = await add(tokens['contoso-admin'], { externalNumber: OTHER_PERSON, note: 'twice' });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(all.body);

    const entries = (await feed()).filter((e) => e.action === 'optOut.created');
    expect(entries.map((e) => [e.actor.name, e.summary])).toEqual([
      ['Grace Global', "Recorded that +1 206 555 0123 asked not to receive messages from all of Contoso's numbers."],
      ['Adam Admin', 'Recorded that +1 206 555 0100 asked not to receive messages from +1 415 555 0900.'],
    ]);
    expect(entries[1]).toMatchObject({ entity: { type: 'optOut', id: `${N1}|${PERSON}`, name: '+1 206 555 0100' }, before: null, after: one.body });

    // And sending is refused from now on.
    await expect(runtime.services.optOuts.assertNotBlocked('contoso', N2, OTHER_PERSON)).rejects.toMatchObject({ code: 'opted_out' });
    await expect(runtime.services.optOuts.assertNotBlocked('contoso', N2, PERSON)).resolves.toBeUndefined();
  });

  it('lists opt-outs from every source, enterprise-wide first, page by page and for one person', async () => {
    await runtime.services.optOuts.handleKeyword('contoso', N2, PERSON, 'stop', (await runtime.services.enterpriseRepository.byId('contoso'))!.value.settings);
    const first = await list(tokens['contoso-admin'], 'contoso', '?pageSize=2');
    expect(first.status).toBe(200);
    expect(first.body.items.map((o: { id: string }) => o.id)).toEqual([`*|${OTHER_PERSON}`, `${N1}|${PERSON}`]);
    const second = await list(tokens['contoso-admin'], 'contoso', `?pageSize=2&continuationToken=${encodeURIComponent(first.body.continuationToken)}`);
    expect(second.body).toEqual({ items: [expect.objectContaining({ id: `${N2}|${PERSON}`, source: 'keyword', keyword: 'STOP', textedNumber: N2, scope: 'number' })] });
    const person = await list(tokens['provider-admin'], 'contoso', `?externalNumber=${encodeURIComponent('+1 206 555 0100')}`);
    expect(person.status).toBe(200);
    expect(person.body.items.map((o: { id: string }) => o.id)).toEqual([`${N1}|${PERSON}`, `${N2}|${PERSON}`]);
  });

  it('is for admins: users get 403, other enterprises do not exist (404), providers need consent', async () => {
    const user = expectError(await list(tokens['contoso-user']), 403, 'forbidden');
    expect(user.message).toMatch(/see opt-outs/);
    expectError(await add(tokens['contoso-user'], { externalNumber: PERSON }), 403, 'forbidden');
    expectError(await list(tokens['fabrikam-global-admin']), 404, 'not_found');
    expectError(await add(tokens['fabrikam-global-admin'], { externalNumber: PERSON }), 404, 'not_found');
    // Fabrikam has not allowed management by its provider.
    expectError(await list(tokens['provider-admin'], 'fabrikam'), 403, 'forbidden');
    expect((await list(tokens['fabrikam-global-admin'], 'fabrikam')).body).toEqual({ items: [] });
  });

  it('has no way to remove an opt-out', async () => {
    expectError(await call(`${optOutsUrl()}/${encodeURIComponent(`${N1}|${PERSON}`)}`, { method: 'DELETE', token: tokens['contoso-global-admin'] }), 404, 'not_found');
    expectError(await call(optOutsUrl(), { method: 'DELETE', token: tokens['contoso-global-admin'] }), 405, 'method_not_allowed');
    expect((await runtime.services.optOuts.isBlocked('contoso', N1, PERSON)).blocked).toBe(true);
  });

  it('names the bad field of an addition', async () => {
    const number = expectError(await add(tokens['contoso-admin'], { externalNumber: '12' }), 400, 'validation_failed');
    expect(number.details).toEqual([{ path: 'externalNumber', message: expect.any(String) }]);
    const notOurs = expectError(await add(tokens['contoso-admin'], { externalNumber: PERSON, enterpriseNumber: '+14155550999' }), 400, 'validation_failed');
    expect(notOurs.details).toEqual([{ path: 'enterpriseNumber', message: expect.stringContaining("not one of Contoso's numbers") }]);
    const unknown = expectError(await add(tokens['contoso-admin'], { externalNumber: PERSON, scope: 'all' }), 400, 'validation_failed');
    expect(unknown.details).toEqual([{ path: 'scope', message: expect.stringContaining('Unknown field') }]);
    const missing = expectError(await add(tokens['contoso-admin'], {}), 400, 'validation_failed');
    expect(missing.details!.map((d) => d.path)).toEqual(['externalNumber']);
  });
});

describe('compliance settings API', () => {
  let runtime: Runtime;
  let url: string;
  let tokens: Record<(typeof IDENTITIES)[number], string>;

  beforeAll(async () => {
    runtime = await startTestRuntime();
    url = runtime.url;
    tokens = await devTokens(url, IDENTITIES);
  });
  afterAll(() => stopAll(runtime));

  const read = async () => (await call(`${url}/api/admin/enterprises/contoso`, { token: tokens['contoso-global-admin'] })).body;
  const patch = (body: unknown, etag: string) => call(`${url}/api/admin/enterprises/contoso`, { method: 'PATCH', token: tokens['contoso-admin'], body, headers: { 'if-match': etag } });

  it('shows the defaults, saves changes trimmed, and records them in the feed', async () => {
    const before = await read();
    expect(before.settings).toMatchObject({
      optOutScope: 'number',
      optOutReply: 'You have been unsubscribed and will receive no more messages from this number. Reply START to resubscribe.',
      optInReply: 'You have been resubscribed. Reply STOP to unsubscribe.',
      helpReply: 'Reply STOP to unsubscribe. Msg&data rates may apply.',
    });
    const changed = await patch({ settings: { optOutScope: 'enterprise', optOutReply: '  Contoso: you will get no more texts. Reply START to resume.  ' } }, before.etag);
    expect(changed.status).toBe(200);
    expect(changed.body.settings).toMatchObject({ optOutScope: 'enterprise', optOutReply: 'Contoso: you will get no more texts. Reply START to resume.', helpReply: before.settings.helpReply });
    const feed = (await call(`${url}/api/admin/enterprises/contoso/activity?pageSize=5`, { token: tokens['contoso-global-admin'] })).body.items;
    expect(feed[0]).toMatchObject({
      action: 'enterprise.updated',
      summary: 'Changed what a STOP blocks and the reply to STOP of Contoso.',
      before: { 'settings.optOutScope': 'number', 'settings.optOutReply': before.settings.optOutReply },
      after: { 'settings.optOutScope': 'enterprise', 'settings.optOutReply': 'Contoso: you will get no more texts. Reply START to resume.' },
    });
    // The saved settings drive the keywords.
    const settings = (await runtime.services.enterpriseRepository.byId('contoso'))!.value.settings;
    expect(await runtime.services.optOuts.handleKeyword('contoso', '+14155550900', PERSON, 'STOP', settings)).toEqual({ keyword: 'stop', reply: 'Contoso: you will get no more texts. Reply START to resume.' });
    expect(await runtime.services.optOuts.isBlocked('contoso', '+14155550901', PERSON)).toMatchObject({ blocked: true, scope: 'enterprise' });
  });

  it('names settings.optOutReply and the fix when a reply is empty or too long', async () => {
    const { etag } = await read();
    const empty = expectError(await patch({ settings: { optOutReply: '   ' } }, etag), 400, 'validation_failed');
    expect(empty.details).toEqual([{ path: 'settings.optOutReply', message: 'The reply to STOP (optOutReply) cannot be empty: write the text people receive, e.g. the default.' }]);
    expect(empty.message).toContain('settings.optOutReply');
    const long = expectError(await patch({ settings: { optOutReply: 'x'.repeat(321), optOutScope: 'everyone' } }, etag), 400, 'validation_failed');
    expect(long.details).toEqual([
      { path: 'settings.optOutScope', message: expect.stringContaining('Use "number"') },
      { path: 'settings.optOutReply', message: 'The reply to STOP (optOutReply) is too long: shorten it to at most 320 characters.' },
    ]);
    expect((await read()).etag).toBe(etag);
  });
});
