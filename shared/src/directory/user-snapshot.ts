import type { Stored } from '../store/repository';
import { countTags, type TagCount } from './tags';
import type { DirectoryUser } from './user';
import {
  compareFor,
  compileFilter,
  DEFAULT_PAGE_SIZE,
  filterKey,
  filterUsers,
  indexUser,
  matchingUsers,
  MAX_PAGE_SIZE,
  queryUsers,
  searchNarrows,
  sortKey,
  sortUsers,
  withFlags,
  type IndexedUser,
  type QueryContext,
  type QueryResult,
  type SortedUsers,
  type SortOrder,
  type TagIndex,
  type UserFilter,
  type UserQuery,
  type UserSort,
} from './user-query';
import type { GroupOwnedNumber } from './user-view';

/** More changes than this at once drop the cached sort orders instead of repairing them. */
const REPAIR_LIMIT = 200;

interface CachedOrder {
  compare: (a: IndexedUser, b: IndexedUser) => number;
  sorted: SortedUsers;
}

/**
 * One enterprise's users in memory, indexed for the Users page. Sort orders are
 * computed on first use and kept; a change repositions the changed users in each
 * kept order (copy-on-write: a list handed out earlier, e.g. to an export still
 * being written, never changes under its reader).
 */
export class UserSnapshot implements TagIndex {
  private readonly users = new Map<string, IndexedUser>();
  private readonly orders = new Map<string, CachedOrder>();
  private readonly tagged = new Map<string, Set<number>>();
  private nextSeq = 0;
  /** The last search's matches, for narrowing on the next keystroke (valid while its sorted list is current). */
  private lastSearch?: { sorted: SortedUsers; key: string; search: string; matches: readonly IndexedUser[] };

  constructor(
    readonly enterpriseId: string,
    private readonly groupNumbers: ReadonlyMap<string, readonly GroupOwnedNumber[]>,
    /** When the load began (ms): the data is at least this fresh. */
    readonly loadedAt: number,
  ) {}

  get size(): number {
    return this.users.size;
  }

  get(id: string): IndexedUser | undefined {
    return this.users.get(id);
  }

  values(): IterableIterator<IndexedUser> {
    return this.users.values();
  }

  groupNumbersOf(id: string): readonly GroupOwnedNumber[] {
    return this.groupNumbers.get(id) ?? [];
  }

  get seqLimit(): number {
    return this.nextSeq;
  }

  usersWithTag(key: string): ReadonlySet<number> | undefined {
    return this.tagged.get(key);
  }

  private index(stored: Stored<DirectoryUser>): IndexedUser {
    const entry = indexUser(stored, this.groupNumbersOf(stored.value.id), this.nextSeq++);
    for (const key of entry.tagKeys) {
      let set = this.tagged.get(key);
      if (!set) this.tagged.set(key, (set = new Set()));
      set.add(entry.seq);
    }
    return entry;
  }

  private unindex(entry: IndexedUser): void {
    for (const key of entry.tagKeys) {
      const set = this.tagged.get(key);
      set?.delete(entry.seq);
      if (set?.size === 0) this.tagged.delete(key);
    }
  }

  /** Adds a user while loading (no sort order exists yet). */
  load(stored: Stored<DirectoryUser>): void {
    const old = this.users.get(stored.value.id);
    if (old) this.unindex(old);
    this.users.set(stored.value.id, this.index(stored));
  }

  /** Adds or replaces users and removes deleted ones, keeping the cached orders right. */
  apply(upserted: readonly Stored<DirectoryUser>[], deletedIds: readonly string[] = []): void {
    const repair = upserted.length + deletedIds.length <= REPAIR_LIMIT;
    if (!repair) this.orders.clear();
    const removed: IndexedUser[] = [];
    const added: IndexedUser[] = [];
    for (const id of deletedIds) {
      const old = this.users.get(id);
      if (!old) continue;
      this.users.delete(id);
      this.unindex(old);
      removed.push(old);
    }
    for (const stored of upserted) {
      if (stored.value.enterpriseId !== this.enterpriseId) continue;
      const old = this.users.get(stored.value.id);
      if (old) this.unindex(old);
      const entry = this.index(stored);
      this.users.set(stored.value.id, entry);
      if (old) removed.push(old);
      added.push(entry);
    }
    if (!repair || (removed.length === 0 && added.length === 0)) return;
    const gone = new Set(removed);
    for (const [key, order] of this.orders) {
      const users = gone.size > 0 ? order.sorted.users.filter((user) => !gone.has(user)) : [...order.sorted.users];
      for (const entry of added) users.splice(insertionPoint(users, entry, order.compare), 0, entry);
      this.orders.set(key, { compare: order.compare, sorted: withFlags(users) });
    }
  }

  /** The users in a sort order, from the cache when it has it. */
  sorted(sort: UserSort, order: SortOrder, context: QueryContext): SortedUsers {
    const key = sortKey(sort, order, context);
    let cached = this.orders.get(key);
    if (!cached) {
      const byUsername = sort === 'username' && order === 'asc' ? undefined : this.sorted('username', 'asc', context).users;
      cached = { compare: compareFor(sort, order, context), sorted: withFlags(sortUsers(this.users.values(), sort, order, context, byUsername)) };
      this.orders.set(key, cached);
    }
    return cached.sorted;
  }

  /**
   * One page. Searches are remembered (one per snapshot): when the next query only
   * types the search further, the previous matches are narrowed instead of all users
   * scanned again, which is what quick-search keystrokes do.
   */
  query(query: Partial<UserQuery>, context: QueryContext): QueryResult {
    const search = query.search?.trim() ?? '';
    const sorted = this.sorted(query.sort ?? 'username', query.order ?? 'asc', context);
    if (search === '') return queryUsers(() => sorted, query, context, this);
    const key = filterKey(query, context);
    const last = this.lastSearch;
    const candidates = last && last.sorted === sorted && last.key === key && searchNarrows(last.search, search) ? last.matches : sorted.users;
    const matches = filterUsers(candidates, compileFilter(query, context, this));
    this.lastSearch = { sorted, key, search, matches };
    const offset = query.offset ?? 0;
    const limit = Math.min(query.limit ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    return { items: matches.slice(offset, offset + limit), total: matches.length, offset, limit };
  }

  /** Every user the filter matches, in its sort order. */
  matching(filter: Partial<UserFilter>, context: QueryContext): Generator<IndexedUser> {
    return matchingUsers(this.sorted(filter.sort ?? 'username', filter.order ?? 'asc', context), filter, context, this);
  }

  tagCounts(): TagCount[] {
    return countTags([...this.users.values()].map((entry) => entry.user.tags));
  }
}

/** Where `entry` goes in the sorted `users` (binary search). */
function insertionPoint(users: readonly IndexedUser[], entry: IndexedUser, compare: (a: IndexedUser, b: IndexedUser) => number): number {
  let low = 0;
  let high = users.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compare(users[middle]!, entry) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}
