import { randomUUID } from 'node:crypto';
import type { Runtime } from '../src/runtime';
import { UNKNOWN_TENANT_TEXT } from '../src/teams/chat/chat';
import { BotConnector } from './support/bot-connector';
import { call } from './support/http';
import { startTestRuntime } from './support/runtime';

/**
 * The Teams bot end to end over HTTP: an activity posted to /api/messages as Teams
 * would post it, the answer sent back through a loopback Bot Framework connector.
 * Dev mode (no BOT_ID): the adapter accepts unauthenticated activities.
 */
describe('Teams bot', () => {
  let runtime: Runtime;
  let connector: BotConnector;
  const tenantId = randomUUID();
  const userAad = randomUUID();

  beforeAll(async () => {
    connector = await BotConnector.start();
    runtime = await startTestRuntime();
  });

  afterAll(async () => {
    await runtime?.stop();
    await connector?.close();
  });

  beforeEach(() => {
    connector.sent.length = 0;
    connector.unexpected.length = 0;
  });

  const teamsActivity = (overrides: Record<string, unknown>) => ({
    channelId: 'msteams',
    serviceUrl: connector.url,
    from: { id: '29:user', name: 'Jane Doe', aadObjectId: userAad },
    recipient: { id: '28:bot', name: 'Switchboard' },
    conversation: { id: 'a:conv1', conversationType: 'personal', tenantId },
    channelData: { tenant: { id: tenantId } },
    locale: 'en-US',
    timestamp: new Date().toISOString(),
    ...overrides,
  });

  const post = (activity: unknown) => call(`${runtime.url}/api/messages`, { body: activity });

  it('answers a personal message in its conversation, as a reply to it (here: a tenant without Switchboard)', async () => {
    const answer = await post(teamsActivity({ type: 'message', id: 'a1', text: 'hello' }));

    expect(answer.status).toBe(200);
    expect(connector.unexpected).toEqual([]);
    expect(connector.sent).toHaveLength(1);
    const [reply] = connector.sent;
    // A reply to the activity, in its conversation.
    expect(reply!.conversationId).toBe('a:conv1');
    expect(reply!.replyToId).toBe('a1');
    expect(reply!.body).toMatchObject({
      type: 'message',
      text: UNKNOWN_TENANT_TEXT,
      conversation: { id: 'a:conv1' },
      recipient: { id: '29:user', name: 'Jane Doe' },
      from: { id: '28:bot' },
      replyToId: 'a1',
    });
  });

  it('sends the greeting when the bot is added to a conversation', async () => {
    const answer = await post(
      teamsActivity({
        type: 'conversationUpdate',
        id: 'u1',
        membersAdded: [{ id: '29:user' }, { id: '28:bot' }],
        channelData: { tenant: { id: tenantId }, eventType: 'conversationUpdate' },
      }),
    );

    expect(answer.status).toBe(200);
    expect(connector.sent).toHaveLength(1);
    expect(connector.sent[0]!.conversationId).toBe('a:conv1');
    expect(connector.sent[0]!.body).toMatchObject({ type: 'message', text: expect.stringContaining("Hi, I'm Switchboard."), conversation: { id: 'a:conv1' } });
  });

  it('answers a body that is not an activity with 400, not 500', async () => {
    const answer = await post({ hello: 'world' });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: expect.objectContaining({ code: expect.any(String), message: expect.any(String), requestId: expect.any(String) }) });
    expect(answer.body.error.code).not.toBe('internal_error');
    expect(connector.sent).toEqual([]);
  });

  it('stays silent when someone else joins', async () => {
    const answer = await post(
      teamsActivity({
        type: 'conversationUpdate',
        id: 'u2',
        membersAdded: [{ id: '29:someone-else' }],
        conversation: { id: '19:group@thread.v2', conversationType: 'groupChat', tenantId },
      }),
    );

    // The turn has finished when the HTTP answer arrives: nothing was sent.
    expect(answer.status).toBe(200);
    expect(connector.sent).toEqual([]);
  });
});

describe('Teams bot with a bot id', () => {
  let runtime: Runtime;
  let connector: BotConnector;

  beforeAll(async () => {
    connector = await BotConnector.start();
    // Entra mode needs a client id; its key endpoint is never reached by these requests.
    runtime = await startTestRuntime({ AUTH_MODE: 'entra', AUTH_AUTHORITY: 'http://127.0.0.1:9', AUTH_JWKS_URI: 'http://127.0.0.1:9/keys', AUTH_CLIENT_ID: randomUUID(), BOT_ID: randomUUID() });
  });
  afterAll(async () => {
    await runtime?.stop();
    await connector?.close();
  });

  it('refuses an activity that carries no Bot Framework token, and sends nothing', async () => {
    const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined); // botbuilder logs the refusal itself
    try {
      const answer = await call(`${runtime.url}/api/messages`, {
        body: {
          type: 'message',
          id: 'a1',
          text: 'hello',
          channelId: 'msteams',
          serviceUrl: connector.url,
          from: { id: '29:user', name: 'Mallory' },
          recipient: { id: '28:bot' },
          conversation: { id: 'a:conv1', conversationType: 'personal' },
        },
      });
      expect(answer.status).toBe(401);
      expect(connector.sent).toEqual([]);
      expect(connector.unexpected).toEqual([]);
      expect(String(logged.mock.calls[0]?.[0])).toMatch(/Unauthorized/);
    } finally {
      logged.mockRestore();
    }
  });
});
