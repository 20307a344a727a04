import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { systemActor } from '@switchboard/shared';
import { startCarrierSimulator, type CarrierSimulator } from '@switchboard/shared/simulators';
import { makeUser } from '../../shared/test/users';
import type { Runtime } from '../src/runtime';
import { DEV_TENANTS } from '../src/dev/dev-sign-in';
import { TEXT_CUSTOMER_COMMAND } from '../src/teams/extension/dialog';
import { NO_NUMBER_TEXT } from '../src/teams/extension/text-customer';
import { BotConnector } from './support/bot-connector';
import { devTokens } from './support/dev-sign-in';
import { call } from './support/http';
import { startTestRuntime, stopAll } from './support/runtime';

/**
 * The "Text a customer" message extension end to end: `composeExtension/fetchTask` and
 * `composeExtension/submitAction` invokes posted to /api/messages as Teams posts them
 * (the answer is the HTTP body), sends going through the real worker to the simulator
 * carrier. Contoso is the dev seed's enterprise; its directory users are written here.
 */
const JANE = randomUUID(); // two numbers
const OLGA = randomUUID(); // one number
const NICK = randomUUID(); // none
const N1 = '+14255550711';
const N2 = '+14255550712';
const N3 = '+14255550713';
const CUSTOMER = '+12065550142';
const OTHER = '+12065550143';
const STOPPED = '+12065550199';

interface Card {
  type: string;
  body: Array<Record<string, any>>;
  actions: Array<Record<string, any>>;
}

