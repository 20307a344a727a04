import { z } from 'zod';
import type { Stored } from '../store/repository';
import { MAX_TAGS_PER_USER, smsState, chatEnabledFor, type DirectoryUser } from './user';
import type { GroupOwnedNumber } from './user-view';

/**
 * The Users page query as a pure function over indexed users: quick search,
 * per-column filters that stack (AND), sorting with a stable tie-break, paging.
 * Everything a query compares is worked out once per user (`indexUser`), so a
 * query is one pass over an already sorted list.
 */

export const userSortValues = ['username', 'displayName', 'smsNumbers', 'license', 'services', 'tags'] as const;
export type UserSort = (typeof userSortValues)[number];
export type SortOrder = 'asc' | 'desc';

export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 100;

const text = (max: number) => z.string().trim().max(max, `Use at most ${max} characters.`);

/** A repeatable query parameter: `tag=a&tag=b`. */
const tagFilterSchema = z
  .union([text(100), z.array(text(100))])
  .transform((value) => (Array.isArray(value) ? value : [value]).filter((tag) => tag !== ''))
  .refine((tags) => tags.length <= MAX_TAGS_PER_USER, `A user has at most ${MAX_TAGS_PER_USER} tags: filter by at most ${MAX_TAGS_PER_USER}.`);

/** Search, filters and sort: the query string of the Users page, and of its export. */
export const userFilterSchema = z.object({
  search: text(200)
    .optional()
    .describe('Quick search across Teams username, display name, mail, SMS numbers and tags. Words must all match; a number matches by its digits, ignoring formatting ("555 123" finds +15551234567).'),
  username: text(200).optional().describe('Teams username contains this (case-insensitive).'),
  displayName: text(200).optional().describe('Display name contains this (case-insensitive).'),
  smsNumber: text(40)
    .refine((value) => value === '' || /\d/.test(value), 'Give at least one digit of the number.')
    .optional()
    .describe('An SMS number of the user contains these digits (formatting ignored).'),
  tag: tagFilterSchema.optional().describe('The user has this tag (case-insensitive). Repeat for several: the user must have all.'),
  license: z.enum(['with', 'without']).optional().describe('With or without a Teams licence.'),
  services: z.enum(['sms-enabled', 'sms-disabled', 'sms-not-configured']).optional().describe('The SMS chip.'),
  chat: z.enum(['on', 'off']).optional().describe('The CHT chip.'),
  selection: z.enum(['in', 'outside']).optional().describe('Inside or outside the sync group selection.'),
  status: z.enum(['active', 'removed', 'all']).default('active').describe('Active users (default), users removed from the directory, or all.'),
  sort: z.enum(userSortValues).default('username').describe('Column to sort by; ties are broken by Teams username.'),
  order: z.enum(['asc', 'desc']).default('asc'),
});

export const userQuerySchema = userFilterSchema.extend({
  offset: z.coerce.number().int('Must be a whole number.').min(0, 'Must be 0 or more.').default(0).describe('Rows to skip.'),
  limit: z.coerce
    .number()
    .int('Must be a whole number.')
    .min(1, 'Must be at least 1.')
    .max(MAX_PAGE_SIZE, `At most ${MAX_PAGE_SIZE} rows per page.`)
    .default(DEFAULT_PAGE_SIZE)
    .describe(`Rows per page, 1 to ${MAX_PAGE_SIZE}.`),
});

export type UserFilter = z.output<typeof userFilterSchema>;
export type UserQuery = z.output<typeof userQuerySchema>;

/** What a query needs besides the users: the enterprise-wide Chat switch decides the CHT chip. */
export interface QueryContext {
  enterpriseChatEnabled: boolean;
}

/** A user with everything a query compares worked out once. Treat as immutable. */
export interface IndexedUser {
  readonly user: DirectoryUser;
  readonly etag: string;
  readonly groupNumbers: readonly GroupOwnedNumber[];
  /** Folded (lower case, no accents) username, display name, mail, numbers and tags, one per line. */
  readonly text: string;
  /** The digits of each SMS number (own and group), space-separated. */
  readonly digits: string;
  /** Tags in lower case, for exact tag filters. */
  readonly tagKeys: readonly string[];
  readonly usernameKey: string;
  readonly displayNameKey: string;
  /** Numbers sorted, joined; '' when the user has none. */
  readonly numbersKey: string;
  /** Folded tags sorted, joined; '' when the user has none. */
  readonly tagsKey: string;
  /** 0 enabled, 1 disabled, 2 not configured. */
  readonly smsRank: number;
}

