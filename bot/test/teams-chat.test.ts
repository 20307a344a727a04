import { randomUUID } from 'node:crypto';
import { GROUP_CHAT_NOTE, UNKNOWN_TENANT_TEXT, UNKNOWN_USER_TEXT } from '../src/teams/chat/chat';
import { BOB, JANE, MARIA, N1, startChatWorld, TENANT, textOf, until, type ChatWorld } from './eval/chat-world';

/**
 * The bot chat without a model (the embedded default: the deterministic parser), over
 * HTTP against the real server, Azurite and the simulator carrier: card replies, plain
 * text continuing the latest conversation, the command forms, every action, the
 * confirmation before texting someone new, opt-outs explained, unknown senders, group chats.
 */
describe('Teams chat: replies, commands and actions (parser)', () => {
  let world: ChatWorld;
  const NEW_1 = '+12065550191';
  const NEW_2 = '+12065550192';
  const OPTED = '+12065550193';
  const LATER = '+12065550194';

  beforeAll(async () => {
    world = await startChatWorld();
    await world.customerTexts(JANE, 'Hi, is my order ready?');
  });
  afterAll(() => world?.stop());

  const cardOf = (activity: { body: Record<string, any> }) => activity.body.attachments?.[0]?.content as Record<string, any> | undefined;
  const confirmationFor = async (replies: Awaited<ReturnType<ChatWorld['say']>>, number: string) => {
    const card = replies.find((a) => textOf(a).includes(number));
    expect(card?.body.attachments?.[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    return card!;
  };

  it('sends a card Reply to that conversation and posts the sent confirmation', async () => {
    const replies = await world.say('', { value: { switchboard: 'reply', enterpriseNumber: N1, externalNumber: JANE, replyText: 'Yes, it is ready for pickup.' } });
    await world.phoneReceived(JANE, 'Yes, it is ready for pickup.');
    const confirmation = await confirmationFor(replies, '+1 206 555 0142');
    expect(textOf(confirmation)).toContain('Jane Doe');
    // An empty reply box sends nothing and says what to do.
    const empty = await world.say('', { value: { switchboard: 'reply', enterpriseNumber: N1, externalNumber: JANE, replyText: '  ' } });
    expect(empty.map(textOf)).toEqual([expect.stringContaining('Write your reply')]);
  });

  it('plain text continues the most recent conversation and says where it went', async () => {
    await world.customerTexts(BOB, 'Can you come on Tuesday?');
    const replies = await world.say('Tuesday at 10 works for us.');
    await world.phoneReceived(BOB, 'Tuesday at 10 works for us.');
    expect(world.received(JANE)).not.toContain('Tuesday at 10 works for us.');
    expect(textOf(await confirmationFor(replies, '+1 206 555 0143'))).toContain('Bob Smith');
  });

  it('handles the slash-free command forms: "text +1…", "sms Jane: …", "reply: …"', async () => {
    await world.say('text +1 (206) 555-0143 Bring the invoice');
    await world.phoneReceived(BOB, 'Bring the invoice');
    await world.say('sms Jane: running late');
    await world.phoneReceived(JANE, 'running late');
    // Jane is now the focus (the last send): "reply:" goes to her.
    await world.say('reply: on my way');
    await world.phoneReceived(JANE, 'on my way');
    await world.say('tell this customer we are outside');
    await world.phoneReceived(JANE, 'we are outside');
  });

  it('a card\'s Show conversation shows the history and makes it the focus', async () => {
    await world.customerTexts(MARIA, 'Is the quote ready?');
    const shown = await world.say('', { value: { switchboard: 'showConversation', enterpriseNumber: N1, externalNumber: BOB } });
    expect(shown).toHaveLength(1);
    const history = textOf(shown[0]!);
    expect(history).toContain('Conversation with Bob Smith');
    expect(history).toContain('Can you come on Tuesday?');
    expect(history).toContain('Tuesday at 10 works for us.');
    // Bob is the focus although Maria wrote last.
    await world.say('See you Tuesday!');
    await world.phoneReceived(BOB, 'See you Tuesday!');
    expect(world.received(MARIA)).toEqual([]);
    // A newer message from Maria moves the focus to her.
    await world.customerTexts(MARIA, 'Hello?');
    await world.say('The quote is attached to your email.');
    await world.phoneReceived(MARIA, 'The quote is attached to your email.');
  });

  it('asks before texting a number never texted, then sends on "yes"; Cancel sends nothing', async () => {
    const asked = await world.say(`text 206-555-0191 Welcome to Contoso!`);
    expect(asked).toHaveLength(1);
    expect(textOf(asked[0]!)).toContain("You haven't texted +1 206 555 0191 before");
    const card = cardOf(asked[0]!)!;
    expect(card.actions.map((a: { title: string }) => a.title)).toEqual(['Send', 'Cancel']);
    expect(world.received(NEW_1)).toEqual([]);
    await world.say('yes');
    await world.phoneReceived(NEW_1, 'Welcome to Contoso!');
    // A second "yes" has nothing waiting: it is a plain message for the focused conversation (now NEW_1).
    expect((await world.say('yes')).length).toBeGreaterThan(0);
    await world.phoneReceived(NEW_1, 'yes');

    const second = await world.say('sms 2065550192: Your appointment is tomorrow');
    const cancel = cardOf(second[0]!)!.actions.find((a: { title: string }) => a.title === 'Cancel').data;
    const cancelled = await world.say('', { value: cancel });
    expect(cancelled.map(textOf)).toEqual(['Cancelled: nothing was sent to +1 206 555 0192.']);
    const send = cardOf(second[0]!)!.actions.find((a: { title: string }) => a.title === 'Send').data;
    const late = await world.say('', { value: send });
    expect(late.map(textOf)).toEqual([expect.stringContaining('already sent or cancelled')]);
    expect(world.received(NEW_2)).toEqual([]);
  });

  it('explains an opt-out instead of sending, and reports the opt-out status', async () => {
    await world.customerTexts(OPTED, 'STOP');
    const refused = await world.say('text +12065550193 one more thing');
    expect(refused.map(textOf)).toEqual([expect.stringMatching(/^I couldn't send that to \+1 206 555 0193: \+1 206 555 0193 replied STOP to \+1 425 555 0711 on \d{4}-\d{2}-\d{2}; they must text START/)]);
    expect(world.received(OPTED).filter((t) => t === 'one more thing')).toEqual([]);
    const status = await world.say('has +1 206 555 0193 opted out?');
    expect(status.map(textOf)).toEqual([expect.stringContaining('+1 206 555 0193 has opted out. +1 206 555 0193 replied STOP')]);
    const fine = await world.say('can I still text Jane?');
    expect(fine.map(textOf)).toEqual(['Jane Doe (+1 206 555 0142) has not opted out: you may text them from +1 425 555 0711.']);
  });

  it('runs find_contact, save_contact, list_conversations and show_conversation', async () => {
    expect((await world.say('find Jane')).map(textOf)).toEqual(['Jane Doe: +1 206 555 0142']);
    expect((await world.say('find Zed')).map(textOf)).toEqual([expect.stringContaining('No contact matches "Zed"')]);
    expect((await world.say('save Dana White 206 555 0194')).map(textOf)).toEqual(['Saved Dana White: +1 206 555 0194.']);
    expect((await world.say('save +1 206 555 0194 as Dana Whitfield')).map(textOf)).toEqual(['Renamed +1 206 555 0194 from Dana White to Dana Whitfield.']);
    // The card's Save contact.
    expect((await world.say('', { value: { switchboard: 'saveContact', externalNumber: OPTED, contactName: 'Olly Opted' } })).map(textOf)).toEqual(['Saved Olly Opted: +1 206 555 0193.']);

    const list = await world.say('list conversations');
    expect(list).toHaveLength(1);
    const listed = textOf(list[0]!);
    for (const name of ['Jane Doe', 'Bob Smith', 'Maria Garcia', 'Olly Opted']) expect(listed).toContain(name);
    expect(listed).toContain('Your recent conversations');

    const shown = await world.say('show conversation with Jane');
    expect(textOf(shown[0]!)).toContain('Conversation with Jane Doe');
    expect(textOf(shown[0]!)).toContain('Hi, is my order ready?');
    expect((await world.say('show conversation with Dana Whitfield')).map(textOf)).toEqual([expect.stringContaining('You have no conversation with Dana Whitfield (+1 206 555 0194) yet')]);
    expect((await world.say('what did +1 206 555 0199 say?')).map(textOf)).toEqual([expect.stringContaining('You have no conversation with +1 206 555 0199 yet')]);
  });

  it('says what it did not understand, sends nothing, and explains bad numbers and unknown names', async () => {
    const sentBefore = world.simulator.requests.length;
    expect((await world.say("what's the weather")).map(textOf)).toEqual([expect.stringContaining('I didn\'t understand "what\'s the weather"')]);
    expect((await world.say('help')).map(textOf)).toEqual([expect.stringContaining('Things you can say')]);
    expect((await world.say('remind Maria her appointment is at 3')).map(textOf)).toEqual([expect.stringContaining('write "reply: remind Maria her appointment is at 3"')]);
    expect((await world.say('text +1 206 555 01 hi')).map(textOf)).toEqual([expect.stringContaining("I can't text that number")]);
    expect((await world.say('sms Zed: hi')).map(textOf)).toEqual([expect.stringContaining('I don\'t have a contact called "Zed"')]);
    expect(world.simulator.requests.length).toBe(sentBefore);
  });

  it('tells someone without a number or a conversation how to start, and sends nothing', async () => {
    expect((await world.say('On my way', { from: world.nina })).map(textOf)).toEqual([expect.stringContaining('There is nobody to reply to. You have no conversation yet')]);
    expect((await world.say('text +12065550195 hello', { from: world.nina })).map(textOf)).toEqual([expect.stringContaining('You have no SMS number to send from')]);
    expect((await world.say('list conversations', { from: world.nina })).map(textOf)).toEqual([expect.stringContaining('You have no conversation yet')]);
  });

  it('answers an unknown tenant and an unknown user plainly', async () => {
    const stranger = { id: randomUUID(), name: 'Sam Stranger' };
    expect((await world.say('text +12065550142 hi', { from: stranger })).map(textOf)).toEqual([UNKNOWN_USER_TEXT]);
    const otherTenant = randomUUID();
    const answer = await world.say('hello', { from: stranger, extra: { channelData: { tenant: { id: otherTenant } }, conversation: { id: `a:personal-${stranger.id}`, conversationType: 'personal', tenantId: otherTenant } } });
    expect(answer.map(textOf)).toEqual([UNKNOWN_TENANT_TEXT]);
  });

  it('in a group chat answers only when mentioned, and never shows conversations there', async () => {
    const group = '19:group-chat@thread.v2';
    const conversation = { id: group, conversationType: 'groupChat', tenantId: TENANT };
    expect(await world.say('list conversations', { conversationId: group, extra: { conversation } })).toEqual([]);
    const mention = { type: 'mention', mentioned: { id: '28:switchboard', name: 'Switchboard' }, text: '<at>Switchboard</at>' };
    const answer = await world.say('<at>Switchboard</at> list conversations', { conversationId: group, extra: { conversation, entities: [mention] } });
    expect(answer.map(textOf)).toEqual([GROUP_CHAT_NOTE]);
    expect(answer.map(textOf).join()).not.toContain('Jane');
  });

  it('keeps the delivery status of a chat send on its confirmation card', async () => {
    await world.say('sms Maria: final check');
    await world.phoneReceived(MARIA, 'final check');
    await until(() => (world.connector.updated.some((u) => textOf(u).includes('+1 206 555 0144') && /delivered/i.test(textOf(u))) ? true : undefined), 'the confirmation to show delivered');
  });

  it('with several numbers, sends to someone new from the number of the conversation in focus', async () => {
    const services = world.runtime.services;
    const n1 = (await services.numberRepository.get('contoso', N1))!;
    // A second number that sorts first: the choice below is the focus's, not the first number.
    await services.numberRepository.create({ ...n1.value, number: '+14255550710' as typeof n1.value.number });
    services.numberCache.invalidate('contoso');
    const asked = await world.say('text +1 206 555 0196 Your table is ready');
    expect(textOf(asked[0]!)).toContain("You haven't texted +1 206 555 0196 before. Send this from +1 425 555 0711?");
    await world.say('yes');
    await world.phoneReceived('+12065550196', 'Your table is ready');
  });
});
