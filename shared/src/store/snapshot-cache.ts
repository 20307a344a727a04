import type { Stored } from './repository';

/** An in-memory copy of one enterprise's entities that can take changes as they are written. */
export interface Snapshot<T> {
  /** When the load that built it started (clock of the cache). */
  readonly loadedAt: number;
  apply(upserted: readonly Stored<T>[], deletedIds: readonly string[]): void;
}

export interface SnapshotCacheOptions {
  /** How long a snapshot is served before a read triggers a refresh from storage. Default 15 s. */
  ttlMs?: number;
  clock?: () => number;
  /** A background refresh failed (the stale snapshot keeps being served). */
  onRefreshError?: (error: unknown, key: string) => void;
}

interface CacheState<T, S> {
  snapshot?: S;
  loading?: Promise<S>;
  /** Changes applied while a load is running; replayed on the loaded snapshot. */
  pending: Array<{ upserted: readonly Stored<T>[]; deletedIds: readonly string[] }>;
}

/**
 * Per-enterprise snapshots for pages that filter and sort large lists in memory (the
 * Users page, the numbers list): loaded on first use, kept current by this process's
 * writes (write-through, with the stored ETags), and refreshed from storage when
 * older than the TTL — the read that notices is answered from the snapshot it has
 * while the refresh runs, so other processes' writes show within the TTL. Changes
 * that arrive while a load runs are replayed on the loaded snapshot.
 */
export class SnapshotCache<T, S extends Snapshot<T>> {
  private readonly states = new Map<string, CacheState<T, S>>();
  private readonly ttlMs: number;
  private readonly clock: () => number;

  constructor(
    /** Reads the enterprise's entities from storage into a new snapshot. */
    private readonly build: (key: string, startedAt: number) => Promise<S>,
    private readonly options: SnapshotCacheOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 15_000;
    this.clock = options.clock ?? Date.now;
  }

  /** The snapshot if one is in memory (however old), without loading: for hot paths that use it as a hint. */
  peek(key: string): S | undefined {
    return this.states.get(key)?.snapshot;
  }

  /** Forgets the snapshot: the next read loads from storage. */
  invalidate(key: string): void {
    this.states.delete(key);
  }

  /** Entities written (as stored, with their new ETags) or deleted. A no-op for keys not in memory. */
  apply(key: string, upserted: readonly Stored<T>[], deletedIds: readonly string[] = []): void {
    const state = this.states.get(key);
    if (!state) return;
    if (state.loading) state.pending.push({ upserted: [...upserted], deletedIds: [...deletedIds] });
    state.snapshot?.apply(upserted, deletedIds);
  }

  /** The snapshot; `fresh` waits for a reload when the one in memory is older than the TTL. */
  async get(key: string, mode: 'serve-stale' | 'fresh' = 'serve-stale'): Promise<S> {
    let state = this.states.get(key);
    if (!state) {
      state = { pending: [] };
      this.states.set(key, state);
    }
    const current = state.snapshot;
    if (current && this.clock() - current.loadedAt < this.ttlMs) return current;
    if (current && mode === 'serve-stale') {
      if (!state.loading) this.load(key, state).catch((error: unknown) => this.options.onRefreshError?.(error, key));
      return current;
    }
    return state.loading ?? this.load(key, state);
  }

  private load(key: string, state: CacheState<T, S>): Promise<S> {
    state.pending = [];
    const loading = (async () => {
      const snapshot = await this.build(key, this.clock());
      for (const change of state.pending) snapshot.apply(change.upserted, change.deletedIds);
      if (this.states.get(key) === state) state.snapshot = snapshot;
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
