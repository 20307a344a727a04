import { extensionSchema, labelSchema, MAX_LABEL_LENGTH, numberStatusValues, phoneProblem, type NumberStatus } from '@shared/numbers/number';
import { expandRange, MAX_RANGE_SIZE } from '@shared/numbers/number-range';
import type { PhoneNumber } from '../../api/numbers';

/**
 * The Numbers page's checks before a round trip, with the server's own rules (imported
 * from shared/ as source): the phone rule, the range rule, the label limit.
 */
export { MAX_LABEL_LENGTH, MAX_RANGE_SIZE };

export type Capabilities = PhoneNumber['capabilities'];

/** The status filter a link asks for (`?status=unassigned`); anything else is no filter. */
export function statusFromLink(params: URLSearchParams): NumberStatus | undefined {
  const status = params.get('status');
  return (numberStatusValues as readonly (string | null)[]).includes(status) ? (status as NumberStatus) : undefined;
}

/** What is wrong with a number as typed, in the server's words; undefined when it is fine. */
export function numberProblem(input: string): string | undefined {
  if (!input.trim()) return 'Enter a phone number in international form, e.g. +14155550123.';
  return phoneProblem(input);
}

export function labelProblem(label: string): string | undefined {
  const checked = labelSchema.safeParse(label);
  return checked.success ? undefined : checked.error.issues[0]?.message;
}

/** An extension is optional; when given, the server's rule (1 to 10 digits) applies. */
export function extensionProblem(extension: string): string | undefined {
  if (!extension.trim()) return undefined;
  const checked = extensionSchema.safeParse(extension);
  return checked.success ? undefined : checked.error.issues[0]?.message;
}

/** How many numbers a range holds, or the problem with each end (by field), as the server would say. */
export function rangePreview(from: string, to: string): { count: number; invalid: number } | { problems: Partial<Record<'from' | 'to', string>> } {
  const problems: Partial<Record<'from' | 'to', string>> = {};
  const fromProblem = numberProblem(from);
  const toProblem = numberProblem(to);
  if (fromProblem) problems.from = fromProblem;
  if (toProblem) problems.to = toProblem;
  if (fromProblem || toProblem) return { problems };
  try {
    const range = expandRange(from, to);
    return { count: range.numbers.length, invalid: range.invalid.length };
  } catch (error) {
    const details = (error as { details?: Array<{ path: string; message: string }> }).details ?? [];
    for (const detail of details) {
      const field = detail.path === 'from' ? 'from' : 'to';
      problems[field] = problems[field] ? `${problems[field]} ${detail.message}` : detail.message;
    }
    if (!problems.from && !problems.to) problems.to = (error as Error).message;
    return { problems };
  }
}

export function capabilitiesText(capabilities: Capabilities): string {
  const names = [capabilities.sms && 'SMS', capabilities.mms && 'MMS', capabilities.voice && 'Voice'].filter(Boolean);
  return names.length > 0 ? names.join(', ') : 'None';
}

export function holderText(number: Pick<PhoneNumber, 'holder'>): string {
  if (!number.holder) return 'Unassigned';
  return number.holder.type === 'user' ? number.holder.name : `SMS group ${number.holder.name}`;
}

/** A user's numbers after giving them `number` (kept once) or taking it away. */
export function withNumber(numbers: readonly string[], number: string): string[] {
  return numbers.includes(number) ? [...numbers] : [...numbers, number];
}
export const withoutNumber = (numbers: readonly string[], number: string): string[] => numbers.filter((n) => n !== number);
