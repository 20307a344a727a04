import { cardActionSchema } from '../src/teams/cards/card-actions';
import { createTeamsAdapter } from '../src/teams/adapter';
import { loadConfig } from '../src/config';
import { conversationReferenceOf } from '../src/teams/delivery';
import { devTokens } from './support/dev-sign-in';
import { call } from './support/http';
import { cardOf, ENTERPRISE, TENANT, TeamsChatFixture, textsOf, type TeamsPerson } from './support/teams-chat';

/**
 * Inbound SMS into Teams chats end to end: a signed carrier webhook to the real server,
 * routing, the durable delivery record, and the proactive card at the loopback Bot
 * Connector (which also plays Teams' throttling and blocking, and counts its limits).
 */
describe('Teams delivery of SMS', () => {
  let chat: TeamsChatFixture;
  let jane: TeamsPerson;
  const JANE_NUMBER = '+14255550150';
  const CUSTOMER = '+12065550123';

  beforeAll(async () => {
    chat = await TeamsChatFixture.start();
    jane = await chat.person('Jane Doe');
    await chat.number(JANE_NUMBER, { type: 'user', id: jane.userId, name: jane.name });
    await chat.install(jane);
  });
  afterAll(async () => {
    await chat?.stop();
  });
  beforeEach(() => chat.connector.reset());

  const cardsIn = (conversationId: string) => chat.connector.activitiesIn(conversationId).map(cardOf);
  const deliveryOf = (messageId: string, userId: string) => chat.services.teams.deliveries.get(ENTERPRISE, `${messageId}|${userId}`).then((s) => s?.value);

  it('posts an inbound SMS as a card with the sender, text, media, time, number and the three actions', async () => {
    const principal = { userId: jane.userId, name: jane.name, tenantId: TENANT, role: 'user' as const, enterpriseId: ENTERPRISE };
    await chat.services.contacts.save(principal, ENTERPRISE, { name: 'Carla Customer', number: CUSTOMER });
    const messageId = await chat.textIn({
      from: CUSTOMER,
      to: JANE_NUMBER,
      text: 'Is my order ready?',
      media: [
        { url: 'https://media.example.com/photo.jpg', content_type: 'image/jpeg' },
        { url: 'https://media.example.com/invoice.pdf', content_type: 'application/pdf' },
      ],
    });
    await chat.connector.waitFor(() => chat.connector.sent.length >= 1);
    await chat.settle();

    expect(chat.connector.unexpected).toEqual([]);
    const [posted] = chat.connector.activitiesIn(jane.conversationId);
    expect(posted).toBeDefined();
    expect(posted!.replyToId).toBeUndefined(); // proactive, not a reply
    expect(posted!.body.summary).toBe('SMS from Carla Customer: Is my order ready?');
    const card = cardOf(posted!);
    const texts = textsOf(card);
    expect(texts).toEqual(
      expect.arrayContaining(['Carla Customer', '+1 206 555 0123', 'Is my order ready?', 'To +1 425 555 0150', expect.stringMatching(/^\{\{DATE\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, SHORT\)\}\} \{\{TIME\(/), expect.stringMatching(/^\[PDF \(attachment 2\)\]\(https:\/\/media\.example\.com\/invoice\.pdf\)$/)]),
    );
    const imageSet = card.body.find((element: { type: string }) => element.type === 'ImageSet');
    expect(imageSet.images.map((image: { url: string }) => image.url)).toEqual(['https://media.example.com/photo.jpg']);
    expect(card.body).toContainEqual(expect.objectContaining({ type: 'Input.Text', id: 'replyText' }));

    // The buttons carry exactly the data the card handlers accept.
    const [reply, show, save] = card.actions;
    expect(reply).toMatchObject({ type: 'Action.Submit', title: 'Reply' });
    expect(cardActionSchema.parse(reply.data)).toEqual({ switchboard: 'reply', enterpriseNumber: JANE_NUMBER, externalNumber: CUSTOMER });
    expect(show).toMatchObject({ type: 'Action.Submit', title: 'Show conversation' });
    expect(cardActionSchema.parse(show.data)).toEqual({ switchboard: 'showConversation', enterpriseNumber: JANE_NUMBER, externalNumber: CUSTOMER });
    expect(save).toMatchObject({ type: 'Action.ShowCard', title: 'Save contact' });
    expect(save.card.body).toContainEqual(expect.objectContaining({ type: 'Input.Text', id: 'contactName', value: 'Carla Customer' }));
    expect(cardActionSchema.parse(save.card.actions[0].data)).toEqual({ switchboard: 'saveContact', externalNumber: CUSTOMER });

    expect(await deliveryOf(messageId, jane.userId)).toMatchObject({ state: 'delivered', conversationId: jane.conversationId, activityId: posted!.activityId, attempts: 0 });
  });

  it('delivers an SMS group message to every member', async () => {
    const olga = await chat.person('Olga Owner');
    const mike = await chat.person('Mike Member');
    await chat.group('front-desk', 'Front desk', '+14255550160', [olga, mike]);
    await chat.install(olga);
    await chat.install(mike);
    chat.connector.reset();

    const messageId = await chat.textIn({ from: CUSTOMER, to: '+14255550160', text: 'Are you open today?' });
    await chat.connector.waitFor(() => chat.connector.sent.length >= 2);
    await chat.settle();

    for (const member of [olga, mike]) {
      const cards = cardsIn(member.conversationId);
      expect(cards).toHaveLength(1);
      expect(textsOf(cards[0])).toEqual(expect.arrayContaining(['Are you open today?', 'To Front desk +1 425 555 0160']));
      expect((await deliveryOf(messageId, member.userId))?.state).toBe('delivered');
    }

    // A member's reply from the group number is shown to the other members, not to the sender.
    chat.connector.reset();
    await chat.services.outboundSms.send({ enterpriseId: ENTERPRISE, userId: mike.userId, name: mike.name }, { from: '+14255550160', to: CUSTOMER, body: 'Yes, until 6 pm!', media: [] });
    await chat.connector.waitFor(() => chat.connector.sent.length >= 1);
    await chat.settle();
    expect(cardsIn(mike.conversationId)).toEqual([]);
    const [replyCard] = cardsIn(olga.conversationId);
    expect(textsOf(replyCard)).toEqual(expect.arrayContaining(['Mike Member replied to +1 206 555 0123', 'Yes, until 6 pm!', expect.stringContaining('From Front desk +1 425 555 0160')]));
  });

  it('creates the 1:1 chat when the user has none, then posts into it', async () => {
    const sam = await chat.person('Sam Noinstall');
    await chat.number('+14255550170', { type: 'user', id: sam.userId, name: sam.name });

    const messageId = await chat.textIn({ from: CUSTOMER, to: '+14255550170', text: 'Hello?' });
    await chat.connector.waitFor(() => chat.connector.sent.length >= 1);
    await chat.settle();

    expect(chat.connector.created).toHaveLength(1);
    const created = chat.connector.created[0]!;
    expect(created).toMatchObject({ members: [sam.userId], tenantId: TENANT, isGroup: false });
    expect(created.body).toMatchObject({ bot: { id: '28:bot' }, channelData: { tenant: { id: TENANT } } }); // the bot id an install told us
    expect(textsOf(cardsIn(created.id)[0])).toContain('Hello?');
    expect((await chat.services.teams.installations.personal(ENTERPRISE, sam.userId))?.reference).toMatchObject({ conversationId: created.id, serviceUrl: chat.connector.url, tenantId: TENANT });
    expect((await deliveryOf(messageId, sam.userId))?.state).toBe('delivered');

    // The next message goes to the stored chat without creating another.
    await chat.textIn({ from: CUSTOMER, to: '+14255550170', text: 'Anyone there?' });
    await chat.connector.waitFor(() => chat.connector.activitiesIn(created.id).length >= 2);
    expect(chat.connector.created).toHaveLength(1);
  });

  it('holds the messages of a user Teams will not open a chat with, until they install the app', async () => {
    const una = await chat.person('Una Uninstalled');
    await chat.number('+14255550175', { type: 'user', id: una.userId, name: una.name });
    chat.connector.block(una.userId); // creating a chat with her: 403, as Teams answers when the app is blocked for her

    const messageId = await chat.textIn({ from: CUSTOMER, to: '+14255550175', text: 'Waiting for Una' });
    await chat.settle();
    expect(chat.connector.refused).toEqual([expect.objectContaining({ path: '/v3/conversations', status: 403 })]);
    expect((await deliveryOf(messageId, una.userId))?.state).toBe('held');

    chat.connector.unblock(una.userId);
    await chat.install(una);
    await chat.connector.waitFor(() => chat.connector.activitiesIn(una.conversationId).length >= 2);
    await chat.settle();
    expect(textsOf(cardOf(chat.connector.activitiesIn(una.conversationId)[1]!))).toContain('Waiting for Una');
    expect((await deliveryOf(messageId, una.userId))?.state).toBe('delivered');
  });

  it('retries after a 429 once Retry-After has passed, and delivers once', async () => {
    chat.connector.throttleNext(jane.conversationId, 1);

    const messageId = await chat.textIn({ from: CUSTOMER, to: JANE_NUMBER, text: 'Throttled hello' });
    await chat.connector.waitFor(() => chat.connector.sent.length >= 1);
    await chat.settle();

    expect(chat.connector.refused).toEqual([expect.objectContaining({ status: 429, conversationId: jane.conversationId })]);
    const cards = cardsIn(jane.conversationId);
    expect(cards.map((card) => textsOf(card).includes('Throttled hello'))).toEqual([true]);
    // Not before Retry-After (1 s) had passed.
    expect(chat.connector.sent[0]!.at - chat.connector.refused[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(await deliveryOf(messageId, jane.userId)).toMatchObject({ state: 'delivered', attempts: 1 });
  });

  it('keeps a burst to one user within Teams limits, each message posted once', async () => {
    const texts = Array.from({ length: 30 }, (_, i) => `Burst message ${i + 1}`);
    for (const text of texts) await chat.textIn({ from: CUSTOMER, to: JANE_NUMBER, text });
    await chat.connector.waitFor(() => chat.connector.activitiesIn(jane.conversationId).length >= 30, 60_000);
    await chat.settle();

    expect(chat.connector.breaches).toEqual([]);
    expect(chat.connector.refused).toEqual([]);
    const bodies = cardsIn(jane.conversationId).map((card) => textsOf(card).find((text) => text.startsWith('Burst message')));
    // Messages routed side by side may swap places; none is lost or posted twice.
    expect([...bodies].sort()).toEqual([...texts].sort());
  }, 90_000);

  it('marks a user who blocked the app unreachable, holds their messages, and delivers them in order after they install again', async () => {
    const bob = await chat.person('Bob Blocker');
    await chat.number('+14255550180', { type: 'user', id: bob.userId, name: bob.name });
    await chat.install(bob);
    chat.connector.reset();
    chat.connector.block(bob.conversationId);

    const first = await chat.textIn({ from: CUSTOMER, to: '+14255550180', text: 'First while blocked' });
    await chat.settle();
    expect(chat.connector.refused).toEqual([expect.objectContaining({ status: 403, code: 'ConversationBlockedByUser', conversationId: bob.conversationId })]);
    expect(await deliveryOf(first, bob.userId)).toMatchObject({ state: 'held', reason: expect.stringContaining('ConversationBlockedByUser') });

    const tokens = await devTokens(chat.runtime.url, ['contoso-global-admin'] as const);
    const unreachable = await call(`${chat.runtime.url}/api/admin/enterprises/${ENTERPRISE}/teams/unreachable`, { token: tokens['contoso-global-admin'] });
    expect(unreachable.body.items).toEqual([expect.objectContaining({ userId: bob.userId, displayName: 'Bob Blocker', reason: expect.stringContaining('blocked') })]);

    // Later messages are held without another try.
    const second = await chat.textIn({ from: CUSTOMER, to: '+14255550180', text: 'Second while blocked' });
    await chat.settle();
    expect(chat.connector.refused).toHaveLength(1);
    expect((await deliveryOf(second, bob.userId))?.state).toBe('held');

    // Bob installs the app again: greeted, then both messages, oldest first.
    chat.connector.unblock(bob.conversationId);
    await chat.install(bob);
    await chat.connector.waitFor(() => chat.connector.activitiesIn(bob.conversationId).length >= 3);
    await chat.settle();
    const posted = chat.connector.activitiesIn(bob.conversationId);
    expect(posted[0]!.body.text).toContain('Hi Bob');
    expect(posted.slice(1).map((activity) => textsOf(cardOf(activity)).find((text) => text.includes('while blocked')))).toEqual(['First while blocked', 'Second while blocked']);
    expect((await deliveryOf(first, bob.userId))?.state).toBe('delivered');
    expect((await call(`${chat.runtime.url}/api/admin/enterprises/${ENTERPRISE}/teams/unreachable`, { token: tokens['contoso-global-admin'] })).body.items).toEqual([]);
  });

  it('finds pending deliveries again after a restart (the sweep)', async () => {
    const messageId = await chat.textIn({ from: CUSTOMER, to: JANE_NUMBER, text: 'Left behind by a crash' });
    await chat.settle();
    const lisa = await chat.person('Lisa Later');
    await chat.install(lisa);
    chat.connector.reset();
    // A delivery a process recorded and then died before posting.
    const longAgo = new Date(Date.now() - 10 * 60_000).toISOString();
    const left = { enterpriseId: ENTERPRISE, kind: 'inbound' as const, messageId, state: 'pending' as const, attempts: 0, nextAttemptAt: null, reason: null, conversationId: null, activityId: null, messageAt: longAgo, claimedBy: null, claimUntil: null, deliveredAt: null, createdAt: longAgo, updatedAt: longAgo };
    await chat.services.teams.deliveries.create({ ...left, id: `${messageId}|${lisa.userId}`, userId: lisa.userId });
    // One another process is working on right now (its claim runs): left alone.
    const max = await chat.person('Max Elsewhere');
    await chat.install(max);
    chat.connector.reset();
    await chat.services.teams.deliveries.create({ ...left, id: `${messageId}|${max.userId}`, userId: max.userId, claimedBy: 'another-process', claimUntil: new Date(Date.now() + 60_000).toISOString() });

    expect(await chat.runtime.teamsChat.delivery.sweep()).toBe(1);
    await chat.settle();
    expect(cardsIn(lisa.conversationId).map((card) => textsOf(card).includes('Left behind by a crash'))).toEqual([true]);
    expect((await deliveryOf(messageId, lisa.userId))?.state).toBe('delivered');
    expect(chat.connector.activitiesIn(max.conversationId)).toEqual([]);
    expect((await deliveryOf(messageId, max.userId))?.state).toBe('pending');
    expect(await chat.runtime.teamsChat.delivery.sweep()).toBe(0);
  });

  describe('sent confirmations', () => {
    /** A real turn in Jane's chat, as the chat handler has after a send. */
    async function postConfirmation(body: string, to: { name?: string; number: string }) {
      const message = await chat.services.outboundSms.send({ enterpriseId: ENTERPRISE, userId: jane.userId, name: jane.name, teamsConfirmation: true }, { to: to.number, body, media: [] });
      const adapter = createTeamsAdapter(loadConfig({ NODE_ENV: 'test', AUTH_MODE: 'dev' }));
      const install = await chat.services.teams.installations.personal(ENTERPRISE, jane.userId);
      await adapter.continueConversationAsync('', conversationReferenceOf(install!.reference!), (context) => chat.runtime.teamsChat.confirmations.post(context, message, to));
      return message;
    }
    const headlineOf = (activity: { body: Record<string, any> }) => textsOf(cardOf(activity))[0];

    it('confirms where the message went and updates the card as it is sent and delivered', async () => {
      const message = await postConfirmation('On our way!', { name: 'Carla Customer', number: CUSTOMER });
      expect(chat.connector.sent).toHaveLength(1);
      const posted = chat.connector.sent[0]!;
      expect(headlineOf(posted)).toMatch(/^(Sending|Sent|Delivered) to Carla Customer \+1 206 555 0123$/);

      await chat.connector.waitFor(() => chat.connector.updated.some((u) => headlineOf(u) === 'Delivered to Carla Customer +1 206 555 0123'));
      await chat.runtime.teamsChat.confirmations.settleAll();
      const last = chat.connector.updated[chat.connector.updated.length - 1]!;
      expect(last.replyToId).toBe(posted.activityId); // PUT …/activities/{the confirmation's id}
      expect(last.conversationId).toBe(jane.conversationId);
      expect(textsOf(cardOf(last))).toEqual(expect.arrayContaining(['On our way!', 'Delivered']));
      expect(await chat.services.teams.confirmations.get(ENTERPRISE, message.id)).toMatchObject({ value: { activityId: posted.activityId, shownStatus: 'delivered' } });
    });

    it('says why when the message fails', async () => {
      const unlucky = '+12065550999';
      chat.carrier.markUndeliverable(unlucky, { status: 'failed', errorCode: '30003', errorMessage: 'Unreachable destination handset' });
      await postConfirmation('Your table is ready', { number: unlucky });

      await chat.connector.waitFor(() => chat.connector.updated.some((u) => headlineOf(u) === 'Could not send to +1 206 555 0999'));
      const failed = chat.connector.updated.find((u) => headlineOf(u) === 'Could not send to +1 206 555 0999')!;
      expect(textsOf(cardOf(failed))).toEqual(expect.arrayContaining([expect.stringMatching(/^Failed: /)]));
    });
  });

  it('never breached a per-conversation limit in this run', () => {
    expect(chat.connector.breaches).toEqual([]);
  });
});
