import { randomUUID } from 'node:crypto';
import { devTokens } from './support/dev-sign-in';
import { call, expectError } from './support/http';
import { ENTERPRISE, TENANT, TeamsChatFixture, type TeamsPerson } from './support/teams-chat';

/**
 * Installing the app, as Teams reports it over /api/messages: the conversation reference
 * is stored, the user is greeted with the numbers they can text from (or told they have
 * none yet), and uninstalling is recorded.
 */
describe('Teams app install', () => {
  let chat: TeamsChatFixture;
  let jane: TeamsPerson;
  let nick: TeamsPerson;

  beforeAll(async () => {
    chat = await TeamsChatFixture.start();
    jane = await chat.person('Jane Doe');
    nick = await chat.person('Nick Nonumber');
    await chat.number('+14255550140', { type: 'user', id: jane.userId, name: jane.name });
    await chat.number('+442079460958', { type: 'user', id: jane.userId, name: jane.name });
  });
  afterAll(async () => {
    await chat?.stop();
  });
  beforeEach(() => chat.connector.reset());

  it('greets with the numbers the user can text from and stores the personal conversation reference', async () => {
    const answer = await chat.install(jane);

    expect(answer.status).toBe(200);
    expect(chat.connector.unexpected).toEqual([]);
    expect(chat.connector.sent).toHaveLength(1);
    const greeting = chat.connector.sent[0]!;
    expect(greeting.conversationId).toBe(jane.conversationId);
    expect(greeting.body.text).toContain('Hi Jane');
    expect(greeting.body.text).toContain('You can text from your numbers +1 425 555 0140 and +44 20 7946 0958.');

    const install = await chat.services.teams.installations.personal(ENTERPRISE, jane.userId);
    expect(install).toMatchObject({
      scope: 'personal',
      userId: jane.userId,
      installed: true,
      unreachableSince: null,
      reference: { serviceUrl: chat.connector.url, conversationId: jane.conversationId, conversationType: 'personal', tenantId: TENANT, botId: '28:bot', userTeamsId: jane.teamsId },
    });
  });

  it('tells a user without a number that the admin has not given them one yet', async () => {
    await chat.install(nick);

    expect(chat.connector.sent.map((s) => s.body.text)).toEqual([expect.stringContaining('Your admin has not given you an SMS number yet')]);
    expect(chat.connector.sent[0]!.body.text).toContain('Hi Nick');
    expect((await chat.services.teams.installations.personal(ENTERPRISE, nick.userId))?.installed).toBe(true);
  });

  it('says plainly when the organisation does not use Switchboard, and stores nothing', async () => {
    const stranger = { userId: randomUUID(), name: 'Olivia Outsider', teamsId: '29:outsider', conversationId: 'a:outsider' };
    const otherTenant = randomUUID();
    const activity = chat.activity(stranger, {
      type: 'conversationUpdate',
      membersAdded: [{ id: '28:bot' }],
      conversation: { id: stranger.conversationId, conversationType: 'personal', tenantId: otherTenant },
      channelData: { tenant: { id: otherTenant } },
    });
    expect((await chat.post(activity)).status).toBe(200);

    expect(chat.connector.sent.map((s) => s.body.text)).toEqual([expect.stringContaining('Your organisation does not use Switchboard yet')]);
    expect(await chat.services.teams.installations.personal(ENTERPRISE, stranger.userId)).toBeUndefined();
  });

  it('says so when the directory does not know the user yet', async () => {
    const newcomer = { userId: randomUUID(), name: 'Nora New', teamsId: '29:new', conversationId: 'a:new' };
    await chat.install(newcomer);
    expect(chat.connector.sent.map((s) => s.body.text)).toEqual([expect.stringContaining('I could not find you')]);
  });

  it('stores group chat installs by conversation and greets everyone', async () => {
    const groupChat = `19:${randomUUID()}@thread.v2`;
    await chat.post(chat.activity(jane, { type: 'conversationUpdate', membersAdded: [{ id: '28:bot' }], conversation: { id: groupChat, conversationType: 'groupChat', tenantId: TENANT } }));

    expect(chat.connector.sent.map((s) => [s.conversationId, s.body.text])).toEqual([[groupChat, expect.stringContaining('Hi everyone')]]);
    expect(await chat.services.teams.installations.conversation(ENTERPRISE, groupChat)).toMatchObject({ scope: 'groupChat', installed: true, reference: { conversationId: groupChat, conversationType: 'groupChat' } });
  });

  it('records an uninstall and a later installationUpdate add, without greeting twice', async () => {
    expect((await chat.installationUpdate(jane, 'remove')).status).toBe(200);
    expect(await chat.services.teams.installations.personal(ENTERPRISE, jane.userId)).toMatchObject({ installed: false, uninstalledAt: expect.any(String) });

    expect((await chat.installationUpdate(jane, 'add')).status).toBe(200);
    expect(await chat.services.teams.installations.personal(ENTERPRISE, jane.userId)).toMatchObject({ installed: true });
    // The greeting comes with the conversationUpdate, not the installationUpdate.
    expect(chat.connector.sent).toEqual([]);
  });

  it('lists unreachable users for admins only', async () => {
    await chat.services.teams.installations.markUnreachable(ENTERPRISE, nick.userId, 'Teams refused the message (ConversationBlockedByUser): the user blocked the app or removed it.');
    const tokens = await devTokens(chat.runtime.url, ['contoso-global-admin', 'contoso-user', 'fabrikam-global-admin'] as const);
    const url = `${chat.runtime.url}/api/admin/enterprises/${ENTERPRISE}/teams/unreachable`;

    const answer = await call(url, { token: tokens['contoso-global-admin'] });
    expect(answer.status).toBe(200);
    expect(answer.body.items).toEqual([{ userId: nick.userId, displayName: 'Nick Nonumber', since: expect.any(String), reason: expect.stringContaining('ConversationBlockedByUser'), installed: true }]);

    expectError(await call(url, { token: tokens['contoso-user'] }), 403, 'forbidden');
    expectError(await call(url, { token: tokens['fabrikam-global-admin'] }), 404, 'not_found');

    // Installing again makes them reachable.
    await chat.install(nick);
    expect((await call(url, { token: tokens['contoso-global-admin'] })).body.items).toEqual([]);
  });
});
