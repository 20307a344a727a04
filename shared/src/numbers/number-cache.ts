import type { Stored } from '../store/repository';
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

export interface NumberCacheOptions {
  /** How long a snapshot is served before a read triggers a refresh from storage. Default 15 s. */
  ttlMs?: number;
  clock?: () => number;
  onRefreshError?: (error: unknown, enterpriseId: string) => void;
}

interface CacheState {
  snapshot?: NumberSnapshot;
  loading?: Promise<NumberSnapshot>;
  /** Changes applied while a load is running; replayed on the loaded snapshot. */
  pending: Array<{ upserted: readonly Stored<PhoneNumberEntry>[]; deleted: readonly string[] }>;
}

/**
 * The per-enterprise number snapshots, shared by the inventory, the SMS assignments
 * and the SMS groups: loaded on first use, kept current by this process's writes
 * (write-through with the stored ETags), refreshed from storage when older than the
 * TTL (the read that notices is answered from the snapshot it has meanwhile), so
 * writes by other processes show within the TTL.
 */
export class NumberCache {
  private readonly states = new Map<string, CacheState>();
  private readonly ttlMs: number;
  private readonly clock: () => number;

  constructor(
    private readonly numbers: NumberRepository,
    private readonly options: NumberCacheOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 15_000;
    this.clock = options.clock ?? Date.now;
  }

  /** The snapshot if one is in memory (however old), without loading: for hot paths that only use it as a hint. */
  peek(enterpriseId: string): NumberSnapshot | undefined {
    return this.states.get(enterpriseId)?.snapshot;
  }

  invalidate(enterpriseId: string): void {
    this.states.delete(enterpriseId);
  }

  /** Numbers written (as stored, with their new ETags) or deleted. A no-op for enterprises not in memory. */
  apply(enterpriseId: string, upserted: readonly Stored<PhoneNumberEntry>[], deleted: readonly string[] = []): void {
    const state = this.states.get(enterpriseId);
    if (!state) return;
    if (state.loading) state.pending.push({ upserted: [...upserted], deleted: [...deleted] });
    state.snapshot?.apply(upserted, deleted);
  }

  /** The enterprise's snapshot; `fresh` waits for a reload when the one in memory is older than the TTL. */
  async snapshot(enterpriseId: string, mode: 'serve-stale' | 'fresh' = 'serve-stale'): Promise<NumberSnapshot> {
    let state = this.states.get(enterpriseId);
    if (!state) {
      state = { pending: [] };
      this.states.set(enterpriseId, state);
    }
    const current = state.snapshot;
    if (current && this.clock() - current.loadedAt < this.ttlMs) return current;
    if (current && mode === 'serve-stale') {
      if (!state.loading) this.load(enterpriseId, state).catch((error: unknown) => this.options.onRefreshError?.(error, enterpriseId));
      return current;
    }
    return state.loading ?? this.load(enterpriseId, state);
  }

  private load(enterpriseId: string, state: CacheState): Promise<NumberSnapshot> {
    state.pending = [];
    const loading = (async () => {
      const snapshot = new NumberSnapshot(enterpriseId, this.clock());
      for await (const stored of this.numbers.all(enterpriseId)) snapshot.put(stored);
      for (const change of state.pending) snapshot.apply(change.upserted, change.deleted);
      if (this.states.get(enterpriseId) === state) state.snapshot = snapshot;
      return snapshot;
    })();
    const settled = loading.finally(() => {
      if (state.loading === settled) {
        state.loading = undefined;
        state.pending = [];
      }
    });
    state.loading = settled;
    return settled;
  }
}
