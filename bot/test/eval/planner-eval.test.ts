import { ACTION_NAMES } from '../../src/teams/actions';
import { FakeOpenAi } from '../support/openai-server';
import { JANE, startChatWorld, type ChatWorld } from './chat-world';
import { evalCommands, matches } from './eval-set';

/**
 * The evaluation set through the model path: the real ActionPlanner and OpenAI client
 * against a loopback server that answers each command with the expected tool call
 * (non-commands with words). Every call must come back to the model with the action's
 * result (teams-ai dispatched it to our action), and every one of the seven actions
 * must be reached with the set's arguments.
 */
describe('plain-language commands: the model path reaches every action', () => {
  let world: ChatWorld;
  let openai: FakeOpenAi;
  const apiKey = 'sk-eval-key';
  const expected = new Map(evalCommands.map((c) => [c.text, c]));

  beforeAll(async () => {
    openai = await FakeOpenAi.start({
      apiKey,
      script: (text) => {
        const command = expected.get(text);
        return command?.action ? { tool: command.action, args: command.args ?? {} } : { text: 'I only handle business texts.' };
      },
    });
    world = await startChatWorld({ OPENAI_API_KEY: apiKey, OPENAI_BASE_URL: openai.baseUrl, OPENAI_MODEL: 'gpt-eval' });
    await world.customerTexts(JANE, 'Hello, can you help me?');
  });
  afterAll(async () => {
    await world?.stop();
    await openai?.close();
  });

  it('dispatches each tool call of the set to its action and returns its result to the model', async () => {
    const reached = new Map<string, string[]>();
    let answered = 0;
    for (const [i, command] of evalCommands.entries()) {
      const calls = openai.toolCalls.length;
      // One chat per command keeps the model's history to the command itself.
      const replies = await world.say(command.text, { conversationId: `a:eval-${i}` });
      expect(replies.length).toBeGreaterThan(0);
      const made = openai.toolCalls.slice(calls);
      if (command.action === null) {
        expect(made).toEqual([]);
        continue;
      }
      expect(made).toHaveLength(1);
      const call = made[0]!;
      expect(matches(command, call.name, call.args as Record<string, string>)).toBe(true);
      const result = openai.toolResults.get(call.id);
      expect(result).toEqual(expect.any(String));
      answered++;
      reached.set(call.name, [...(reached.get(call.name) ?? []), result!]);
    }
    const summary = ACTION_NAMES.map((name) => `${name}: ${reached.get(name)?.length ?? 0}`).join(', ');
    process.stdout.write(`\nModel path: ${answered}/${evalCommands.filter((c) => c.action).length} tool calls dispatched and answered (${summary})\n`);
    for (const name of ACTION_NAMES) expect(reached.get(name)?.length ?? 0).toBeGreaterThan(0);

    // Each action did its work, with the set's arguments.
    const results = (name: string) => reached.get(name)!.join('\n');
    expect(results('send_sms')).toContain('Sent to Jane Doe (+1 206 555 0142)');
    expect(results('send_sms')).toContain("You haven't texted +1 206 555 0145 before");
    expect(results('reply')).toMatch(/Sent to .*\+1 206 555 0142/);
    expect(results('find_contact')).toContain('Jane Doe: +1 206 555 0142');
    expect(results('save_contact')).toContain('Saved Carlos Ruiz: +1 206 555 0149.');
    expect(results('list_conversations')).toContain('Your recent conversations');
    // The set's "save them as Dana White" renamed the customer in focus (Jane) on the way.
    expect(results('show_conversation')).toMatch(/Conversation with (Jane Doe|Dana White) \(\+1 206 555 0142\)/);
    expect(results('opt_out_status')).toMatch(/(Jane Doe|Dana White) \(\+1 206 555 0142\) has not opted out/);
    await world.phoneReceived(JANE, 'running late');
    await world.phoneReceived(JANE, 'on my way');
    expect(openai.requests.every((r) => r.status === 200)).toBe(true);
    // Seventy-odd full turns (two model calls each, storage, the carrier): more than the default 30 s on a busy machine.
  }, 240_000);
});
