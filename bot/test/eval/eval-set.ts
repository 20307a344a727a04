import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkPhoneNumber, digitsOf } from '@switchboard/shared';

/** One plain-language command and what it should do (action null: not a command). */
export interface EvalCommand {
  text: string;
  action: string | null;
  args?: Record<string, string>;
}

export const evalCommands: EvalCommand[] = (JSON.parse(readFileSync(join(__dirname, 'commands.json'), 'utf8')) as { commands: EvalCommand[] }).commands;

/** Numbers compare as E.164 (national ones as US), names and "this customer" ignoring case, texts as written. */
function normalize(key: string, value: string): string {
  const trimmed = value.trim();
  if (key !== 'text' && /^[+\d\s().\-/]+$/.test(trimmed) && digitsOf(trimmed).length >= 7) return checkPhoneNumber(trimmed, 'US').e164 ?? trimmed;
  return key === 'text' ? trimmed : trimmed.toLowerCase();
}

/** Whether an action call matches the expectation: same action, same arguments (extra empty ones ignored). */
export function matches(expected: EvalCommand, action: string | null, args: Record<string, unknown> = {}): boolean {
  if (expected.action !== action) return false;
  if (action === null) return true;
  const wanted = expected.args ?? {};
  const keys = new Set([...Object.keys(wanted), ...Object.keys(args).filter((k) => args[k] !== undefined && args[k] !== '')]);
  return [...keys].every((key) => typeof args[key] === 'string' && wanted[key] !== undefined && normalize(key, args[key] as string) === normalize(key, wanted[key]!));
}