describe('Text a customer (message extension)', () => {
  let runtime: Runtime;
  let connector: BotConnector;
  let simulator: CarrierSimulator;
  const credentials = { apiKey: `sim-${randomBytes(8).toString('hex')}`, signingSecret: randomBytes(16).toString('hex') };

  beforeAll(async () => {
    simulator = await startCarrierSimulator({ stepDelayMs: 5 });
    simulator.addAccount(credentials);
    connector = await BotConnector.start();
    runtime = await startTestRuntime({ SIMULATOR_CARRIER_URL: simulator.baseUrl });
    const { url, services } = runtime;
    const tokens = await devTokens(url, ['contoso-global-admin'] as const);
    const admin = tokens['contoso-global-admin'];
    await services.userRepository.createMany([
      makeUser({ enterpriseId: 'contoso', id: JANE, displayName: 'Jane Doe' }),
      makeUser({ enterpriseId: 'contoso', id: OLGA, displayName: 'Olga Owner' }),
      makeUser({ enterpriseId: 'contoso', id: NICK, displayName: 'Nick Nonumber' }),
    ]);
    const connection = await call(`${url}/api/admin/enterprises/contoso/carrier-connections`, { token: admin, body: { type: 'simulator', name: 'Simulator', credentials } });
    expect(connection.status).toBe(201);
    for (const number of [N1, N2, N3]) {
      const added = await call(`${url}/api/admin/enterprises/contoso/numbers`, { token: admin, body: { number, carrierConnectionId: connection.body.id } });
      expect(added.status).toBe(201);
      simulator.assignNumber(number, credentials.apiKey, connection.body.webhookUrl);
    }
    await services.smsAssignments.applyUserConfig('contoso', JANE, { enabled: true, numbers: [N1, N2] }, systemActor);
    await services.smsAssignments.applyUserConfig('contoso', OLGA, { enabled: true, numbers: [N3] }, systemActor);
    const contact = await call(`${url}/api/admin/enterprises/contoso/contacts`, { token: admin, body: { scope: 'enterprise', number: CUSTOMER, name: 'Carla Customer' } });
    expect(contact.status).toBe(201);
    const optOut = await call(`${url}/api/admin/enterprises/contoso/opt-outs`, { token: admin, body: { externalNumber: STOPPED, note: 'asked by phone' } });
    expect(optOut.status).toBe(201);
  });
  afterAll(async () => {
    await stopAll(runtime);
    await connector?.close();
    await simulator?.stop();
  });
  beforeEach(() => {
    connector.sent.length = 0;
    connector.unexpected.length = 0;
  });

  const invoke = async (name: 'composeExtension/fetchTask' | 'composeExtension/submitAction', value: Record<string, unknown>, who: { aad: string; name: string; tenantId?: string } = { aad: JANE, name: 'Jane Doe' }) => {
    const tenantId = who.tenantId ?? DEV_TENANTS.contoso;
    const answer = await call(`${runtime.url}/api/messages`, {
      body: {
        type: 'invoke',
        name,
        id: randomUUID(),
        channelId: 'msteams',
        serviceUrl: connector.url,
        from: { id: `29:${who.aad}`, name: who.name, aadObjectId: who.aad },
        recipient: { id: '28:bot', name: 'Switchboard' },
        conversation: { id: '19:sales@thread.v2', conversationType: 'groupChat', tenantId },
        channelData: { tenant: { id: tenantId }, source: { name: 'compose' } },
        locale: 'en-US',
        value: { commandId: TEXT_CUSTOMER_COMMAND, context: { theme: 'default' }, ...value },
      },
    });
    expect(answer.status).toBe(200);
    // Everything goes back in the invoke's answer: nothing is posted through the connector.
    expect(connector.sent).toEqual([]);
    expect(connector.unexpected).toEqual([]);
    return answer.body as Record<string, any>;
  };
  const fetchTask = (value: Record<string, unknown>, who?: { aad: string; name: string; tenantId?: string }) => invoke('composeExtension/fetchTask', value, who);
  const submit = (data: Record<string, unknown>, who?: { aad: string; name: string; tenantId?: string }, commandContext = 'compose') => invoke('composeExtension/submitAction', { commandContext, data }, who);

  /** The dialog's Adaptive Card from a `task: continue` answer. */
  const dialogOf = (answer: Record<string, any>): Card => {
    expect(answer.task).toMatchObject({ type: 'continue', value: { title: 'Text a customer', card: { contentType: 'application/vnd.microsoft.card.adaptive' } } });
    return answer.task.value.card.content as Card;
  };
  const element = (card: Card, id: string) => card.body.find((e) => e.id === id);
  const errorAt = (card: Card, field: string) => element(card, `${field}Error`)?.text as string | undefined;
  const outboundTo = (phone: string) => simulator.messagesFor(phone).filter((m) => m.direction === 'outbound');
  async function until<T>(check: () => T | undefined, what: string): Promise<T> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const value = check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
  }

  it('answers the command the Teams manifest declares', () => {
    const manifest = JSON.parse(readFileSync(resolve(__dirname, '../../appPackage/manifest.json'), 'utf8')) as { composeExtensions: Array<{ commands: Array<{ id: string; type: string; fetchTask?: boolean }> }> };
    const command = manifest.composeExtensions[0]!.commands.find((c) => c.id === TEXT_CUSTOMER_COMMAND);
    expect(command).toMatchObject({ type: 'action', fetchTask: true });
  });

  describe('fetchTask', () => {
    it('from a message: offers the numbers found in it (E.164, named when known) and quotes its text without HTML', async () => {
      const html = '<p>Please call the customer back at (206) 555-0142 or&nbsp;+1&nbsp;206&nbsp;555&nbsp;0143,</p><p>she&#39;s waiting &amp; <at>Olga</at> knows why</p>';
      const card = dialogOf(await fetchTask({ commandContext: 'message', messagePayload: { id: '1700000000000', body: { contentType: 'html', content: html }, from: { user: { displayName: 'Olga Owner' } } } }));

      expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
      expect(element(card, 'toChoice')).toMatchObject({
        type: 'Input.ChoiceSet',
        value: CUSTOMER,
        choices: [
          { title: 'Carla Customer (+1 206 555 0142)', value: CUSTOMER },
          { title: '+1 206 555 0143', value: OTHER },
        ],
      });
      // Free input for a number that is not in the message.
      expect(element(card, 'to')).toMatchObject({ type: 'Input.Text', value: '' });
      expect(element(card, 'body')).toMatchObject({
        type: 'Input.Text',
        isMultiline: true,
        value: '"Please call the customer back at (206) 555-0142 or +1 206 555 0143,\nshe\'s waiting & Olga knows why"',
        placeholder: expect.stringContaining('At most 10 SMS segments'),
      });
      // Two sending numbers: a choice, the first preselected.
      expect(element(card, 'from')).toMatchObject({ type: 'Input.ChoiceSet', value: N1, choices: [{ value: N1, title: '+1 425 555 0711' }, { value: N2, title: '+1 425 555 0712' }] });
      expect(element(card, 'postCard')).toMatchObject({ type: 'Input.Toggle', title: 'Post a card in this conversation', value: 'false' });
      expect(card.actions).toEqual([expect.objectContaining({ type: 'Action.Submit', title: 'Send text', data: { found: [CUSTOMER, OTHER] } })]);
      expect(card.body.filter((e) => String(e.id ?? '').endsWith('Error'))).toEqual([]);
    });

    it('from a message with one number: puts it in the To field', async () => {
      const card = dialogOf(await fetchTask({ commandContext: 'message', messagePayload: { body: { contentType: 'text', content: 'Text 206-555-0143 please' } } }));
      expect(element(card, 'toChoice')).toBeUndefined();
      expect(element(card, 'to')).toMatchObject({ value: '+1 206 555 0143' });
      expect(element(card, 'body')).toMatchObject({ value: '"Text 206-555-0143 please"' });
    });

    it.each(['compose', 'commandbox'])('from the %s: the same dialog, empty', async (commandContext) => {
      const card = dialogOf(await fetchTask({ commandContext }));
      expect(element(card, 'toChoice')).toBeUndefined();
      expect(element(card, 'to')).toMatchObject({ type: 'Input.Text', label: 'To', value: '' });
      expect(element(card, 'body')).toMatchObject({ value: '' });
      expect(card.actions[0]).toMatchObject({ data: { found: [] } });
    });

    it('hides the From choice for a user with one number and says which it is', async () => {
      const card = dialogOf(await fetchTask({ commandContext: 'compose' }, { aad: OLGA, name: 'Olga Owner' }));
      expect(element(card, 'from')).toBeUndefined();
      expect(card.body.map((e) => e.text)).toContain('From +1 425 555 0713');
    });

    it('tells a user without a number plainly, instead of a dialog', async () => {
      const answer = await fetchTask({ commandContext: 'compose' }, { aad: NICK, name: 'Nick Nonumber' });
      expect(answer).toEqual({ task: { type: 'message', value: NO_NUMBER_TEXT } });
      expect(NO_NUMBER_TEXT).toContain('your admin has not given you an SMS number');
    });

    it('tells someone from an unknown tenant, and someone the directory does not know, what to do', async () => {
      const stranger = await fetchTask({ commandContext: 'compose' }, { aad: randomUUID(), name: 'Sam Stranger', tenantId: randomUUID() });
      expect(stranger.task).toEqual({ type: 'message', value: expect.stringContaining('not set up for your organisation') });
      const newcomer = await fetchTask({ commandContext: 'compose' }, { aad: randomUUID(), name: 'Nora New' });
      expect(newcomer.task).toEqual({ type: 'message', value: expect.stringContaining('does not know you yet') });
    });
  });

  describe('submitAction', () => {
    it('sends the SMS and closes the dialog without a card when the toggle is off', async () => {
      const answer = await submit({ toChoice: CUSTOMER, to: '', from: N2, body: 'We are on our way', postCard: 'false', found: [CUSTOMER, OTHER] });
      expect(answer).toEqual({});
      const received = await until(() => outboundTo(CUSTOMER).find((m) => m.text === 'We are on our way'), 'the SMS at the customer');
      expect(received.from).toBe(N2);
    });

    it('sends to a typed number over the offered ones, and posts the card when asked', async () => {
      const answer = await submit({ toChoice: CUSTOMER, to: '(206) 555-0143', from: N1, body: 'Your parts arrived', postCard: 'true', found: [CUSTOMER, OTHER] }, undefined, 'message');
      expect(answer.task).toBeUndefined();
      expect(answer.composeExtension).toMatchObject({ type: 'result', attachmentLayout: 'list' });
      const [attachment] = answer.composeExtension.attachments;
      expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
      expect(attachment.content.body.map((b: { text: string }) => b.text)).toEqual(['Texted +1 206 555 0143', 'Your parts arrived', 'Sent by Jane Doe from +1 425 555 0711']);
      const received = await until(() => outboundTo(OTHER).find((m) => m.text === 'Your parts arrived'), 'the SMS at the typed number');
      expect(received.from).toBe(N1);
    });

    it("names the customer on the card by the user's contacts", async () => {
      const answer = await submit({ to: '+1 206 555 0142', body: 'See you at 3', postCard: 'true' }, { aad: OLGA, name: 'Olga Owner' });
      expect(answer.composeExtension.attachments[0].content.body[0].text).toBe('Texted Carla Customer (+1 206 555 0142)');
      // One number: sent from it without asking.
      const received = await until(() => outboundTo(CUSTOMER).find((m) => m.text === 'See you at 3'), 'the SMS from the only number');
      expect(received.from).toBe(N3);
    });

    it('shows the dialog again with the error under To and the input kept, for someone who opted out', async () => {
      const data = { toChoice: STOPPED, to: '', from: N2, body: 'Last chance for the sale', postCard: 'true', found: [STOPPED, CUSTOMER] };
      const card = dialogOf(await submit(data));
      expect(errorAt(card, 'to')).toMatch(/\+1 206 555 0199/);
      expect(errorAt(card, 'to')).toMatch(/START/);
      expect(element(card, 'toChoice')).toMatchObject({ value: STOPPED, choices: [{ value: STOPPED }, { value: CUSTOMER }] });
      expect(element(card, 'body')).toMatchObject({ value: 'Last chance for the sale' });
      expect(element(card, 'from')).toMatchObject({ value: N2 });
      expect(element(card, 'postCard')).toMatchObject({ value: 'true' });
      // The error sits right under the field it is about.
      const ids = card.body.map((e) => e.id);
      expect(ids.indexOf('toError')).toBe(ids.indexOf('to') + 1);
      expect(outboundTo(STOPPED)).toEqual([]);
    });

    it('shows the dialog again for an invalid number, a missing one and an empty text, each at its field', async () => {
      const invalid = dialogOf(await submit({ to: '555-01', from: N1, body: 'Hello there', postCard: 'false', found: [] }));
      expect(errorAt(invalid, 'to')).toMatch(/555-01/);
      expect(element(invalid, 'to')).toMatchObject({ value: '555-01' });
      expect(element(invalid, 'body')).toMatchObject({ value: 'Hello there' });

      const missing = dialogOf(await submit({ to: ' ', from: N1, body: 'Hello there', postCard: 'false', found: [] }));
      expect(errorAt(missing, 'to')).toBe("Enter the customer's number, e.g. +1 425 555 0142.");

      const empty = dialogOf(await submit({ to: OTHER, from: N1, body: '   ', postCard: 'false', found: [] }));
      expect(errorAt(empty, 'body')).toMatch(/Write a message/);
      expect(errorAt(empty, 'to')).toBeUndefined();
      expect(element(empty, 'to')).toMatchObject({ value: OTHER });
    });

    it('refuses a From number that is not the user\'s, at the From field', async () => {
      const card = dialogOf(await submit({ to: OTHER, from: N3, body: 'Borrowed line', postCard: 'false', found: [] }));
      expect(errorAt(card, 'from')).toMatch(/may not send from \+1 425 555 0713/);
      expect(element(card, 'body')).toMatchObject({ value: 'Borrowed line' });
    });

    it('refuses a user without a number, an unknown user and an unknown tenant, sending nothing', async () => {
      const before = outboundTo(OTHER).length;
      expect(await submit({ to: OTHER, body: 'x', postCard: 'true' }, { aad: NICK, name: 'Nick Nonumber' })).toEqual({ task: { type: 'message', value: NO_NUMBER_TEXT } });
      expect((await submit({ to: OTHER, body: 'x' }, { aad: randomUUID(), name: 'Nora New' })).task.value).toMatch(/does not know you yet/);
      expect((await submit({ to: OTHER, body: 'x' }, { aad: JANE, name: 'Jane Doe', tenantId: randomUUID() })).task.value).toMatch(/not set up for your organisation/);
      expect(outboundTo(OTHER)).toHaveLength(before);
    });
  });
});
