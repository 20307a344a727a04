import { randomUUID } from 'node:crypto';
import { ConflictError } from '../errors';
import { escapeKey } from '../store/keys';
import { Repository, type RepositoryDefinition, type Stored } from '../store/repository';
import type { TableStore } from '../store/table-store';

/**
 * The row of each enterprise's opt-out partition that names the version of the whole
 * set: a new random value with every change. Starts with `!`, which no escaped entity id
 * does, so listings never show it.
 */
const VERSION_ROW = '!version';

const statusOf = (error: unknown): number | undefined => (typeof error === 'object' && error !== null ? (error as { statusCode?: number }).statusCode : undefined);

/**
 * Opt-out rows whose every change also changes the partition's version row: a create in
 * the same transaction as the new version (so no reader can see the new version without
 * the row, or the row under the old version), a delete followed by it (until then a
 * reader still honours the lifted opt-out: the safe side).
 */
export class VersionedRepository<T> extends Repository<T> {
  constructor(
    store: TableStore,
    private readonly versioned: RepositoryDefinition<T>,
  ) {
    super(store, versioned);
  }

  override async create(value: T): Promise<Stored<T>> {
    const partitionKey = escapeKey(this.versioned.partitionOf(value));
    const row = { ...this.versioned.toEntity(value), partitionKey, rowKey: escapeKey(this.versioned.idOf(value)) };
    try {
      const response = await this.store.run((abortSignal) =>
        this.store.client(this.versioned.table).submitTransaction([['create', row], ['upsert', { partitionKey, rowKey: VERSION_ROW, version: randomUUID() }, 'Replace']], { abortSignal }),
      );
      return { value, etag: response.subResponses[0]?.etag?.trim() ?? '' };
    } catch (error) {
      if (statusOf(error) === 409) throw new ConflictError(`A ${this.versioned.entityName} with id "${this.versioned.idOf(value)}" already exists.`);
      throw error;
    }
  }

  override async createMany(values: readonly T[]): Promise<Stored<T>[]> {
    const created: Stored<T>[] = [];
    for (const value of values) created.push(await this.create(value));
    return created;
  }

  override async update(current: Stored<T>, next: T): Promise<Stored<T>> {
    const saved = await super.update(current, next);
    await this.bump(this.versioned.partitionOf(next));
    return saved;
  }

  override async delete(current: Stored<T>): Promise<void> {
    await super.delete(current);
    await this.bump(this.versioned.partitionOf(current.value));
  }

  /** The partition's version now ('' when it never changed through this repository). */
  async version(partition: string): Promise<string> {
    try {
      const row = await this.store.run((abortSignal) => this.store.client(this.versioned.table).getEntity<{ version?: string }>(escapeKey(partition), VERSION_ROW, { abortSignal }));
      return String(row.version ?? '');
    } catch (error) {
      if (statusOf(error) === 404) return '';
      throw error;
    }
  }

  private async bump(partition: string): Promise<void> {
    const partitionKey = escapeKey(partition);
    await this.store.run((abortSignal) => this.store.client(this.versioned.table).upsertEntity({ partitionKey, rowKey: VERSION_ROW, version: randomUUID() }, 'Replace', { abortSignal }));
  }
}

/**
 * Each enterprise's opt-outs held in memory, checked against the partition's version at
 * every look: the set is used only when the version read *after the look began* still
 * names it, so a STOP recorded by any process before a send is checked is honoured by
 * that check (a short TTL would not give that). Looks made at the same time share one
 * version read, issued after all of them began: one point read serves a burst of sends
 * instead of two reads each. A changed version reloads the set (the partition, then the
 * version again: equal means the list is exactly that version's).
 */
export class OptOutSets<T> {
  private readonly sets = new Map<string, { version: string; rows: Map<string, T> }>();
  /** Per enterprise: the version read on its way, and the next one (not started: callers join it). */
  private readonly reads = new Map<string, { inFlight?: Promise<string>; next?: Promise<string> }>();

  constructor(
    private readonly repository: VersionedRepository<T>,
    private readonly keyOf: (value: T) => string,
    /** Enterprises whose sets are kept (the least recently changed go first). */
    private readonly maxEnterprises = 1_000,
  ) {}

  /** The enterprise's opt-outs by key, current as of a moment after this call. */
  async rows(enterpriseId: string): Promise<ReadonlyMap<string, T>> {
    let version = await this.sharedVersion(enterpriseId);
    const cached = this.sets.get(enterpriseId);
    if (cached?.version === version) return cached.rows;
    for (let attempt = 0; attempt < 3; attempt++) {
      const rows = new Map<string, T>();
      for await (const { value } of this.repository.listAll(enterpriseId)) rows.set(this.keyOf(value), value);
      const after = await this.repository.version(enterpriseId);
      if (after === version) {
        this.sets.delete(enterpriseId);
        this.sets.set(enterpriseId, { version, rows });
        if (this.sets.size > this.maxEnterprises) this.sets.delete(this.sets.keys().next().value!);
        return rows;
      }
      version = after; // changed while listing: list again
    }
    throw new ConflictError('The opt-out list kept changing while it was read; try again.');
  }

  /**
   * A version read that starts after every caller joining it has called (never one already
   * on its way). One read per enterprise is on its way at a time: callers arriving meanwhile
   * join the next one, which starts when it ends, so a steady stream of sends shares reads
   * instead of starting one per turn of the event loop.
   */
  private sharedVersion(enterpriseId: string): Promise<string> {
    let state = this.reads.get(enterpriseId);
    if (!state) {
      state = {};
      this.reads.set(enterpriseId, state);
    }
    if (state.next) return state.next;
    const own = state;
    const previous: Promise<unknown> = own.inFlight ?? Promise.resolve();
    const next = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => previous.then(() => undefined, () => undefined))
      .then(() => {
        own.next = undefined; // from here on, callers wait for the read after this one
        const read = this.repository.version(enterpriseId);
        own.inFlight = read;
        void read.catch(() => undefined).finally(() => {
          if (own.inFlight !== read) return;
          own.inFlight = undefined;
          if (!own.next && this.reads.get(enterpriseId) === own) this.reads.delete(enterpriseId);
        });
        return read;
      });
    own.next = next;
    return next;
  }
}
