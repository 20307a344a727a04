import type { ApiError } from '../../api/errors';
import { countSegments, describeSegments, MAX_SEGMENTS, type SegmentCount } from './sharedRules';

export interface SegmentCounter {
  count: SegmentCount;
  /** "2 segments · GSM-7 · 23 left" (the shared rule's wording). */
  label: string;
  /** More segments than a message may have: sending is refused. */
  tooLong: boolean;
  /** What to do about it, when too long. */
  problem?: string;
}

/** The composer's live counter, from the same rule the server applies to every send. */
export function segmentCounter(text: string): SegmentCounter {
  const count = countSegments(text);
  const label = describeSegments(count);
  if (count.segments <= MAX_SEGMENTS) return { count, label, tooLong: false };
  const ucs2 = count.encoding === 'UCS-2' ? ' or remove the characters that need UCS-2 (emoji, some accents)' : '';
  return { count, label, tooLong: true, problem: `Too long: ${count.segments} segments; a message may have at most ${MAX_SEGMENTS}. Shorten it${ucs2}.` };
}

export type ComposeField = 'to' | 'from' | 'body';

/**
 * Where a failed send's message belongs: next to the field it names (the recipient for
 * an opt-out or an invalid number, the sending number, the text), or above the composer.
 */
export function placeSendError(error: ApiError): { byField: Partial<Record<ComposeField, string>>; general?: string } {
  const byField: Partial<Record<ComposeField, string>> = {};
  const rest: string[] = [];
  for (const issue of error.details) {
    const field = (['to', 'from', 'body'] as const).find((f) => f === issue.path || (f === 'body' && issue.path === 'media'));
    if (field) byField[field] = byField[field] ? `${byField[field]} ${issue.message}` : issue.message;
    else rest.push(issue.message);
  }
  if (error.code === 'opted_out') byField.to = error.message;
  // A message that went next to its field says it all; anything unclaimed goes above the composer.
  const general = Object.keys(byField).length > 0 ? rest.join(' ') : error.message;
  return general ? { byField, general } : { byField };
}

/** Ctrl+Enter (or ⌘+Enter) sends; plain Enter is a new line. */
export const isSendShortcut = (event: { key: string; ctrlKey: boolean; metaKey: boolean }): boolean => event.key === 'Enter' && (event.ctrlKey || event.metaKey);

/** A quick look at the recipient before the server's full check (which names the country rules). */
export function recipientProblem(to: string): string | undefined {
  const value = to.trim();
  if (value === '') return 'Enter the number to text, or pick a contact.';
  if (/[a-z]/i.test(value)) return 'That is neither a contact nor a phone number. Enter the number in international form, e.g. +1 206 555 0100.';
  return undefined;
}
