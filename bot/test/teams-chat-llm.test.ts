import { ACTION_NAMES } from '../src/teams/actions';
import { PARTLY_DONE_TEXT } from '../src/teams/chat/chat';
import { MAX_ACTIONS_PER_TURN } from '../src/teams/planner/planner';
import { conversationIdOf } from '@switchboard/shared';
import { JANE, N1, startChatWorld, TENANT, textOf, type ChatWorld } from './eval/chat-world';
import { FakeOpenAi, type ScriptedTurn } from './support/openai-server';

/**
 * The bot chat with a model configured: the real teams-ai ActionPlanner and OpenAIModel
 * (openai 4.77.4) against a loopback OpenAI-compatible server that answers with tool
 * calls. Each action is reached through the model's tool call; the model's final
 * answer is said in the chat; a model that fails leaves the user with the parser.
 */
describe('Teams chat with a model (ActionPlanner + OpenAI tools)', () => {
  let world: ChatWorld;
  let openai: FakeOpenAi;
  const apiKey = 'sk-loopback-test-key';
  const script = new Map<string, ScriptedTurn>();

  beforeAll(async () => {
    openai = await FakeOpenAi.start({ apiKey, script: (text) => script.get(text) ?? { text: 'I only handle business texts: sending, replying, contacts, conversations and opt-outs.' } });
    world = await startChatWorld({ OPENAI_API_KEY: apiKey, OPENAI_BASE_URL: openai.baseUrl, OPENAI_MODEL: 'gpt-loopback' });
    await world.customerTexts(JANE, 'Are you open on Saturday?');
  });
  afterAll(async () => {
    await world?.stop();
    await openai?.close();
  });

  /**
   * Scripts the model's tool call for `text`, says it, and answers the bot's replies, the tool's result and the
   * model's own words (what teams-ai's SAY posts: marked as a schema.org Message, new lines as <br>).
   */
  async function viaModel(text: string, tool: string, args: Record<string, unknown>) {
    script.set(text, { tool, args });
    const calls = openai.toolCalls.length;
    const replies = await world.say(text);
    const call = openai.toolCalls[calls];
    expect(call).toMatchObject({ name: tool, args, userText: text });
    const result = openai.toolResults.get(call!.id);
    expect(result).toEqual(expect.any(String));
    return { replies, result: result!, said: replies.filter((r) => r.body.entities?.some((e: { type?: string }) => e.type === 'https://schema.org/Message')).map((r) => String(r.body.text).replace(/<br>/g, '\n')) };
  }

  it('sends the tools, the model and the user\'s context the way OpenAI expects', async () => {
    const { said } = await viaModel('what do I have', 'list_conversations', {});
    const request = openai.requests.find((r) => r.body.messages?.some((m) => m.role === 'user' && m.content === 'what do I have'))!;
    expect(request.authorization).toBe(`Bearer ${apiKey}`);
    expect(request.body.model).toBe('gpt-loopback');
    expect(request.body.tools!.map((t) => t.function.name).sort()).toEqual([...ACTION_NAMES].sort());
    expect(request.body.tool_choice).toBe('auto');
    const system = request.body.messages![0]!;
    expect(system.role).toBe('system');
    expect(String(system.content)).toContain('for Uma Chat');
    expect(String(system.content)).toContain('Jane Doe (+1 206 555 0142)');
    expect(said).toEqual([expect.stringContaining('Your recent conversations')]);
    expect(openai.requests.every((r) => r.status === 200)).toBe(true);
  });

  it('send_sms: texts a contact and posts the sent confirmation', async () => {
    const { replies, result, said } = await viaModel('let Jane know the parts arrived', 'send_sms', { to: 'Jane', text: 'The parts arrived.' });
    await world.phoneReceived(JANE, 'The parts arrived.');
    expect(result).toBe('Sent to Jane Doe (+1 206 555 0142) from +1 425 555 0711.');
    expect(replies.some((r) => r.body.attachments?.[0]?.contentType === 'application/vnd.microsoft.card.adaptive' && textOf(r).includes('+1 206 555 0142'))).toBe(true);
    expect(said).toEqual([result]);
  });

  it('reply: answers the conversation in focus', async () => {
    await viaModel("we're 5 minutes out", 'reply', { text: "We're 5 minutes out." });
    await world.phoneReceived(JANE, "We're 5 minutes out.");
  });

  it('find_contact and save_contact', async () => {
    expect((await viaModel("what's bob's number", 'find_contact', { name: 'Bob' })).result).toBe('Bob Smith: +1 206 555 0143');
    const saved = await viaModel('remember Carlos Ruiz at (206) 555-0149', 'save_contact', { name: 'Carlos Ruiz', number: '(206) 555-0149' });
    expect(saved.result).toBe('Saved Carlos Ruiz: +1 206 555 0149.');
    expect(await world.runtime.services.contacts.find('contoso', world.uma.id, 'Carlos')).toEqual([{ name: 'Carlos Ruiz', number: '+12065550149', scope: 'personal' }]);
  });

  it('show_conversation and opt_out_status for "this customer"', async () => {
    const shown = await viaModel('show me this thread', 'show_conversation', { who: 'this customer' });
    expect(shown.result).toContain('Conversation with Jane Doe (+1 206 555 0142)');
    expect(shown.replies.some((r) => textOf(r).includes('Are you open on Saturday?'))).toBe(true);
    expect((await viaModel('are they still subscribed', 'opt_out_status', { who: 'this customer' })).result).toBe('Jane Doe (+1 206 555 0142) has not opted out: you may text them from +1 425 555 0711.');
  });

  it('asks before a new recipient, then sends on "yes"', async () => {
    const asked = await viaModel('text 206 555 0188 that the order shipped', 'send_sms', { to: '206 555 0188', text: 'Your order shipped.' });
    expect(asked.result).toContain("You haven't texted +1 206 555 0188 before");
    expect(world.received('+12065550188')).toEqual([]);
    await world.say('yes');
    await world.phoneReceived('+12065550188', 'Your order shipped.');
  });

  it('a question that is no command gets the model\'s answer, and nothing is sent', async () => {
    const calls = openai.toolCalls.length;
    const sent = world.simulator.requests.length;
    const replies = await world.say("what's the weather like?");
    expect(replies.map(textOf)).toEqual(['I only handle business texts: sending, replying, contacts, conversations and opt-outs.']);
    expect(openai.toolCalls.length).toBe(calls);
    expect(world.simulator.requests.length).toBe(sent);
  });

  it('stops a model that keeps calling tools after a few actions', async () => {
    openai.repeat = { tool: 'find_contact', args: { name: 'Bob' }, times: 7 };
    const calls = openai.toolCalls.length;
    script.set('find bob again and again', { tool: 'find_contact', args: { name: 'Bob' } });
    await world.say('find bob again and again');
    const made = openai.toolCalls.slice(calls);
    expect(made).toHaveLength(8);
    const results = made.map((c) => openai.toolResults.get(c.id));
    expect(MAX_ACTIONS_PER_TURN).toBe(5);
    expect(results.slice(0, 5)).toEqual(Array(5).fill('Bob Smith: +1 206 555 0143'));
    expect(results.slice(5)).toEqual(Array(3).fill(expect.stringMatching(/^Stopped: at most 5 actions/)));
  });

  it('falls back to the parser when the model service fails', async () => {
    openai.failWith = 503;
    const logged = jest.spyOn(console, 'log').mockImplementation(() => undefined); // teams-ai's OpenAIModel logs the failed request
    try {
      script.set('sms Jane: see you at noon', { tool: 'send_sms', args: { to: 'Jane', text: 'wrong' } });
      await world.say('sms Jane: see you at noon');
      await world.phoneReceived(JANE, 'see you at noon');
      expect(world.received(JANE)).not.toContain('wrong');
      expect(logged).toHaveBeenCalled();
    } finally {
      openai.failWith = undefined;
      logged.mockRestore();
    }
  });

  it('does not run a message again through the parser when the model failed after an action ran', async () => {
    openai.failToolResultsWith = 400;
    const logged = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      script.set('reply: only once please', { tool: 'reply', args: { text: 'Only once.' } });
      const replies = await world.say('reply: only once please');
      await world.phoneReceived(JANE, 'Only once.');
      expect(replies.map(textOf)).toContain(PARTLY_DONE_TEXT);
      // What the turn accepted for sending (stored before the HTTP answer), not only what reached the phone yet.
      const principal = { userId: world.uma.id, name: world.uma.name, tenantId: TENANT, role: 'user' as const, enterpriseId: 'contoso' };
      const history = await world.runtime.services.conversations.history(principal, 'contoso', conversationIdOf(N1, JANE), { pageSize: 50 });
      expect(history.items.filter((m) => m.direction === 'outbound' && /only once/i.test(m.body)).map((m) => m.body)).toEqual(['Only once.']);
    } finally {
      openai.failToolResultsWith = undefined;
      logged.mockRestore();
    }
  });
});