/** Lower case without accents, so "emile" finds "Émile" and sorting ignores case and accents. */
export function fold(value: string): string {
  return value.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
}

export const digitsOf = (value: string) => value.replace(/\D+/g, '');

/** Tags compare ignoring case, the rule of `tagListSchema`. */
export const tagKey = (tag: string) => tag.trim().toLocaleLowerCase();

const SMS_RANK = { enabled: 0, disabled: 1, 'not-configured': 2 } as const;

export function indexUser(stored: Stored<DirectoryUser>, groupNumbers: readonly GroupOwnedNumber[] = []): IndexedUser {
  const user = stored.value;
  const numbers = [...user.sms.numbers, ...groupNumbers.map((g) => g.number)];
  const tagKeys = user.tags.map(tagKey);
  return {
    user,
    etag: stored.etag,
    groupNumbers,
    text: fold([user.userPrincipalName, user.displayName, user.mail ?? '', ...numbers, ...user.tags].join('\n')),
    digits: numbers.map(digitsOf).join(' '),
    tagKeys,
    usernameKey: fold(user.userPrincipalName),
    displayNameKey: fold(user.displayName),
    numbersKey: [...numbers].sort().join(' '),
    tagsKey: user.tags.map(fold).sort().join('\u0001'),
    smsRank: SMS_RANK[smsState(user)],
  };
}

/** A search term made only of digits and phone formatting (`+`, spaces, `()`, `-`, `.`, `/`). */
const PHONE_LIKE = /^[+\d\s().\-/]*\d[+\d\s().\-/]*$/;

type Predicate = (entry: IndexedUser) => boolean;

/** The filter a query describes, as one predicate (all of its parts must hold). */
export function compileFilter(filter: Partial<UserFilter>, context: QueryContext): Predicate {
  const tests: Predicate[] = [];
  const status = filter.status ?? 'active';
  if (status === 'active') tests.push((e) => !e.user.removed);
  else if (status === 'removed') tests.push((e) => e.user.removed);

  const search = filter.search?.trim() ?? '';
  if (search !== '') {
    const words = fold(search).split(/\s+/).filter(Boolean);
    const inText: Predicate = (e) => words.every((word) => e.text.includes(word));
    if (PHONE_LIKE.test(search)) {
      const digits = digitsOf(search);
      tests.push((e) => e.digits.includes(digits) || inText(e));
    } else {
      tests.push(inText);
    }
  }
  const username = fold(filter.username?.trim() ?? '');
  if (username !== '') tests.push((e) => e.usernameKey.includes(username));
  const displayName = fold(filter.displayName?.trim() ?? '');
  if (displayName !== '') tests.push((e) => e.displayNameKey.includes(displayName));
  const numberDigits = digitsOf(filter.smsNumber ?? '');
  if (numberDigits !== '') tests.push((e) => e.digits.includes(numberDigits));
  const tags = [...new Set((filter.tag ?? []).map(tagKey).filter(Boolean))];
  if (tags.length > 0) tests.push((e) => tags.every((tag) => e.tagKeys.includes(tag)));
  if (filter.license) {
    const licensed = filter.license === 'with';
    tests.push((e) => e.user.teamsLicensed === licensed);
  }
  if (filter.services) {
    const rank = SMS_RANK[filter.services.slice('sms-'.length) as keyof typeof SMS_RANK];
    tests.push((e) => e.smsRank === rank);
  }
  if (filter.chat) {
    const on = filter.chat === 'on';
    tests.push((e) => chatEnabledFor(e.user, context.enterpriseChatEnabled) === on);
  }
  if (filter.selection) {
    const inside = filter.selection === 'in';
    tests.push((e) => e.user.inSelection === inside);
  }
  if (tests.length === 0) return () => true;
  if (tests.length === 1) return tests[0]!;
  return (e) => {
    for (const test of tests) if (!test(e)) return false;
    return true;
  };
}

