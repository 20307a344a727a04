import { z } from 'zod';
import { digitsOf, formatInternational } from '../rules/phone';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { fold } from '../directory/user-query';
import type { Stored } from '../store/repository';
import { numberStatus, numberStatusValues, numberViewSchema, toNumberView, type NumberStatus, type NumberView, type PhoneNumberEntry } from './number';

/**
 * The Numbers page query as pure functions over indexed numbers: quick search
 * (digits ignoring formatting, or words of the label, holder, extension, carrier),
 * filters that stack, sorting with a stable tie-break (the number), paging.
 */

export const numberSortValues = ['number', 'label', 'status', 'holder', 'carrier'] as const;
export type NumberSort = (typeof numberSortValues)[number];
export const capabilityValues = ['sms', 'mms', 'voice'] as const;

export const MAX_NUMBER_PAGE_SIZE = 500;
export const DEFAULT_NUMBER_PAGE_SIZE = 100;

const text = (max: number) => z.string().trim().max(max, `Use at most ${max} characters.`);

export const numberQuerySchema = z.object({
  search: text(100)
    .optional()
    .describe('Quick search: digits match the number however it is written ("555 01" finds +14155550123, national forms too); words must all match the label, holder, extension or carrier.'),
  status: z.enum(numberStatusValues).optional().describe('Unassigned, assigned to a user, or assigned to an SMS group.'),
  carrierConnectionId: text(100).optional().describe('Served by this carrier connection.'),
  capability: z.enum(capabilityValues).optional().describe('Has this capability.'),
  holderId: text(200).optional().describe('Held by this user or SMS group (its id).'),
  sort: z.enum(numberSortValues).default('number').describe('Column to sort by; ties are broken by the number.'),
  order: z.enum(['asc', 'desc']).default('asc'),
  offset: z.coerce.number().int('Must be a whole number.').min(0, 'Must be 0 or more.').default(0).describe('Rows to skip.'),
  limit: z.coerce
    .number()
    .int('Must be a whole number.')
    .min(1, 'Must be at least 1.')
    .max(MAX_NUMBER_PAGE_SIZE, `At most ${MAX_NUMBER_PAGE_SIZE} rows per page.`)
    .default(DEFAULT_NUMBER_PAGE_SIZE)
    .describe(`Rows per page, 1 to ${MAX_NUMBER_PAGE_SIZE}.`),
});
export type NumberQuery = z.output<typeof numberQuerySchema>;

export const numberPageSchema = z
  .object({
    items: z.array(numberViewSchema),
    total: z.number().int().describe('Numbers matching the search and filters, across all pages.'),
    offset: z.number().int(),
    limit: z.number().int(),
  })
  .meta({ id: 'PhoneNumberPage' });

export interface NumberPage {
  items: NumberView[];
  total: number;
  offset: number;
  limit: number;
}

/** A number with everything a query compares worked out once. Treat as immutable. */
export interface IndexedNumber {
  readonly stored: Stored<PhoneNumberEntry>;
  readonly display: string;
  readonly status: NumberStatus;
  /** Digits of the E.164 form and of the national form (with trunk prefix), space-separated. */
  readonly digits: string;
  /** Folded label, holder name, extension, carrier, display form; one per line. */
  readonly text: string;
  readonly labelKey: string;
  readonly holderKey: string;
}

const STATUS_RANK: Record<NumberStatus, number> = { unassigned: 0, 'assigned-user': 1, 'assigned-group': 2 };

export function indexNumber(stored: Stored<PhoneNumberEntry>): IndexedNumber {
  const n = stored.value;
  const parsed = parsePhoneNumberFromString(n.number);
  const display = parsed?.formatInternational() ?? formatInternational(n.number);
  const national = parsed ? digitsOf(parsed.formatNational()) : '';
  return {
    stored,
    display,
    status: numberStatus(n),
    digits: national && national !== digitsOf(n.number) ? `${digitsOf(n.number)} ${national}` : digitsOf(n.number),
    text: fold([n.label, n.holder?.name ?? '', n.extension ?? '', n.carrierConnectionId ?? '', display].join('\n')),
    labelKey: fold(n.label),
    holderKey: n.holder ? fold(n.holder.name) : '',
  };
}

