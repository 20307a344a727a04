import { randomUUID } from 'node:crypto';
import { countRequests, testStore } from '../../test/storage';
import { makeMessage } from '../../test/messages';
import { makeUser } from '../../test/users';
import type { Actor, Principal } from '../access/principal';
import { defaultEnterpriseSettings } from '../enterprises/schema';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { createServices, type Services } from '../services';
import { escapeKey } from '../store/keys';
import type { TableStore } from '../store/table-store';
import { CONTACTS_TABLE, Contacts } from './contacts';
import { conversationIdOf } from './conversation-id';
import { encodeCursor, enterprisePartitions, historyPartition, messageKey, numberPartition, recentKey } from './conversation-keys';
import { CONVERSATION_INDEX_TABLE, CONVERSATION_TABLES, historyPrefix, RECENT_PREFIX } from './conversation-store';
import { Conversations, type ConversationsDeps } from './conversations';
import { MessageRepository, type SmsMessage } from './message';

/**
 * Conversations against real storage: messages are stored with the messages repository,
 * then recorded; the queries answer as each kind of caller may see them.
 */
const N1 = '+14155550601'; // Uma's
const N2 = '+14155550602'; // Uma's too
const G = '+14155550603'; // the Dispatch group's (Olga owner, Mike member)
const X = (n: number) => `+141555508${String(n).padStart(2, '0')}`; // outside parties
const actor: Actor = { id: 'admin-1', name: 'Ada Admin', role: 'global-admin' };
const BASE = Date.parse('2026-03-01T10:00:00.000Z');
const t = (minute: number) => new Date(BASE + minute * 60_000).toISOString();

interface World {
  store: TableStore;
  services: Services;
  enterpriseId: string;
  messages: MessageRepository;
  contacts: Contacts;
  conversations: Conversations;
  admin: Principal;
  person(id: string): Principal;
  deliver(message: SmsMessage): Promise<SmsMessage>;
  withOptions(options: Partial<ConversationsDeps>): Conversations;
}

const sms = makeMessage;

async function world(): Promise<World> {
  const store = testStore();
  const services = await createServices(store);
  await store.ensureTables([...CONVERSATION_TABLES, CONTACTS_TABLE]);
  const enterpriseId = `ent-${randomUUID().slice(0, 8)}`;
  const at = new Date().toISOString();
  await services.enterpriseRepository.create({ id: enterpriseId, name: 'Contoso', tenantId: randomUUID(), providerId: 'prov', createdAt: at, updatedAt: at, settings: defaultEnterpriseSettings });
  await services.userRepository.createMany(['uma', 'olga', 'mike', 'jane'].map((id) => makeUser({ enterpriseId, id })));
  const admin: Principal = { userId: 'admin-1', name: 'Ada Admin', tenantId: 't', role: 'global-admin', enterpriseId };
  await services.numbers.addRange(admin, enterpriseId, { from: N1, to: '+14155550609' });
  await services.smsAssignments.applyUserConfig(enterpriseId, 'uma', { enabled: true, numbers: [N1, N2] }, actor);
  await services.smsGroups.create(admin, enterpriseId, { name: 'Dispatch', number: G, ownerIds: ['olga'], memberIds: ['mike'] });
  const messages = new MessageRepository(store);
  const contacts = new Contacts({ store, enterprises: services.enterpriseRepository, activity: services.activity });
  const deps: ConversationsDeps = { store, messages, enterprises: services.enterpriseRepository, numbers: services.numberRepository, numberCache: services.numberCache, groups: services.smsGroupRepository, contacts };
  const conversations = new Conversations(deps);
  return {
    store,
    services,
    enterpriseId,
    messages,
    contacts,
    conversations,
    admin,
    person: (id) => ({ userId: id, name: id, tenantId: 't', role: 'user', enterpriseId }),
    deliver: async (message) => {
      await messages.create(message);
      await conversations.recordMessage(message);
      return message;
    },
    withOptions: (options) => new Conversations({ ...deps, ...options }),
  };
}

/** Stores the message, then counts the storage requests its recording makes. */
async function requestsToRecord(w: World, message: SmsMessage): Promise<number> {
  await w.messages.create(message);
  const counter = countRequests(w.store);
  try {
    await w.conversations.recordMessage(message);
  } finally {
    counter.stop();
  }
  return counter.requests();
}

/** The row keys of one enterprise number's index partition (list, timeline and history rows), as stored. */
async function indexRowKeys(w: World, number: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const row of w.store.client(CONVERSATION_INDEX_TABLE).listEntities({ queryOptions: { filter: `PartitionKey eq '${numberPartition(w.enterpriseId, number)}'` } })) keys.push(row.rowKey!);
  return keys;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject');
}

