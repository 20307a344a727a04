import type { Stored } from '../store/repository';
import { RecentReads } from '../store/recent-reads';
import { SnapshotCache, type SnapshotCacheOptions } from '../store/snapshot-cache';
import type { PhoneNumberEntry } from './number';
import { compareNumbers, indexNumber, type IndexedNumber, type NumberSort } from './number-query';
import type { NumberRepository } from './number-repository';

/**
 * One enterprise's numbers in memory, indexed for the Numbers page, the "available
 * numbers" list and holder look-ups. Sorted orders are computed on first use and
 * dropped on any change (numbers change far less often than they are listed).
 */
export class NumberSnapshot {
  private readonly entries = new Map<string, IndexedNumber>();
  private readonly byHolder = new Map<string, Set<string>>();
  private readonly orders = new Map<string, IndexedNumber[]>();

  constructor(
    readonly enterpriseId: string,
    /** When the load began (ms): the data is at least this fresh. */
    readonly loadedAt: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(number: string): IndexedNumber | undefined {
    return this.entries.get(number);
  }

  values(): IterableIterator<IndexedNumber> {
    return this.entries.values();
  }

  /** The numbers this user or group holds, as far as this snapshot knows. */
  heldBy(type: 'user' | 'group', id: string): string[] {
    return [...(this.byHolder.get(`${type}:${id}`) ?? [])];
  }

  put(stored: Stored<PhoneNumberEntry>): void {
    this.remove(stored.value.number);
    const entry = indexNumber(stored);
    this.entries.set(stored.value.number, entry);
    const holder = stored.value.holder;
    if (holder) {
      const key = `${holder.type}:${holder.id}`;
      let set = this.byHolder.get(key);
      if (!set) this.byHolder.set(key, (set = new Set()));
      set.add(stored.value.number);
    }
  }

  remove(number: string): void {
    const old = this.entries.get(number);
    if (!old) return;
    this.entries.delete(number);
    const holder = old.stored.value.holder;
    if (holder) {
      const key = `${holder.type}:${holder.id}`;
      const set = this.byHolder.get(key);
      set?.delete(number);
      if (set?.size === 0) this.byHolder.delete(key);
    }
  }

  apply(upserted: readonly Stored<PhoneNumberEntry>[], deleted: readonly string[] = []): void {
    if (upserted.length === 0 && deleted.length === 0) return;
    for (const number of deleted) this.remove(number);
    for (const stored of upserted) if (stored.value.enterpriseId === this.enterpriseId) this.put(stored);
    this.orders.clear();
  }

  /** Every number in a sort order (kept until the next change; treat as read-only). */
  sorted(sort: NumberSort, order: 'asc' | 'desc'): readonly IndexedNumber[] {
    const key = `${sort}:${order}`;
    let sorted = this.orders.get(key);
    if (!sorted) {
      sorted = [...this.entries.values()].sort(compareNumbers(sort, order));
      this.orders.set(key, sorted);
    }
    return sorted;
  }
}

export interface NumberCacheOptions extends SnapshotCacheOptions {
  /** How long a number's row read for a send or a route is reused (default ROW_MAX_AGE_MS). */
  rowMaxAgeMs?: number;
}

/**
 * Sends and routing read the number's own row (who holds it, its carrier): reused for
 * this long, so a busy number costs one read per few seconds instead of one per message.
 * This process's writes replace it at once; another process's show within this time.
 */
export const ROW_MAX_AGE_MS = 5_000;
/** Rows kept at most (the longest unread go first). */
const MAX_ROWS = 50_000;

/**
 * The per-enterprise number snapshots, shared by the inventory, the SMS assignments
 * and the SMS groups: loaded on first use, kept current by this process's writes
 * (write-through with the stored ETags), refreshed from storage when older than the
 * TTL (the read that notices is answered from the snapshot it has meanwhile), so
 * writes by other processes show within the TTL.
 */
export class NumberCache {
  private readonly cache: SnapshotCache<PhoneNumberEntry, NumberSnapshot>;
  /** Rows read by `row`, per `{enterprise}|{number}`. */
  private readonly rows: RecentReads<Stored<PhoneNumberEntry> | undefined>;

  constructor(
    private readonly numbers: NumberRepository,
    options: NumberCacheOptions = {},
  ) {
    this.cache = new SnapshotCache(async (enterpriseId, startedAt) => {
      const snapshot = new NumberSnapshot(enterpriseId, startedAt);
      for await (const stored of numbers.all(enterpriseId)) snapshot.put(stored);
      return snapshot;
    }, options);
    this.rows = new RecentReads({ maxAgeMs: options.rowMaxAgeMs ?? ROW_MAX_AGE_MS, max: MAX_ROWS, clock: options.clock ?? Date.now });
  }

  /** The number's row as stored, at most `rowMaxAgeMs` behind other processes' writes and never behind this one's. */
  row(enterpriseId: string, number: string): Promise<Stored<PhoneNumberEntry> | undefined> {
    return this.rows.get(`${enterpriseId}|${number}`, () => this.numbers.get(enterpriseId, number));
  }

  /** The snapshot if one is in memory (however old), without loading: for hot paths that only use it as a hint. */
  peek(enterpriseId: string): NumberSnapshot | undefined {
    return this.cache.peek(enterpriseId);
  }

  invalidate(enterpriseId: string): void {
    this.cache.invalidate(enterpriseId);
    this.rows.forget((key) => key.startsWith(`${enterpriseId}|`));
  }

  /** Numbers written (as stored, with their new ETags) or deleted. */
  apply(enterpriseId: string, upserted: readonly Stored<PhoneNumberEntry>[], deleted: readonly string[] = []): void {
    this.cache.apply(enterpriseId, upserted, deleted);
    for (const stored of upserted) this.rows.set(`${stored.value.enterpriseId}|${stored.value.number}`, stored);
    for (const number of deleted) this.rows.set(`${enterpriseId}|${number}`, undefined);
  }

  /** The enterprise's snapshot; `fresh` waits for a reload when the one in memory is older than the TTL. */
  snapshot(enterpriseId: string, mode: 'serve-stale' | 'fresh' = 'serve-stale'): Promise<NumberSnapshot> {
    return this.cache.get(enterpriseId, mode);
  }
}