export function viewOf(entry: IndexedNumber): NumberView {
  return toNumberView(entry.stored, () => entry.display);
}

/** A search term made only of digits and phone formatting. */
const PHONE_LIKE = /^[+\d\s().\-/]*\d[+\d\s().\-/]*$/;

export type NumberFilter = Pick<Partial<NumberQuery>, 'search' | 'status' | 'carrierConnectionId' | 'capability' | 'holderId'>;

export function numberFilter(filter: NumberFilter): (entry: IndexedNumber) => boolean {
  const tests: Array<(entry: IndexedNumber) => boolean> = [];
  if (filter.status) tests.push((e) => e.status === filter.status);
  if (filter.carrierConnectionId) tests.push((e) => e.stored.value.carrierConnectionId === filter.carrierConnectionId);
  if (filter.capability) {
    const capability = filter.capability;
    tests.push((e) => e.stored.value.capabilities[capability]);
  }
  if (filter.holderId) tests.push((e) => e.stored.value.holder?.id === filter.holderId);
  const search = filter.search?.trim() ?? '';
  if (search !== '') {
    const words = fold(search).split(/\s+/).filter(Boolean);
    const textMatches = (e: IndexedNumber) => words.every((word) => e.text.includes(word));
    if (PHONE_LIKE.test(search)) {
      const digits = digitsOf(search);
      tests.push((e) => e.digits.includes(digits) || textMatches(e));
    } else {
      tests.push(textMatches);
    }
  }
  return (entry) => tests.every((test) => test(entry));
}

const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byNumber = (a: IndexedNumber, b: IndexedNumber) => compareStrings(a.stored.value.number, b.stored.value.number);

/**
 * The order of a sort column; `desc` reverses the column, not the tie-break (the
 * number, ascending). Empty labels, unassigned holders and numbers without a carrier
 * come last in both directions: they are what the column is not about.
 */
export function compareNumbers(sort: NumberSort, order: 'asc' | 'desc'): (a: IndexedNumber, b: IndexedNumber) => number {
  const direction = order === 'desc' ? -1 : 1;
  if (sort === 'number') return (a, b) => direction * byNumber(a, b);
  if (sort === 'status') return (a, b) => direction * (STATUS_RANK[a.status] - STATUS_RANK[b.status]) || byNumber(a, b);
  const key =
    sort === 'label' ? (e: IndexedNumber) => e.labelKey : sort === 'holder' ? (e: IndexedNumber) => e.holderKey : (e: IndexedNumber) => e.stored.value.carrierConnectionId ?? '';
  return (a, b) => {
    const [left, right] = [key(a), key(b)];
    if (left === '' || right === '') return (left === '' ? 1 : 0) - (right === '' ? 1 : 0) || byNumber(a, b);
    return direction * compareStrings(left, right) || byNumber(a, b);
  };
}

/** One page of `sorted` (already in the query's order) after the filters. */
export function pageOf(sorted: readonly IndexedNumber[], query: Partial<NumberQuery>): { items: IndexedNumber[]; total: number; offset: number; limit: number } {
  const offset = query.offset ?? 0;
  const limit = Math.min(query.limit ?? DEFAULT_NUMBER_PAGE_SIZE, MAX_NUMBER_PAGE_SIZE);
  const matches = numberFilter(query);
  const items: IndexedNumber[] = [];
  let total = 0;
  for (const entry of sorted) {
    if (!matches(entry)) continue;
    if (total >= offset && items.length < limit) items.push(entry);
    total++;
  }
  return { items, total, offset, limit };
}
