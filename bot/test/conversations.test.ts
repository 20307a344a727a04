import type { z } from 'zod';
import { contactListSchema, contactViewSchema, conversationPageSchema, conversationViewSchema, messagePageSchema, searchPageSchema, unreadTotalSchema, type SmsMessage } from '@switchboard/shared';
import { makeMessage } from '../../shared/test/messages';
import { makeUser } from '../../shared/test/users';
import { devIdentities } from '../src/dev/dev-sign-in';
import type { Runtime } from '../src/runtime';
import { devTokens } from './support/dev-sign-in';
import { call, expectError } from './support/http';
import { startTestRuntime, stopAll } from './support/runtime';

/**
 * Conversations and contacts over HTTP against the real server and Azurite: each
 * endpoint once, as the people who may use it and as those who may not.
 */
const IDENTITIES = ['provider-admin', 'contoso-global-admin', 'contoso-admin', 'contoso-user', 'fabrikam-global-admin'] as const;
const UMA = devIdentities.find((identity) => identity.key === 'contoso-user')!.userId;
const UMAS = '+14155550901';
const GROUP = '+14155550902';
const ALICE = '+14155550811';
const BOB = '+14155550812';
const CAROL = '+14155550813';
const t = (minute: number) => new Date(Date.parse('2026-03-01T10:00:00.000Z') + minute * 60_000).toISOString();
const actor = { id: 'admin', name: 'Admin', role: 'global-admin' as const };

/** The answer has the shape the OpenAPI document declares (the same zod schema). */
function conforms(schema: z.ZodType, body: unknown): void {
  const result = schema.safeParse(body);
  expect(result.success ? [] : result.error.issues).toEqual([]);
}

