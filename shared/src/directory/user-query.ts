import { z } from 'zod';
import type { Stored } from '../store/repository';
import { MAX_TAGS_PER_USER, smsState, type DirectoryUser } from './user';
import type { GroupOwnedNumber } from './user-view';
import { digitsOf } from '../rules/phone';

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

/** Bits of `IndexedUser.flags`: the yes/no state the filters test, packed so a filter tests one number. */
export const FLAG = {
  removed: 1,
  outsideSelection: 2,
  unlicensed: 4,
  smsEnabled: 8,
  smsDisabled: 16,
  smsNotConfigured: 32,
  chatAllow: 64,
  chatDeny: 128,
} as const;
const SMS_FLAGS = FLAG.smsEnabled | FLAG.smsDisabled | FLAG.smsNotConfigured;

/** A user with everything a query compares worked out once. Treat as immutable. */
export interface IndexedUser {
  /** Unique within a snapshot (tag indexes refer to users by it). */
  readonly seq: number;
  readonly user: DirectoryUser;
  readonly etag: string;
  readonly groupNumbers: readonly GroupOwnedNumber[];
  /** `FLAG` bits. */
  readonly flags: number;
  /** Folded (lower case, no accents) username, display name, mail, numbers and tags, one per line. */
  readonly text: string;
  /** The digits of each SMS number (own and group), space-separated. */
  readonly digits: string;
  /** Tags in lower case, for exact tag filters. */
  readonly tagKeys: readonly string[];
  /** The same, as one string: `\u0001vip\u0001sales\u0001` (one lookup per tag filter). */
  readonly tagText: string;
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


/** Tags compare ignoring case, the rule of `tagListSchema`. */
export const tagKey = (tag: string) => tag.trim().toLocaleLowerCase();

const SMS_RANK = { enabled: 0, disabled: 1, 'not-configured': 2 } as const;
const SMS_FLAG = { enabled: FLAG.smsEnabled, disabled: FLAG.smsDisabled, 'not-configured': FLAG.smsNotConfigured } as const;

export function indexUser(stored: Stored<DirectoryUser>, groupNumbers: readonly GroupOwnedNumber[] = [], seq = 0): IndexedUser {
  const user = stored.value;
  const numbers = [...user.sms.numbers, ...groupNumbers.map((g) => g.number)];
  const sms = smsState(user);
  const tagKeys = user.tags.map(tagKey);
  const flags =
    (user.removed ? FLAG.removed : 0) |
    (user.inSelection ? 0 : FLAG.outsideSelection) |
    (user.teamsLicensed ? 0 : FLAG.unlicensed) |
    SMS_FLAG[sms] |
    (user.chatAccess === 'allow' ? FLAG.chatAllow : user.chatAccess === 'deny' ? FLAG.chatDeny : 0);
  return {
    seq,
    user,
    etag: stored.etag,
    groupNumbers,
    flags,
    // The mail is left out when it repeats the username (it mostly does): less text to scan.
    text: fold([user.userPrincipalName, user.displayName, user.mail && user.mail.toLowerCase() !== user.userPrincipalName.toLowerCase() ? user.mail : '', ...numbers, ...user.tags].join('\n')),
    digits: numbers.map(digitsOf).join(' '),
    tagKeys,
    tagText: `\u0001${tagKeys.join('\u0001')}\u0001`,
    usernameKey: fold(user.userPrincipalName),
    displayNameKey: fold(user.displayName),
    numbersKey: [...numbers].sort().join(' '),
    tagsKey: user.tags.map(fold).sort().join('\u0001'),
    smsRank: SMS_RANK[sms],
  };
}

/** A search term made only of digits and phone formatting (`+`, spaces, `()`, `-`, `.`, `/`). */
const PHONE_LIKE = /^[+\d\s().\-/]*\d[+\d\s().\-/]*$/;
export const isPhoneLike = (search: string) => PHONE_LIKE.test(search);

/**
 * True when every user matching `next` also matches `previous` (the same other
 * filters assumed): the search was only typed further, so the previous matches can
 * be narrowed instead of scanning everyone again.
 */
export function searchNarrows(previous: string, next: string): boolean {
  const [before, after] = [previous.trim(), next.trim()];
  return before !== '' && after.startsWith(before) && fold(after).startsWith(fold(before)) && isPhoneLike(before) === isPhoneLike(after);
}

type Predicate = (entry: IndexedUser) => boolean;

/**
 * A filter compiled for speed: the yes/no conditions as one bit test on the flags
 * (`(flags & mask) === want`, which needs no access to the user at all), and the
 * text conditions as predicates run only on users that pass it.
 */
export interface CompiledFilter {
  mask: number;
  want: number;
  /** With a tag index: 1 at the `seq` of each user having every wanted tag; undefined when no tag is wanted. */
  tagMark: Uint8Array | undefined;
  /** Undefined when there is no text condition. */
  text: Predicate | undefined;
  /** Both parts together, for one user. */
  matches: Predicate;
}

function containsAll(haystack: string, needles: readonly string[]): boolean {
  for (let i = 0; i < needles.length; i++) if (!haystack.includes(needles[i]!)) return false;
  return true;
}


/** Which users (by `seq`) have each tag; a snapshot keeps one so tag filters need not read every user. */
export interface TagIndex {
  /** The users with this tag (a lower-cased key), or undefined when nobody has it. */
  usersWithTag(key: string): ReadonlySet<number> | undefined;
  /** One more than the highest `seq` in use. */
  readonly seqLimit: number;
}

/** Marks the users having every tag of `keys`, walking the smallest tag's users only. */
function markTagged(index: TagIndex, keys: readonly string[]): Uint8Array {
  const mark = new Uint8Array(index.seqLimit);
  const sets = keys.map((key) => index.usersWithTag(key));
  if (sets.some((set) => set === undefined)) return mark;
  const [smallest, ...others] = (sets as ReadonlySet<number>[]).sort((a, b) => a.size - b.size);
  for (const seq of smallest!) if (others.every((set) => set.has(seq))) mark[seq] = 1;
  return mark;
}

/** The filter a query describes (all of its parts must hold). */
export function compileFilter(filter: Partial<UserFilter>, context: QueryContext, tagIndex?: TagIndex): CompiledFilter {
  let mask = 0;
  let want = 0;
  const require = (bits: number, value: number) => {
    mask |= bits;
    want |= value;
  };
  const status = filter.status ?? 'active';
  if (status === 'active') require(FLAG.removed, 0);
  else if (status === 'removed') require(FLAG.removed, FLAG.removed);
  if (filter.license) require(FLAG.unlicensed, filter.license === 'with' ? 0 : FLAG.unlicensed);
  if (filter.services) require(SMS_FLAGS, SMS_FLAG[filter.services.slice('sms-'.length) as keyof typeof SMS_FLAG]);
  if (filter.selection) require(FLAG.outsideSelection, filter.selection === 'in' ? 0 : FLAG.outsideSelection);
  if (filter.chat) {
    const on = filter.chat === 'on';
    // Enterprise Chat on: a user's chip is on unless denied. Off: on only if allowed.
    if (context.enterpriseChatEnabled) require(FLAG.chatDeny, on ? 0 : FLAG.chatDeny);
    else require(FLAG.chatAllow, on ? FLAG.chatAllow : 0);
  }

  const tests: Predicate[] = [];
  const search = filter.search?.trim() ?? '';
  if (search !== '') {
    const words = fold(search).split(/\s+/).filter(Boolean);
    if (PHONE_LIKE.test(search)) {
      const digits = digitsOf(search);
      tests.push((e) => e.digits.includes(digits) || containsAll(e.text, words));
    } else {
      tests.push((e) => containsAll(e.text, words));
    }
  }
  const username = fold(filter.username?.trim() ?? '');
  if (username !== '') tests.push((e) => e.usernameKey.includes(username));
  const displayName = fold(filter.displayName?.trim() ?? '');
  if (displayName !== '') tests.push((e) => e.displayNameKey.includes(displayName));
  const numberDigits = digitsOf(filter.smsNumber ?? '');
  if (numberDigits !== '') tests.push((e) => e.digits.includes(numberDigits));
  const tags = [...new Set((filter.tag ?? []).map(tagKey).filter(Boolean))];
  const tagMark = tags.length > 0 && tagIndex ? markTagged(tagIndex, tags) : undefined;
  if (tags.length > 0 && !tagMark) {
    const delimited = tags.map((tag) => `\u0001${tag}\u0001`);
    // The string test is fast; the exact one settles the rare tag that contains the delimiter.
    tests.push((e) => containsAll(e.tagText, delimited) && tags.every((tag) => e.tagKeys.includes(tag)));
  }

  const text: Predicate | undefined =
    tests.length === 0
      ? undefined
      : tests.length === 1
        ? tests[0]
        : (e) => {
            for (let i = 0; i < tests.length; i++) if (!tests[i]!(e)) return false;
            return true;
          };
  const matches: Predicate = (e) => (e.flags & mask) === want && (tagMark === undefined || tagMark[e.seq] === 1) && (text === undefined || text(e));
  return { mask, want, tagMark, text, matches };
}

const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const chatOn = (flags: number, enterpriseChatEnabled: boolean) => (enterpriseChatEnabled ? (flags & FLAG.chatDeny) === 0 : (flags & FLAG.chatAllow) !== 0);

/** Ties break by Teams username, then id, always ascending: the order is total and stable. */
const tieBreak = (a: IndexedUser, b: IndexedUser) => compareStrings(a.usernameKey, b.usernameKey) || compareStrings(a.user.id, b.user.id);

/** The primary key of a string column; '' sorts last in both directions. */
const STRING_KEY = {
  displayName: (e: IndexedUser) => e.displayNameKey,
  smsNumbers: (e: IndexedUser) => e.numbersKey,
  tags: (e: IndexedUser) => e.tagsKey,
} as const;
const EMPTY_LAST = new Set<UserSort>(['smsNumbers', 'tags']);

/** The rank of a user in a column with few values (licence, services); lower first in ascending order. */
function rankOf(sort: 'license' | 'services', context: QueryContext): (e: IndexedUser) => number {
  if (sort === 'license') return (e) => (e.flags & FLAG.unlicensed ? 1 : 0);
  return (e) => e.smsRank * 2 + (chatOn(e.flags, context.enterpriseChatEnabled) ? 0 : 1);
}

/**
 * The order of a sort column. `desc` reverses the column, not the tie-break. For SMS
 * numbers and tags, users with none come last in both directions (they are what
 * the column is not about); licence puts "with" first, services order the SMS chip
 * enabled, disabled, not configured, then Chat on before off.
 */
export function compareFor(sort: UserSort, order: SortOrder, context: QueryContext): (a: IndexedUser, b: IndexedUser) => number {
  const direction = order === 'desc' ? -1 : 1;
  if (sort === 'username') return (a, b) => direction * compareStrings(a.usernameKey, b.usernameKey) || compareStrings(a.user.id, b.user.id);
  if (sort === 'license' || sort === 'services') {
    const rank = rankOf(sort, context);
    return (a, b) => direction * (rank(a) - rank(b)) || tieBreak(a, b);
  }
  const key = STRING_KEY[sort];
  const emptyLast = EMPTY_LAST.has(sort);
  return (a, b) => {
    const left = key(a);
    const right = key(b);
    if (emptyLast && (left === '' || right === '')) return (left === '' ? 1 : 0) - (right === '' ? 1 : 0) || tieBreak(a, b);
    return direction * compareStrings(left, right) || tieBreak(a, b);
  };
}

/**
 * Sorts users into the order `compareFor` defines, quickly: starting from the
 * username order, a column with few values is a stable bucket pass (no comparisons)
 * and a string column a stable sort on its key alone (ties keep username order).
 */
export function sortUsers(users: Iterable<IndexedUser>, sort: UserSort, order: SortOrder, context: QueryContext, byUsername?: readonly IndexedUser[]): IndexedUser[] {
  const base = byUsername ?? [...users].sort(compareFor('username', 'asc', context));
  if (sort === 'username') return order === 'asc' ? [...base] : [...base].sort(compareFor('username', 'desc', context));
  if (sort === 'license' || sort === 'services') {
    const rank = rankOf(sort, context);
    const buckets: IndexedUser[][] = [];
    for (const entry of base) (buckets[rank(entry)] ??= []).push(entry);
    const ordered = order === 'asc' ? buckets : [...buckets].reverse();
    return ordered.flatMap((bucket) => bucket ?? []);
  }
  const key = STRING_KEY[sort];
  const direction = order === 'desc' ? -1 : 1;
  const emptyLast = EMPTY_LAST.has(sort);
  const keyed = emptyLast ? base.filter((e) => key(e) !== '') : [...base];
  keyed.sort((a, b) => direction * compareStrings(key(a), key(b)));
  return emptyLast ? keyed.concat(base.filter((e) => key(e) === '')) : keyed;
}

/** The cache key of a sort order; the services order also depends on the enterprise's Chat switch. */
export const sortKey = (sort: UserSort, order: SortOrder, context: QueryContext) =>
  sort === 'services' ? `${sort}:${order}:${context.enterpriseChatEnabled ? 'chat-on' : 'chat-off'}` : `${sort}:${order}`;

/** Users in one sort order, with their flags and seqs alongside in compact arrays (scanned without touching the users). */
export interface SortedUsers {
  readonly users: readonly IndexedUser[];
  readonly flags: Uint16Array;
  readonly seqs: Int32Array;
}

export function withFlags(users: readonly IndexedUser[]): SortedUsers {
  const flags = new Uint16Array(users.length);
  const seqs = new Int32Array(users.length);
  for (let i = 0; i < users.length; i++) {
    flags[i] = users[i]!.flags;
    seqs[i] = users[i]!.seq;
  }
  return { users, flags, seqs };
}

export interface QueryResult {
  items: IndexedUser[];
  total: number;
  offset: number;
  limit: number;
}

/** Provides the users in a sort order; a snapshot answers from its cache. */
export type Sorter = (sort: UserSort, order: SortOrder, context: QueryContext) => SortedUsers;

export const sortNow =
  (users: Iterable<IndexedUser>): Sorter =>
  (sort, order, context) =>
    withFlags(sortUsers(users, sort, order, context));

/** Every matching user, in order (for exports and bulk actions). */
export function* matchingUsers(sorted: SortedUsers, filter: Partial<UserFilter>, context: QueryContext, tagIndex?: TagIndex): Generator<IndexedUser> {
  const { mask, want, tagMark, text } = compileFilter(filter, context, tagIndex);
  const { users, flags, seqs } = sorted;
  for (let i = 0; i < users.length; i++) {
    if ((flags[i]! & mask) !== want) continue;
    if (tagMark !== undefined && tagMark[seqs[i]!] !== 1) continue;
    const entry = users[i]!;
    if (text === undefined || text(entry)) yield entry;
  }
}

/** Everything of a query but the search and the page: queries with the same key differ only in those. */
export function filterKey(query: Partial<UserQuery>, context: QueryContext): string {
  const { search: _search, offset: _offset, limit: _limit, ...rest } = query;
  return JSON.stringify([rest.status ?? 'active', rest.sort ?? 'username', rest.order ?? 'asc', rest.username ?? '', rest.displayName ?? '', rest.smsNumber ?? '', rest.tag ?? [], rest.license ?? '', rest.services ?? '', rest.chat ?? '', rest.selection ?? '', context.enterpriseChatEnabled]);
}

/** The users of `candidates` (in order) that the filter matches. */
export function filterUsers(candidates: readonly IndexedUser[], filter: CompiledFilter): IndexedUser[] {
  const { mask, want, tagMark, text } = filter;
  const result: IndexedUser[] = [];
  for (let i = 0; i < candidates.length; i++) {
    const entry = candidates[i]!;
    if ((entry.flags & mask) === want && (tagMark === undefined || tagMark[entry.seq] === 1) && (text === undefined || text(entry))) result.push(entry);
  }
  return result;
}

/** One page of the query, and how many users match in all. */
export function queryUsers(users: Iterable<IndexedUser> | Sorter, query: Partial<UserQuery>, context: QueryContext, tagIndex?: TagIndex): QueryResult {
  const sorter = typeof users === 'function' ? users : sortNow(users);
  const offset = query.offset ?? 0;
  const limit = Math.min(query.limit ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  const sorted = sorter(query.sort ?? 'username', query.order ?? 'asc', context);
  const { mask, want, tagMark, text } = compileFilter(query, context, tagIndex);
  const items: IndexedUser[] = [];
  const end = offset + limit;
  const { users: list, flags, seqs } = sorted;
  let total = 0;
  for (let i = 0; i < list.length; i++) {
    if ((flags[i]! & mask) !== want) continue;
    if (tagMark !== undefined && tagMark[seqs[i]!] !== 1) continue;
    if (text !== undefined && !text(list[i]!)) continue;
    if (total >= offset && total < end) items.push(list[i]!);
    total++;
  }
  return { items, total, offset, limit };
}
