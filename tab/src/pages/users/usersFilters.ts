import type { UserSort, SortOrder } from '@switchboard/shared';
import type { UsersFilter } from '../../api/users';

/**
 * The Users page's search, column filters and sort as one value, and how it turns
 * into the API query and into the chips that show each active filter.
 */
export interface UsersFilters {
  search: string;
  username: string;
  smsNumber: string;
  /** Exact tags (case-insensitive); a user must have all of them. */
  tags: string[];
  license: '' | 'with' | 'without';
  services: '' | 'sms-enabled' | 'sms-disabled' | 'sms-not-configured';
  /** '' is the active users; the others are the ones to review (and purge). */
  status: '' | 'outside' | 'removed';
  sort: UserSort;
  order: SortOrder;
}

export const EMPTY_FILTERS: UsersFilters = { search: '', username: '', smsNumber: '', tags: [], license: '', services: '', status: '', sort: 'username', order: 'asc' };

export const LICENSE_OPTIONS = { with: 'With Teams License', without: 'Without Teams License' } as const;
export const SERVICE_OPTIONS = { 'sms-enabled': 'SMS Enabled', 'sms-disabled': 'SMS Disabled', 'sms-not-configured': 'SMS not configured' } as const;
export const STATUS_OPTIONS = { outside: 'Outside selection', removed: 'Removed from the directory' } as const;

const oneOf = <T extends string>(value: string | null, allowed: readonly T[]): T | '' => ((allowed as readonly string[]).includes(value ?? '') ? (value as T) : '');

/** The filters a link asks for (`?license=without&services=sms-enabled`); unknown names and values are ignored. */
export function filtersFromLink(params: URLSearchParams): UsersFilters {
  return {
    ...EMPTY_FILTERS,
    license: oneOf(params.get('license'), ['with', 'without'] as const),
    services: oneOf(params.get('services'), ['sms-enabled', 'sms-disabled', 'sms-not-configured'] as const),
    status: oneOf(params.get('status'), ['outside', 'removed'] as const),
  };
}

/** The query the server runs: empty parts left out. */
export function toQuery(filters: UsersFilters): UsersFilter {
  const query: UsersFilter = { sort: filters.sort, order: filters.order };
  const search = filters.search.trim();
  if (search) query.search = search;
  if (filters.username.trim()) query.username = filters.username.trim();
  if (filters.smsNumber.trim()) query.smsNumber = filters.smsNumber.trim();
  if (filters.tags.length > 0) query.tag = [...filters.tags];
  if (filters.license) query.license = filters.license;
  if (filters.services) query.services = filters.services;
  if (filters.status === 'outside') query.selection = 'outside';
  if (filters.status === 'removed') query.status = 'removed';
  return query;
}

/** A stable key for a query: the same key means the same rows. */
export const queryKey = (filters: UsersFilters) => JSON.stringify(toQuery(filters));

export type ChipKey = 'search' | 'username' | 'smsNumber' | 'license' | 'services' | 'status' | `tag:${string}`;

export interface FilterChip {
  key: ChipKey;
  label: string;
}

/** One chip per active filter, in the order of the columns. */
export function activeChips(filters: UsersFilters): FilterChip[] {
  const chips: FilterChip[] = [];
  if (filters.search.trim()) chips.push({ key: 'search', label: `Search: ${filters.search.trim()}` });
  if (filters.username.trim()) chips.push({ key: 'username', label: `Teams username: ${filters.username.trim()}` });
  if (filters.smsNumber.trim()) chips.push({ key: 'smsNumber', label: `SMS number: ${filters.smsNumber.trim()}` });
  if (filters.license) chips.push({ key: 'license', label: LICENSE_OPTIONS[filters.license] });
  if (filters.services) chips.push({ key: 'services', label: SERVICE_OPTIONS[filters.services] });
  if (filters.status) chips.push({ key: 'status', label: STATUS_OPTIONS[filters.status] });
  for (const tag of filters.tags) chips.push({ key: `tag:${tag}`, label: `Tag: ${tag}` });
  return chips;
}

/** The filters without the one a chip stands for. */
export function withoutChip(filters: UsersFilters, key: ChipKey): UsersFilters {
  if (key.startsWith('tag:')) {
    const tag = key.slice(4).toLocaleLowerCase();
    return { ...filters, tags: filters.tags.filter((t) => t.toLocaleLowerCase() !== tag) };
  }
  return { ...filters, [key]: '' };
}

/** Adds a tag filter, ignoring case duplicates. */
export function withTag(filters: UsersFilters, tag: string): UsersFilters {
  const trimmed = tag.trim();
  if (!trimmed || filters.tags.some((t) => t.toLocaleLowerCase() === trimmed.toLocaleLowerCase())) return filters;
  return { ...filters, tags: [...filters.tags, trimmed] };
}

/** True when anything narrows the list (sort alone does not). */
export const isFiltered = (filters: UsersFilters) => activeChips(filters).length > 0;

/** Keeps the sort, drops every filter. */
export const resetFilters = (filters: UsersFilters): UsersFilters => ({ ...EMPTY_FILTERS, sort: filters.sort, order: filters.order });

/** "1,234 of 50,000 users". */
export function countLabel(matching: number, total: number | undefined, locale?: string): string {
  const n = (value: number) => value.toLocaleString(locale ?? 'en-US');
  const noun = (total ?? matching) === 1 ? 'user' : 'users';
  if (total === undefined || total === matching) return `${n(matching)} ${noun}`;
  return `${n(matching)} of ${n(total)} ${noun}`;
}