/** Every page of a paged query, following continuation tokens. */
async function allPages<T>(page: (token?: string) => Promise<{ items: T[]; continuationToken?: string | undefined }>): Promise<T[][]> {
  const pages: T[][] = [];
  let token: string | undefined;
  do {
    const answer = await page(token);
    pages.push(answer.items);
    token = answer.continuationToken;
  } while (token && pages.length < 50);
  return pages;
}

describe('Conversations', () => {
  it('lists newest first across two numbers, in pages; a newer message moves its conversation to the top', async () => {
    const w = await world();
    const uma = w.person('uma');
    // Interleaved in time across N1 (X1..X4) and N2 (X5..X7).
    const plan: Array<[string, number, number]> = [[N1, 1, 1], [N2, 5, 2], [N1, 2, 3], [N2, 6, 4], [N1, 3, 5], [N2, 7, 6], [N1, 4, 7]];
    for (const [number, party, minute] of plan) await w.deliver(sms(w.enterpriseId, 'inbound', number, X(party), `hello from ${party}`, t(minute)));
    await w.deliver(sms(w.enterpriseId, 'outbound', N1, X(1), 'Back to you, 1', t(8)));

    const pages = await allPages((continuationToken) => w.conversations.list(uma, w.enterpriseId, { pageSize: 3, ...(continuationToken ? { continuationToken } : {}) }));
    expect(pages.map((items) => items.map((c) => c.externalNumber))).toEqual([
      [X(1), X(4), X(7)],
      [X(3), X(6), X(2)],
      [X(5)],
    ]);
    expect(pages[0]![0]).toEqual({
      id: conversationIdOf(N1, X(1)),
      enterpriseNumber: N1,
      externalNumber: X(1),
      contactName: null,
      lastMessageAt: t(8),
      lastPreview: 'Back to you, 1',
      lastDirection: 'outbound',
      lastStatus: 'sent',
      messageCount: 2,
      unreadCount: 1,
    });

    const onlyN2 = await w.conversations.list(uma, w.enterpriseId, { number: '+1 415 555 0602' });
    expect(onlyN2.items.map((c) => c.externalNumber)).toEqual([X(7), X(6), X(5)]);
    expect(onlyN2.continuationToken).toBeUndefined();
    // Nobody's numbers: nothing, and no token.
    expect(await w.conversations.list(w.person('jane'), w.enterpriseId)).toEqual({ items: [] });
  });

  it("merges the enterprise-wide index's shards for administrators: every conversation once, newest first, in pages, and searched", async () => {
    const w = await world();
    const numbers = [N1, N2, G];
    const parties = Array.from({ length: 24 }, (_, i) => ({ number: numbers[i % 3]!, party: X(10 + i), minute: i }));
    for (const { number, party, minute } of parties) await w.deliver(sms(w.enterpriseId, 'inbound', number, party, `order ${minute} ready`, t(minute)));
    // A reply moves the oldest conversation to the top; its old position goes.
    await w.deliver(sms(w.enterpriseId, 'outbound', N1, X(10), 'order 0 on its way', t(30)));

    const newestFirst = [X(10), ...parties.slice(1).reverse().map((p) => p.party)];
    const pages = await allPages((continuationToken) => w.conversations.list(w.admin, w.enterpriseId, { pageSize: 5, ...(continuationToken ? { continuationToken } : {}) }));
    expect(pages.map((items) => items.length)).toEqual([5, 5, 5, 5, 4]);
    expect(pages.flat().map((c) => c.externalNumber)).toEqual(newestFirst);

    // Spread over several partitions, with each conversation's one list position in exactly one.
    const partitionsOfPositions = new Map<string, string[]>();
    for (const partition of enterprisePartitions(w.enterpriseId)) {
      for await (const row of w.store.client(CONVERSATION_INDEX_TABLE).listEntities({ queryOptions: { filter: `PartitionKey eq '${escapeKey(partition)}'` } })) {
        if (!row.rowKey!.startsWith(RECENT_PREFIX)) continue;
        partitionsOfPositions.set(String(row.conversationId), [...(partitionsOfPositions.get(String(row.conversationId)) ?? []), partition]);
      }
    }
    expect(partitionsOfPositions.size).toBe(24);
    expect([...partitionsOfPositions.values()].every((found) => found.length === 1)).toBe(true);
    expect(new Set([...partitionsOfPositions.values()].flat()).size).toBeGreaterThan(4);

    const hits = await allPages((continuationToken) => w.conversations.search(w.admin, w.enterpriseId, { q: 'ready', pageSize: 7, ...(continuationToken ? { continuationToken } : {}) }));
    expect(hits.flat().map((hit) => hit.message.body)).toEqual([...parties].reverse().map((p) => `order ${p.minute} ready`));
    expect((await w.conversations.search(w.admin, w.enterpriseId, { q: 'on its way' })).items.map((hit) => hit.externalNumber)).toEqual([X(10)]);
  });

  it('pages a conversation history newest first, with full messages', async () => {
    const w = await world();
    const uma = w.person('uma');
    const sent: SmsMessage[] = [];
    for (let i = 0; i < 5; i++) sent.push(await w.deliver(sms(w.enterpriseId, i % 2 ? 'outbound' : 'inbound', N1, X(1), `message ${i}`, t(i))));
    const id = conversationIdOf(N1, X(1));
    const pages = await allPages((continuationToken) => w.conversations.history(uma, w.enterpriseId, id, { pageSize: 2, ...(continuationToken ? { continuationToken } : {}) }));
    expect(pages.map((items) => items.map((m) => m.body))).toEqual([['message 4', 'message 3'], ['message 2', 'message 1'], ['message 0']]);
    const first = await w.conversations.history(uma, w.enterpriseId, id, { pageSize: 2 });
    expect(first.conversation).toMatchObject({ id, messageCount: 5, unreadCount: 3 });
    expect(first.items[1]).toEqual({
      id: sent[3]!.id,
      direction: 'outbound',
      from: N1,
      to: X(1),
      body: 'message 3',
      media: [],
      status: 'sent',
      statusHistory: [{ status: 'sent', at: t(3) }],
      errorCode: null,
      failureReason: null,
      segments: 1,
      encoding: 'GSM-7',
      sentBy: 'uma',
      sentByName: 'Uma User',
      createdAt: t(3),
    });
  });

  it('counts a message recorded twice once, also after a crash before its history pointer; a late older message counts but is not the last', async () => {
    const w = await world();
    const uma = w.person('uma');
    const id = conversationIdOf(N1, X(1));
    const first = await w.deliver(sms(w.enterpriseId, 'inbound', N1, X(1), 'first', t(10)));
    await w.conversations.recordMessage(first);
    await w.conversations.recordMessage(first);
    expect((await w.conversations.repository.get(w.enterpriseId, id))!.value).toMatchObject({ messageCount: 1, inboundCount: 1 });

    // A crash after the counts but before the pointer: the pointer is missing, the retry must not count again.
    await w.store.client(CONVERSATION_INDEX_TABLE).deleteEntity(escapeKey(historyPartition(w.enterpriseId, id)), `${historyPrefix(id)}${messageKey(first.createdAt, first.id)}`);
    await w.conversations.recordMessage(first);
    expect((await w.conversations.repository.get(w.enterpriseId, id))!.value).toMatchObject({ messageCount: 1, inboundCount: 1 });
    expect((await w.conversations.history(uma, w.enterpriseId, id)).items.map((m) => m.id)).toEqual([first.id]);

    const late = await w.deliver(sms(w.enterpriseId, 'outbound', N1, X(1), 'sent earlier, recorded later', t(5)));
    const stored = (await w.conversations.repository.get(w.enterpriseId, id))!.value;
    expect(stored).toMatchObject({ messageCount: 2, inboundCount: 1, lastMessageId: first.id, lastPreview: 'first', lastMessageAt: t(10) });
    expect((await w.conversations.history(uma, w.enterpriseId, id)).items.map((m) => m.id)).toEqual([first.id, late.id]);
  });

  it('creates a conversation it does not know without reading it first, and gets it right when another server had made it', async () => {
    const w = await world();
    const id = conversationIdOf(N1, X(1));
    const listRows = async () => (await indexRowKeys(w, N1)).filter((key) => key.startsWith(RECENT_PREFIX));
    const m1 = sms(w.enterpriseId, 'inbound', N1, X(1), 'first', t(2));
    // Both partitions' index rows, the conversation row and the history row: no read of a row that is not there.
    expect(await requestsToRecord(w, m1)).toBe(4);

    // Servers that never saw it: a newer message, then an older one, then the older one again.
    const m2 = sms(w.enterpriseId, 'outbound', N1, X(1), 'second', t(3));
    const m0 = sms(w.enterpriseId, 'inbound', N1, X(1), 'before them', t(1));
    for (const message of [m2, m0]) await w.messages.create(message);
    await w.withOptions({}).recordMessage(m2);
    await w.withOptions({}).recordMessage(m0);
    await w.withOptions({}).recordMessage(m0);
    expect((await w.conversations.repository.get(w.enterpriseId, id))!.value).toMatchObject({ messageCount: 3, inboundCount: 2, lastMessageId: m2.id, lastPreview: 'second' });
    // One list position, the newest: the guesses' positions were removed.
    expect(await listRows()).toEqual([`${RECENT_PREFIX}${recentKey(t(3), id)}`]);
    const history = await w.conversations.history(w.person('uma'), w.enterpriseId, id);
    expect(history.items.map((m) => m.id)).toEqual([m2.id, m1.id, m0.id]);

    // Long after (more newer messages than the row remembers): a server that does not know the
    // conversation records the oldest again. Its history row says it is done: nothing changes.
    const later = Array.from({ length: 33 }, (_, i) => sms(w.enterpriseId, 'inbound', N1, X(1), `later ${i}`, t(10 + i)));
    for (const message of later) await w.deliver(message);
    const before = (await w.conversations.repository.get(w.enterpriseId, id))!.value;
    await w.withOptions({}).recordMessage(m0);
    expect((await w.conversations.repository.get(w.enterpriseId, id))!.value).toMatchObject({ messageCount: before.messageCount, lastMessageId: later.at(-1)!.id });
    expect(await listRows()).toEqual([`${RECENT_PREFIX}${recentKey(t(42), id)}`]);
  });

  it('writes a message\'s index rows of one partition together: a reply in a known conversation takes five storage requests', async () => {
    const w = await world();
    const uma = w.person('uma');
    const id = conversationIdOf(N1, X(1));
    await w.deliver(sms(w.enterpriseId, 'inbound', N1, X(1), 'first', t(1)));
    const reply = sms(w.enterpriseId, 'outbound', N1, X(1), 'the reply', t(2));
    // The number's partition: timeline row + new list position, then history row + old position removed;
    // the enterprise-wide partition: the same minus history; and the conversation row. One at a time, it took eight.
    expect(await requestsToRecord(w, reply)).toBe(5);
    const index = await indexRowKeys(w, N1);
    expect(index.filter((key) => key.startsWith(RECENT_PREFIX))).toEqual([`${RECENT_PREFIX}${recentKey(t(2), id)}`]);
    expect(index.filter((key) => key.startsWith(historyPrefix(id)))).toHaveLength(2);
    expect((await w.conversations.history(uma, w.enterpriseId, id)).items.map((m) => m.body)).toEqual(['the reply', 'first']);
    expect((await w.conversations.search(uma, w.enterpriseId, { q: 'reply' })).items.map((hit) => hit.message.body)).toEqual(['the reply']);
  });

  it('skips and removes index rows a crash left behind, listing each conversation once', async () => {
    const w = await world();
    const uma = w.person('uma');
    const id = conversationIdOf(N1, X(1));
    await w.deliver(sms(w.enterpriseId, 'inbound', N1, X(1), 'old', t(1)));
    await w.deliver(sms(w.enterpriseId, 'inbound', N1, X(2), 'middle', t(2)));
    await w.deliver(sms(w.enterpriseId, 'inbound', N1, X(1), 'new', t(3)));
    // What an interrupted move leaves: the old position of X1 (older than its last message) ...
    const stale = `${RECENT_PREFIX}${recentKey(t(1), id)}`;
    await w.store.client(CONVERSATION_INDEX_TABLE).createEntity({ partitionKey: escapeKey(numberPartition(w.enterpriseId, N1)), rowKey: stale, conversationId: id, lastMessageAt: t(1) });
    // ... and a position newer than the conversation (a message being recorded right now).
    const inFlight = `${RECENT_PREFIX}${recentKey(t(9), id)}`;
    await w.store.client(CONVERSATION_INDEX_TABLE).createEntity({ partitionKey: escapeKey(numberPartition(w.enterpriseId, N1)), rowKey: inFlight, conversationId: id, lastMessageAt: t(9) });

    const page = await w.conversations.list(uma, w.enterpriseId, { number: N1 });
    expect(page.items.map((c) => [c.externalNumber, c.lastPreview])).toEqual([
      [X(1), 'new'],
      [X(2), 'middle'],
    ]);
    const rows = async () => {
      const keys: string[] = [];
      for await (const row of w.store.client(CONVERSATION_INDEX_TABLE).listEntities({ queryOptions: { filter: `PartitionKey eq '${numberPartition(w.enterpriseId, N1)}'` } })) keys.push(row.rowKey!);
      return keys;
    };
    expect(await rows()).not.toContain(stale);
    expect(await rows()).toContain(inFlight);
  });

  it('counts unread per user; markRead clears it; the badge sums the caller\'s conversations; group members read separately', async () => {
    const w = await world();
    const uma = w.person('uma');
    const id1 = conversationIdOf(N1, X(1));
    for (let i = 0; i < 3; i++) await w.deliver(sms(w.enterpriseId, 'inbound', N1, X(1), `in ${i}`, t(i)));
    await w.deliver(sms(w.enterpriseId, 'outbound', N1, X(1), 'out', t(3)));
    await w.deliver(sms(w.enterpriseId, 'inbound', N2, X(2), 'other', t(4)));
    await w.deliver(sms(w.enterpriseId, 'inbound', G, X(3), 'to the group', t(5)));

    expect((await w.conversations.list(uma, w.enterpriseId)).items.map((c) => [c.externalNumber, c.unreadCount])).toEqual([
      [X(2), 1],
      [X(1), 3],
    ]);
    expect(await w.conversations.unreadTotal(uma, w.enterpriseId)).toEqual({ unread: 4, conversations: 2 });

    expect(await w.conversations.markRead(uma, w.enterpriseId, id1)).toMatchObject({ id: id1, unreadCount: 0, messageCount: 4 });
    expect(await w.conversations.markRead(uma, w.enterpriseId, id1)).toMatchObject({ unreadCount: 0 });
    expect(await w.conversations.unreadTotal(uma, w.enterpriseId)).toEqual({ unread: 1, conversations: 1 });
    await w.deliver(sms(w.enterpriseId, 'inbound', N1, X(1), 'one more', t(6)));
    expect(await w.conversations.unreadTotal(uma, w.enterpriseId)).toEqual({ unread: 2, conversations: 2 });
    expect((await w.conversations.list(uma, w.enterpriseId, { number: N1 })).items[0]).toMatchObject({ externalNumber: X(1), unreadCount: 1 });

    const groupId = conversationIdOf(G, X(3));
    expect(await w.conversations.unreadTotal(w.person('mike'), w.enterpriseId)).toEqual({ unread: 1, conversations: 1 });
    await w.conversations.markRead(w.person('mike'), w.enterpriseId, groupId);
    expect(await w.conversations.unreadTotal(w.person('mike'), w.enterpriseId)).toEqual({ unread: 0, conversations: 0 });
    expect(await w.conversations.unreadTotal(w.person('olga'), w.enterpriseId)).toEqual({ unread: 1, conversations: 1 });
    // Administrators: every conversation by default, their own numbers (none) with scope "mine".
    expect(await w.conversations.unreadTotal(w.admin, w.enterpriseId)).toEqual({ unread: 6, conversations: 3 });
    expect(await w.conversations.unreadTotal(w.admin, w.enterpriseId, { scope: 'mine' })).toEqual({ unread: 0, conversations: 0 });
  });

  it("shows a group number's conversations to its members, not to others; administrators see all", async () => {
    const w = await world();
    const groupId = conversationIdOf(G, X(3));
    await w.deliver(sms(w.enterpriseId, 'inbound', G, X(3), 'to the group', t(1)));
    await w.deliver(sms(w.enterpriseId, 'inbound', N1, X(1), 'to Uma', t(2)));

    expect((await w.conversations.list(w.person('mike'), w.enterpriseId)).items.map((c) => c.id)).toEqual([groupId]);
    expect((await w.conversations.list(w.person('olga'), w.enterpriseId)).items.map((c) => c.id)).toEqual([groupId]);
    expect((await w.conversations.history(w.person('mike'), w.enterpriseId, groupId)).items.map((m) => m.body)).toEqual(['to the group']);

    const jane = w.person('jane');
    expect((await w.conversations.list(jane, w.enterpriseId)).items).toEqual([]);
    expect(await rejection(w.conversations.history(jane, w.enterpriseId, groupId))).toBeInstanceOf(NotFoundError);
    expect(await rejection(w.conversations.markRead(jane, w.enterpriseId, groupId))).toBeInstanceOf(NotFoundError);
    const notHers = await rejection(w.conversations.list(jane, w.enterpriseId, { number: G }));
    expect(notHers).toBeInstanceOf(ForbiddenError);
    expect(notHers.message).toContain('You do not hold +1 415 555 0603');
    expect((await w.conversations.search(jane, w.enterpriseId, { q: 'group' })).items).toEqual([]);
    // Uma does not see the group's conversation either.
    expect((await w.conversations.list(w.person('uma'), w.enterpriseId)).items.map((c) => c.externalNumber)).toEqual([X(1)]);

    expect((await w.conversations.list(w.admin, w.enterpriseId)).items.map((c) => c.externalNumber)).toEqual([X(1), X(3)]);
    expect((await w.conversations.list(w.admin, w.enterpriseId, { scope: 'mine' })).items).toEqual([]);
    expect((await w.conversations.list(w.admin, w.enterpriseId, { number: G })).items.map((c) => c.id)).toEqual([groupId]);
    expect((await w.conversations.history(w.admin, w.enterpriseId, groupId)).items).toHaveLength(1);
  });

  it('answers 404 to other enterprises, and 403 to provider admins the enterprise has not let in', async () => {
    const w = await world();
    const id = conversationIdOf(N1, X(1));
    await w.deliver(sms(w.enterpriseId, 'inbound', N1, X(1), 'hello', t(1)));
    const stranger: Principal = { userId: 'uma', name: 'Uma', tenantId: 'other', role: 'global-admin', enterpriseId: 'fabrikam' };
    for (const attempt of [
      w.conversations.list(stranger, w.enterpriseId),
      w.conversations.history(stranger, w.enterpriseId, id),
      w.conversations.markRead(stranger, w.enterpriseId, id),
      w.conversations.unreadTotal(stranger, w.enterpriseId),
      w.conversations.search(stranger, w.enterpriseId, { q: 'hello' }),
    ]) {
      const error = await rejection(attempt);
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error.message).toBe(`No enterprise with id "${w.enterpriseId}".`);
    }
    expect(await rejection(w.conversations.history(w.person('uma'), w.enterpriseId, '14155550601_14155550899'))).toBeInstanceOf(NotFoundError);

    const provider: Principal = { userId: 'pat', name: 'Pat', tenantId: 'prov', role: 'provider-admin', providerId: 'prov' };
    expect(await rejection(w.conversations.list(provider, w.enterpriseId))).toBeInstanceOf(ForbiddenError);
    const enterprise = (await w.services.enterpriseRepository.byId(w.enterpriseId))!;
    await w.services.enterpriseRepository.update(enterprise, { ...enterprise.value, settings: { ...enterprise.value.settings, allowProviderManagement: true } });
    expect((await w.conversations.list(provider, w.enterpriseId)).items.map((c) => c.id)).toEqual([id]);
  });

  it('searches bodies (ignoring case and accents), contact names and numbers, newest first, in pages', async () => {
    const w = await world();
    const uma = w.person('uma');
    await w.deliver(sms(w.enterpriseId, 'inbound', N1, X(1), 'Your Café order is ready', t(1)));
    await w.deliver(sms(w.enterpriseId, 'inbound', N1, X(2), 'Running late, sorry', t(2)));
    await w.deliver(sms(w.enterpriseId, 'outbound', N2, X(3), 'The cafe is closed today', t(3)));
    await w.deliver(sms(w.enterpriseId, 'outbound', N1, X(2), 'No problem', t(4)));
    await w.deliver(sms(w.enterpriseId, 'inbound', G, X(4), 'cafe for the group', t(5)));
    await w.deliver(sms(w.enterpriseId, 'inbound', N1, X(5), 'unrelated', t(6)));
    await w.contacts.save(uma, w.enterpriseId, { scope: 'personal', number: X(2), name: 'Bob Builder' });
    await w.contacts.save(w.admin, w.enterpriseId, { scope: 'enterprise', number: X(3), name: 'Corner Café' });

    const byBody = await w.conversations.search(uma, w.enterpriseId, { q: 'CAFÉ' });
    // The group's message is not Uma's; X3 also matches by its contact name, but its body matched first.
    expect(byBody.items.map((hit) => [hit.message.body, hit.matchedOn, hit.contactName])).toEqual([
      ['The cafe is closed today', 'body', 'Corner Café'],
      ['Your Café order is ready', 'body', null],
    ]);
    expect(byBody.continuationToken).toBeUndefined();
    expect(byBody.searchedThrough).toBe(t(1));
    expect(byBody.items[0]).toMatchObject({ conversationId: conversationIdOf(N2, X(3)), enterpriseNumber: N2, externalNumber: X(3) });

    const byName = await w.conversations.search(uma, w.enterpriseId, { q: 'bob' });
    expect(byName.items.map((hit) => [hit.message.body, hit.matchedOn, hit.contactName])).toEqual([
      ['No problem', 'contact', 'Bob Builder'],
      ['Running late, sorry', 'contact', 'Bob Builder'],
    ]);
    const byDigits = await w.conversations.search(uma, w.enterpriseId, { q: '555 0805' });
    expect(byDigits.items.map((hit) => [hit.message.body, hit.matchedOn])).toEqual([['unrelated', 'number']]);
    expect((await w.conversations.search(uma, w.enterpriseId, { q: 'cafe', number: N2 })).items.map((hit) => hit.message.body)).toEqual(['The cafe is closed today']);

    const paged = await allPages((continuationToken) => w.conversations.search(uma, w.enterpriseId, { q: 'cafe', pageSize: 1, ...(continuationToken ? { continuationToken } : {}) }));
    expect(paged.map((items) => items.map((hit) => hit.message.body))).toEqual([['The cafe is closed today'], ['Your Café order is ready']]);

    // Each request reads a bounded number of messages: short (even empty) pages, a token to go on, the same hits in the end.
    const bounded = w.withOptions({ searchScanLimit: 2 });
    const first = await bounded.search(uma, w.enterpriseId, { q: 'cafe' });
    expect(first.items).toEqual([]);
    expect(first.searchedThrough).toBe(t(4));
    expect(first.continuationToken).toEqual(expect.any(String));
    const boundedPages = await allPages((continuationToken) => bounded.search(uma, w.enterpriseId, { q: 'cafe', ...(continuationToken ? { continuationToken } : {}) }));
    expect(boundedPages.flat().map((hit) => hit.message.body)).toEqual(['The cafe is closed today', 'Your Café order is ready']);
    expect(boundedPages.length).toBeGreaterThan(1);

    // Administrators search the whole enterprise.
    expect((await w.conversations.search(w.admin, w.enterpriseId, { q: 'cafe' })).items.map((hit) => hit.message.body)).toEqual([
      'cafe for the group',
      'The cafe is closed today',
      'Your Café order is ready',
    ]);
    const tooShort = await rejection(w.conversations.search(uma, w.enterpriseId, { q: 'c' }));
    expect(tooShort).toBeInstanceOf(ValidationError);
    expect((tooShort as ValidationError).details).toEqual([{ path: 'q', message: 'Search for at least 2 characters (q).' }]);
  });

  it('refuses damaged continuation tokens, and tokens of another list, with 400 naming continuationToken', async () => {
    const w = await world();
    const uma = w.person('uma');
    const id = conversationIdOf(N1, X(1));
    await w.deliver(sms(w.enterpriseId, 'inbound', N1, X(1), 'hello', t(1)));
    const historyToken = encodeCursor(messageKey(t(1), 'x'));
    const listToken = encodeCursor(recentKey(t(1), id));
    for (const attempt of [
      w.conversations.list(uma, w.enterpriseId, { continuationToken: 'not-a-token' }),
      w.conversations.list(uma, w.enterpriseId, { continuationToken: Buffer.from('{"v":1,"k":"\' or 1 eq 1"}').toString('base64url') }),
      w.conversations.list(uma, w.enterpriseId, { continuationToken: historyToken }),
      w.conversations.history(uma, w.enterpriseId, id, { continuationToken: listToken }),
      w.conversations.history(uma, w.enterpriseId, id, { continuationToken: '%%%' }),
      w.conversations.search(uma, w.enterpriseId, { q: 'hello', continuationToken: 'eyJ2IjoyfQ' }),
    ]) {
      const error = await rejection(attempt);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).status).toBe(400);
      expect((error as ValidationError).details).toEqual([{ path: 'continuationToken', message: expect.stringContaining('omit it to start from the first page') }]);
    }
    // Good tokens of the right list are accepted.
    expect((await w.conversations.list(uma, w.enterpriseId, { continuationToken: listToken })).items).toEqual([]);
  });

  it('keeps the last status current and previews media and long bodies', async () => {
    const w = await world();
    const id = conversationIdOf(N1, X(1));
    const older = await w.deliver(sms(w.enterpriseId, 'outbound', N1, X(1), 'older', t(1)));
    const last = await w.deliver(sms(w.enterpriseId, 'outbound', N1, X(1), 'x'.repeat(300), t(2)));
    await w.conversations.recordStatus({ ...older, status: 'failed' });
    expect((await w.conversations.repository.get(w.enterpriseId, id))!.value.lastStatus).toBe('sent');
    await w.conversations.recordStatus({ ...last, status: 'delivered' });
    const stored = (await w.conversations.repository.get(w.enterpriseId, id))!.value;
    expect(stored.lastStatus).toBe('delivered');
    expect(stored.lastPreview).toBe(`${'x'.repeat(119)}…`);

    await w.deliver(sms(w.enterpriseId, 'inbound', N1, X(2), '', t(3), { media: [{ url: 'https://m/1', contentType: 'image/jpeg' }] }));
    await w.deliver(sms(w.enterpriseId, 'inbound', N1, X(3), '  ', t(4), { media: [{ url: 'https://m/2', contentType: 'image/png' }, { url: 'https://m/3', contentType: 'image/gif' }] }));
    await w.deliver(sms(w.enterpriseId, 'inbound', N1, X(4), '', t(5), { media: [{ url: 'https://m/4', contentType: 'image/png' }, { url: 'https://m/5', contentType: 'application/pdf' }] }));
    const previews = (await w.conversations.list(w.person('uma'), w.enterpriseId)).items.map((c) => c.lastPreview);
    expect(previews.slice(0, 3)).toEqual(['[2 attachments]', '[2 photos]', '[photo]']);
  });

  it('keeps the latest of the statuses reported before and while its message is recorded, reading nothing for them', async () => {
    const w = await world();
    const id = conversationIdOf(N1, X(1));
    const message = sms(w.enterpriseId, 'outbound', N1, X(1), 'on our way', t(1), { status: 'queued' });
    await w.messages.create(message);
    const counter = countRequests(w.store);
    // Announced (the send was accepted here): no row to read yet, the recording takes the status.
    await w.conversations.recordStatus({ ...message, status: 'sent' }, { recordComing: true });
    expect(counter.requests()).toBe(0);
    counter.stop();
    const recording = w.conversations.recordMessage(message);
    // While the recording writes: the later report rides along, an earlier one arriving late never wins.
    await w.conversations.recordStatus({ ...message, status: 'delivered' });
    await w.conversations.recordStatus({ ...message, status: 'sent' });
    await recording;
    expect((await w.conversations.repository.get(w.enterpriseId, id))!.value).toMatchObject({ lastMessageId: message.id, lastStatus: 'delivered', messageCount: 1 });
    // Recorded: reports update the row as before.
    await w.conversations.recordStatus({ ...message, status: 'failed' });
    expect((await w.conversations.repository.get(w.enterpriseId, id))!.value.lastStatus).toBe('failed');
  });

  it('counts every message once when many are recorded at once by two processes sharing transactions, with history, lists and unread right', async () => {
    const w = await world();
    const uma = w.person('uma');
    // A second server on the same storage: its own Conversations, with its own remembered rows.
    const other = w.withOptions({});
    const burst = Array.from({ length: 40 }, (_, i) => {
      const number = i % 2 === 0 ? N1 : N2;
      const party = X(i % 5);
      return { conversationId: conversationIdOf(number, party), message: sms(w.enterpriseId, i % 4 === 3 ? 'outbound' : 'inbound', number, party, `burst ${i}`, t(i)) };
    });
    for (const { message } of burst) await w.messages.create(message);
    // Every message recorded by both processes at once (a redelivery racing the first recording), newest first.
    await Promise.all([...burst].reverse().flatMap(({ message }) => [w.conversations.recordMessage(message), other.recordMessage(message)]));
    const list = await w.conversations.list(uma, w.enterpriseId, { pageSize: 50 });
    expect(list.items.map((c) => c.id).sort()).toEqual([...new Set(burst.map((b) => b.conversationId))].sort());
    expect(list.items.map((c) => c.lastMessageAt)).toEqual([...list.items.map((c) => c.lastMessageAt)].sort().reverse());
    let unread = 0;
    for (const c of list.items) {
      const own = burst.filter((b) => b.conversationId === c.id).map((b) => b.message);
      expect(c).toMatchObject({ messageCount: own.length, unreadCount: own.filter((m) => m.direction === 'inbound').length, lastPreview: own[own.length - 1]!.body });
      const history = (await allPages((token) => w.conversations.history(uma, w.enterpriseId, c.id, { pageSize: 3, ...(token ? { continuationToken: token } : {}) }))).flat();
      expect(history.map((m) => m.id)).toEqual(own.map((m) => m.id).reverse());
      unread += c.unreadCount;
    }
    expect(await w.conversations.unreadTotal(uma, w.enterpriseId)).toEqual({ unread, conversations: list.items.length });
  });
});