describe('conversations and contacts API', () => {
  let runtime: Runtime;
  let url: string;
  let tokens: Record<(typeof IDENTITIES)[number], string>;
  const aliceConversation = '14155550901_14155550811';
  const groupConversation = '14155550902_14155550813';

  const deliver = async (message: SmsMessage) => {
    await runtime.services.messages.create(message);
    await runtime.services.conversations.recordMessage(message);
  };

  beforeAll(async () => {
    runtime = await startTestRuntime();
    url = runtime.url;
    tokens = await devTokens(url, IDENTITIES);
    await runtime.services.userRepository.createMany([makeUser({ enterpriseId: 'contoso', id: UMA, displayName: 'Uma User' }), makeUser({ enterpriseId: 'contoso', id: 'olga', displayName: 'Olga Owner' })]);
    const range = await call(`${url}/api/admin/enterprises/contoso/numbers/range`, { token: tokens['contoso-global-admin'], body: { from: UMAS, to: GROUP } });
    expect(range.status).toBe(200);
    await runtime.services.smsAssignments.applyUserConfig('contoso', UMA, { enabled: true, numbers: [UMAS] }, actor);
    const group = await call(`${url}/api/admin/enterprises/contoso/sms-groups`, { token: tokens['contoso-global-admin'], body: { name: 'Dispatch', number: GROUP, ownerIds: ['olga'] } });
    expect(group.status).toBe(201);

    await deliver(makeMessage('contoso', 'inbound', UMAS, ALICE, 'Is the van on its way?', t(1)));
    await deliver(makeMessage('contoso', 'outbound', UMAS, ALICE, 'Yes, ten minutes', t(2), { sentBy: UMA }));
    await deliver(makeMessage('contoso', 'inbound', UMAS, ALICE, 'Great, thanks!', t(3)));
    await deliver(makeMessage('contoso', 'inbound', UMAS, BOB, 'Invoice question', t(4)));
    await deliver(makeMessage('contoso', 'inbound', GROUP, CAROL, 'For dispatch: the van is here', t(5)));
  });
  afterAll(() => stopAll(runtime));

  const base = (enterprise = 'contoso') => `${url}/api/admin/enterprises/${enterprise}`;
  const user = () => tokens['contoso-user'];
  const admin = () => tokens['contoso-admin'];

  it('GET conversations: yours newest first with unread counts; administrators see all; other enterprises 404', async () => {
    const mine = await call(`${base()}/conversations?pageSize=1`, { token: user() });
    expect(mine.status).toBe(200);
    conforms(conversationPageSchema, mine.body);
    expect(mine.body.items).toEqual([
      {
        id: '14155550901_14155550812',
        enterpriseNumber: UMAS,
        externalNumber: BOB,
        contactName: null,
        lastMessageAt: t(4),
        lastPreview: 'Invoice question',
        lastDirection: 'inbound',
        lastStatus: 'routed',
        messageCount: 1,
        unreadCount: 1,
      },
    ]);
    const next = await call(`${base()}/conversations?pageSize=1&continuationToken=${mine.body.continuationToken}`, { token: user() });
    expect(next.body.items.map((c: { id: string; unreadCount: number }) => [c.id, c.unreadCount])).toEqual([[aliceConversation, 2]]);
    expect(next.body.continuationToken).toBeUndefined();

    const all = await call(`${base()}/conversations`, { token: admin() });
    expect(all.body.items.map((c: { externalNumber: string }) => c.externalNumber)).toEqual([CAROL, BOB, ALICE]);
    expect((await call(`${base()}/conversations`, { token: tokens['provider-admin'] })).body.items).toHaveLength(3);
    expect((await call(`${base()}/conversations?scope=mine`, { token: admin() })).body.items).toEqual([]);
    expect((await call(`${base()}/conversations?number=${encodeURIComponent(GROUP)}`, { token: admin() })).body.items).toHaveLength(1);

    expectError(await call(`${base()}/conversations`, { token: tokens['fabrikam-global-admin'] }), 404, 'not_found');
    expectError(await call(`${base('fabrikam')}/conversations`, { token: tokens['provider-admin'] }), 403, 'forbidden');
    const notHers = expectError(await call(`${base()}/conversations?number=${encodeURIComponent(GROUP)}`, { token: user() }), 403, 'forbidden');
    expect(notHers.message).toContain('You do not hold +1 415 555 0902');
    const damaged = expectError(await call(`${base()}/conversations?continuationToken=bm9wZQ`, { token: user() }), 400, 'validation_failed');
    expect(damaged.details).toEqual([{ path: 'continuationToken', message: expect.stringContaining('omit it to start from the first page') }]);
    const badSize = expectError(await call(`${base()}/conversations?pageSize=500`, { token: user() }), 400, 'validation_failed');
    expect(badSize.details).toEqual([{ path: 'pageSize', message: 'pageSize is at most 100.' }]);
  });

  it('GET conversations/{id}/messages: the history newest first; 404 for conversations that are not yours', async () => {
    const history = await call(`${base()}/conversations/${aliceConversation}/messages?pageSize=2`, { token: user() });
    expect(history.status).toBe(200);
    conforms(messagePageSchema, history.body);
    expect(history.body.conversation).toMatchObject({ id: aliceConversation, messageCount: 3, unreadCount: 2 });
    expect(history.body.items.map((m: { body: string; direction: string }) => [m.direction, m.body])).toEqual([
      ['inbound', 'Great, thanks!'],
      ['outbound', 'Yes, ten minutes'],
    ]);
    expect(history.body.items[1]).toMatchObject({ from: UMAS, to: ALICE, status: 'sent', sentBy: UMA, sentByName: 'Uma User', segments: 1, encoding: 'GSM-7', statusHistory: [{ status: 'sent', at: t(2) }] });
    const rest = await call(`${base()}/conversations/${aliceConversation}/messages?pageSize=2&continuationToken=${history.body.continuationToken}`, { token: user() });
    expect(rest.body.items.map((m: { body: string }) => m.body)).toEqual(['Is the van on its way?']);
    expect(rest.body.continuationToken).toBeUndefined();

    expectError(await call(`${base()}/conversations/${groupConversation}/messages`, { token: user() }), 404, 'not_found');
    expect((await call(`${base()}/conversations/${groupConversation}/messages`, { token: admin() })).body.items).toHaveLength(1);
    expectError(await call(`${base()}/conversations/${aliceConversation}/messages`, { token: tokens['fabrikam-global-admin'] }), 404, 'not_found');
    const badId = expectError(await call(`${base()}/conversations/not-an-id/messages`, { token: user() }), 400, 'validation_failed');
    expect(badId.details!.map((d) => d.path)).toEqual(['conversationId']);
  });

  it('POST conversations/{id}/read and GET conversations/unread: the badge goes down for the reader only', async () => {
    const badge = await call(`${base()}/conversations/unread`, { token: user() });
    conforms(unreadTotalSchema, badge.body);
    expect(badge.body).toEqual({ unread: 3, conversations: 2 });
    expect((await call(`${base()}/conversations/unread`, { token: admin() })).body).toEqual({ unread: 4, conversations: 3 });
    const read = await call(`${base()}/conversations/${aliceConversation}/read`, { method: 'POST', token: user() });
    expect(read.status).toBe(200);
    conforms(conversationViewSchema, read.body);
    expect(read.body).toMatchObject({ id: aliceConversation, unreadCount: 0 });
    expect((await call(`${base()}/conversations/unread`, { token: user() })).body).toEqual({ unread: 1, conversations: 1 });
    expect((await call(`${base()}/conversations/unread`, { token: admin() })).body).toEqual({ unread: 4, conversations: 3 });
    expect((await call(`${base()}/conversations/unread?scope=mine`, { token: admin() })).body).toEqual({ unread: 0, conversations: 0 });

    expectError(await call(`${base()}/conversations/${groupConversation}/read`, { method: 'POST', token: user() }), 404, 'not_found');
    expectError(await call(`${base()}/conversations/unread`, { token: tokens['fabrikam-global-admin'] }), 404, 'not_found');
    const badScope = expectError(await call(`${base()}/conversations/unread?scope=everyone`, { token: user() }), 400, 'validation_failed');
    expect(badScope.details!.map((d) => d.path)).toEqual(['scope']);
  });

  it('GET messages/search: your messages by text, newest first; administrators search everything', async () => {
    const found = await call(`${base()}/messages/search?q=${encodeURIComponent('THE VAN')}`, { token: user() });
    expect(found.status).toBe(200);
    conforms(searchPageSchema, found.body);
    expect(found.body.items.map((hit: { message: { body: string }; matchedOn: string; conversationId: string }) => [hit.conversationId, hit.matchedOn, hit.message.body])).toEqual([
      [aliceConversation, 'body', 'Is the van on its way?'],
    ]);
    expect(found.body.continuationToken).toBeUndefined();
    const everything = await call(`${base()}/messages/search?q=van`, { token: admin() });
    expect(everything.body.items.map((hit: { message: { body: string } }) => hit.message.body)).toEqual(['For dispatch: the van is here', 'Is the van on its way?']);

    const short = expectError(await call(`${base()}/messages/search?q=v`, { token: user() }), 400, 'validation_failed');
    expect(short.details).toEqual([{ path: 'q', message: 'Search for at least 2 characters (q).' }]);
    expectError(await call(`${base()}/messages/search?q=van`, { token: tokens['fabrikam-global-admin'] }), 404, 'not_found');
  });

  describe('contacts', () => {
    const contacts = () => `${base()}/contacts`;
    const aliceUrl = () => `${contacts()}/personal/${encodeURIComponent(ALICE)}`;
    const bobUrl = () => `${contacts()}/enterprise/${encodeURIComponent(BOB)}`;
    let alice: { etag: string };
    let bob: { etag: string };

    it('POST contacts: users add personal ones, administrators enterprise ones; invalid fields and duplicates are refused', async () => {
      const personal = await call(contacts(), { token: user(), body: { name: 'Alice (van)', number: '+1 415 555 0811' } });
      expect(personal.status).toBe(201);
      expect(personal.body).toEqual({ number: ALICE, display: '+1 415 555 0811', name: 'Alice (van)', scope: 'personal', createdAt: expect.any(String), updatedAt: expect.any(String), etag: expect.stringMatching(/^W\//) });
      expect(personal.headers.get('etag')).toBe(personal.body.etag);
      conforms(contactViewSchema, personal.body);
      alice = personal.body;
      const refused = expectError(await call(contacts(), { token: user(), body: { scope: 'enterprise', name: 'Bob', number: BOB } }), 403, 'forbidden');
      expect(refused.message).toContain('Only administrators change enterprise contacts');
      const shared = await call(contacts(), { token: admin(), body: { scope: 'enterprise', name: 'Bob Builder', number: BOB } });
      expect(shared.status).toBe(201);
      bob = shared.body;

      const noName = expectError(await call(contacts(), { token: user(), body: { name: '', number: CAROL } }), 400, 'validation_failed');
      expect(noName.details).toEqual([{ path: 'name', message: 'Give the contact a name.' }]);
      const badNumber = expectError(await call(contacts(), { token: user(), body: { name: 'Someone', number: '+1 555' } }), 400, 'validation_failed');
      expect(badNumber.details).toEqual([{ path: 'number', message: expect.stringContaining('too short for a +1 number') }]);
      const duplicate = expectError(await call(contacts(), { token: user(), body: { name: 'Alice again', number: ALICE } }), 409, 'conflict');
      expect(duplicate.message).toContain('send If-Match with its ETag');
      expectError(await call(`${base('fabrikam')}/contacts`, { token: user(), body: { name: 'x', number: ALICE } }), 404, 'not_found');
    });

    it('GET contacts: yours and the enterprise\'s, by name; contact names show in conversations and search', async () => {
      const list = await call(contacts(), { token: user() });
      conforms(contactListSchema, list.body);
      expect(list.body.items.map((c: { name: string; scope: string }) => [c.name, c.scope])).toEqual([
        ['Alice (van)', 'personal'],
        ['Bob Builder', 'enterprise'],
      ]);
      expect((await call(`${contacts()}?scope=enterprise&q=bob`, { token: user() })).body.items.map((c: { name: string }) => c.name)).toEqual(['Bob Builder']);
      expect((await call(contacts(), { token: admin() })).body.items.map((c: { name: string }) => c.name)).toEqual(['Bob Builder']);
      const named = await call(`${base()}/conversations`, { token: user() });
      expect(named.body.items.map((c: { contactName: string | null }) => c.contactName)).toEqual(['Bob Builder', 'Alice (van)']);
      expect((await call(`${base()}/messages/search?q=builder`, { token: user() })).body.items.map((hit: { matchedOn: string }) => hit.matchedOn)).toEqual(['contact']);
      expectError(await call(`${base('fabrikam')}/contacts`, { token: user() }), 404, 'not_found');
      expectError(await call(`${base('fabrikam')}/contacts`, { token: tokens['provider-admin'] }), 403, 'forbidden');
    });

    it('PUT contacts/{scope}/{number}: renames with If-Match; stale ETags conflict', async () => {
      expectError(await call(aliceUrl(), { method: 'PUT', token: user(), body: { name: 'Alice' } }), 428, 'precondition_required');
      const renamed = await call(aliceUrl(), { method: 'PUT', token: user(), body: { name: 'Alice Archer' }, headers: { 'if-match': alice.etag } });
      expect(renamed.status).toBe(200);
      expect(renamed.body.name).toBe('Alice Archer');
      expectError(await call(aliceUrl(), { method: 'PUT', token: user(), body: { name: 'Late' }, headers: { 'if-match': alice.etag } }), 409, 'conflict');
      alice = renamed.body;
      expectError(await call(bobUrl(), { method: 'PUT', token: user(), body: { name: 'Bobby' }, headers: { 'if-match': bob.etag } }), 403, 'forbidden');
      const badScope = expectError(await call(`${contacts()}/team/${encodeURIComponent(ALICE)}`, { method: 'PUT', token: user(), body: { name: 'x' }, headers: { 'if-match': alice.etag } }), 400, 'validation_failed');
      expect(badScope.details!.map((d) => d.path)).toEqual(['scope']);
    });

    it('DELETE contacts/{scope}/{number}: with If-Match; enterprise contacts by administrators only, in the activity feed', async () => {
      expectError(await call(bobUrl(), { method: 'DELETE', token: user(), headers: { 'if-match': bob.etag } }), 403, 'forbidden');
      expectError(await call(bobUrl(), { method: 'DELETE', token: admin() }), 428, 'precondition_required');
      expect((await call(bobUrl(), { method: 'DELETE', token: admin(), headers: { 'if-match': bob.etag } })).status).toBe(204);
      expect((await call(aliceUrl(), { method: 'DELETE', token: user(), headers: { 'if-match': alice.etag } })).status).toBe(204);
      expect((await call(contacts(), { token: user() })).body.items).toEqual([]);
      const feed = await call(`${base()}/activity?pageSize=5`, { token: admin() });
      expect(feed.body.items.slice(0, 2).map((e: { action: string }) => e.action)).toEqual(['contact.deleted', 'contact.created']);
    });
  });
});