const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Ties break by Teams username, then id, always ascending: the order is total and stable. */
const tieBreak = (a: IndexedUser, b: IndexedUser) => compareStrings(a.usernameKey, b.usernameKey) || compareStrings(a.user.id, b.user.id);

/**
 * The order of a sort column. `desc` reverses the column, not the tie-break. For SMS
 * numbers and tags, users with none come last in both directions (they are what
 * the column is not about); licence puts "with" first, services order the SMS chip
 * enabled, disabled, not configured, then Chat on before off.
 */
export function compareFor(sort: UserSort, order: SortOrder, context: QueryContext): (a: IndexedUser, b: IndexedUser) => number {
  const direction = order === 'desc' ? -1 : 1;
  const withEmptyLast = (key: (e: IndexedUser) => string) => (a: IndexedUser, b: IndexedUser) => {
    const left = key(a);
    const right = key(b);
    if (left === '' || right === '') return (left === '' ? 1 : 0) - (right === '' ? 1 : 0) || tieBreak(a, b);
    return direction * compareStrings(left, right) || tieBreak(a, b);
  };
  switch (sort) {
    case 'username':
      return (a, b) => direction * compareStrings(a.usernameKey, b.usernameKey) || compareStrings(a.user.id, b.user.id);
    case 'displayName':
      return (a, b) => direction * compareStrings(a.displayNameKey, b.displayNameKey) || tieBreak(a, b);
    case 'smsNumbers':
      return withEmptyLast((e) => e.numbersKey);
    case 'tags':
      return withEmptyLast((e) => e.tagsKey);
    case 'license':
      return (a, b) => direction * (Number(b.user.teamsLicensed) - Number(a.user.teamsLicensed)) || tieBreak(a, b);
    case 'services': {
      const chatRank = (e: IndexedUser) => (chatEnabledFor(e.user, context.enterpriseChatEnabled) ? 0 : 1);
      return (a, b) => direction * (a.smsRank - b.smsRank || chatRank(a) - chatRank(b)) || tieBreak(a, b);
    }
  }
}

/** The cache key of a sort order; the services order also depends on the enterprise's Chat switch. */
export const sortKey = (sort: UserSort, order: SortOrder, context: QueryContext) =>
  sort === 'services' ? `${sort}:${order}:${context.enterpriseChatEnabled ? 'chat-on' : 'chat-off'}` : `${sort}:${order}`;

export interface QueryResult {
  items: IndexedUser[];
  total: number;
  offset: number;
  limit: number;
}

/** Provides the users in a sort order; a snapshot answers from its cache. */
export type Sorter = (sort: UserSort, order: SortOrder, context: QueryContext) => readonly IndexedUser[];

export const sortNow =
  (users: Iterable<IndexedUser>): Sorter =>
  (sort, order, context) =>
    [...users].sort(compareFor(sort, order, context));

/** Every matching user, in order (for exports and bulk actions). */
export function* matchingUsers(sorted: readonly IndexedUser[], filter: Partial<UserFilter>, context: QueryContext): Generator<IndexedUser> {
  const matches = compileFilter(filter, context);
  for (const entry of sorted) if (matches(entry)) yield entry;
}

/** One page of the query, and how many users match in all. */
export function queryUsers(users: Iterable<IndexedUser> | Sorter, query: Partial<UserQuery>, context: QueryContext): QueryResult {
  const sorter = typeof users === 'function' ? users : sortNow(users);
  const offset = query.offset ?? 0;
  const limit = Math.min(query.limit ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  const sorted = sorter(query.sort ?? 'username', query.order ?? 'asc', context);
  const matches = compileFilter(query, context);
  const items: IndexedUser[] = [];
  let total = 0;
  const end = offset + limit;
  for (const entry of sorted) {
    if (!matches(entry)) continue;
    if (total >= offset && total < end) items.push(entry);
    total++;
  }
  return { items, total, offset, limit };
}
