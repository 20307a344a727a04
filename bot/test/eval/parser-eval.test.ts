import { ACTION_NAMES } from '../../src/teams/actions';
import { parseCommand } from '../../src/teams/parser/parse';
import { evalCommands, matches } from './eval-set';

/**
 * The evaluation set against the deterministic parser (the path without a model):
 * prints the accuracy and every miss, and holds it above a floor.
 */
describe('plain-language commands: the offline parser', () => {
  it('covers every action, numbers in several formats, "this customer", replies and non-commands', () => {
    expect(evalCommands.length).toBeGreaterThanOrEqual(60);
    const actions = new Set(evalCommands.map((c) => c.action));
    for (const name of ACTION_NAMES) expect(actions).toContain(name);
    expect(actions).toContain(null);
  });

  it('reads at least 90% of the set right (accuracy printed)', () => {
    const misses: string[] = [];
    for (const command of evalCommands) {
      const result = parseCommand(command.text);
      const [action, args] = result.kind === 'action' ? [result.action, result.args] : [null, {}];
      if (!matches(command, action, args)) misses.push(`  "${command.text}": expected ${command.action ?? 'none'} ${JSON.stringify(command.args ?? {})}, got ${action ?? result.kind} ${JSON.stringify(args)}`);
    }
    const correct = evalCommands.length - misses.length;
    const accuracy = (100 * correct) / evalCommands.length;
    process.stdout.write(`\nParser evaluation: ${correct}/${evalCommands.length} correct (${accuracy.toFixed(1)}% accuracy)\n${misses.join('\n')}${misses.length ? '\n' : ''}`);
    expect(accuracy).toBeGreaterThanOrEqual(90);
  });

  it('says what it did not understand instead of sending a question to a customer', () => {
    const result = parseCommand("what's the weather");
    expect(result).toEqual({ kind: 'not-understood', reason: expect.stringContaining('I didn\'t understand "what\'s the weather"') });
    expect(parseCommand('text Jane')).toEqual({ kind: 'not-understood', reason: expect.stringContaining('what to send') });
  });
});
