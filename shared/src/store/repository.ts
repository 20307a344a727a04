import type { TableEntity, TableEntityResult, TableTransactionResponse, TransactionAction } from '@azure/data-tables';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { escapeKey, odataString, unescapeKey } from './keys';
import type { TableStore } from './table-store';

/** A value as read from the store, with the ETag that must accompany any change to it. */
export interface Stored<T> {
  value: T;
  etag: string;
}

export interface Page<T> {
  items: T[];
  /** Opaque; pass back to get the next page. Absent on the last page. */
  continuationToken?: string;
}

/**
 * A value that must be unique within the entity's partition (a phone number, a
 * tenant id). Each claim is an index row written in the same transaction as the
 * entity, so two writers racing for one value end with exactly one winner.
 */
export interface UniqueIndex<T> {
  /** Letters, digits and dashes; part of the index row's key. */
  name: string;
  /** The request field a conflict is reported under (defaults to `name`). */
  field?: string;
  keys(value: T): readonly string[];
  /** The sentence a loser of the race reads; `holderId` is the id of the entity that has it. */
  conflictMessage(key: string, holderId: string): string;
}

export interface RepositoryDefinition<T> {
  table: string;
  /** Singular, for messages: "enterprise", "user". */
  entityName: string;
  partitionOf(value: T): string;
  idOf(value: T): string;
  /** Properties to store, without PartitionKey and RowKey. */
  toEntity(value: T): Record<string, unknown>;
  /** Rebuilds the value from stored properties (keys already unescaped and passed in). */
  fromEntity(properties: Record<string, unknown>, keys: { partition: string; id: string }): T;
  indexes?: readonly UniqueIndex<T>[];
  /**
   * Writes of one partition made at the same time share transactions (TableStore.groupCommit):
   * for hot aggregates written by many concurrent callers. Each write still answers alone.
   */
  groupCommit?: boolean;
  /**
   * Spreads each partition over this many physical partitions (`{partition}~{nn}`,
   * chosen by a hash of the id), for aggregates written faster than one partition
   * takes (Table Storage: about 2,000 entities/s per partition). Point reads and
   * writes stay one request; index rows live in their holder's shard, so an index is
   * unique only within a shard: use it for work lists whose keys contain the holder's
   * id, never for a uniqueness rule. `listIndex` merges the shards in key order.
   */
  shards?: number;
  /**
   * The part of an id that picks its shard (default: all of it). Ids made at the same
   * moment can name the same part, so that their writes, which come at the same moments
   * too, share transactions.
   */
  shardBasis?(id: string): string;
}

type Row = TableEntity<Record<string, unknown>>;

/**
 * Index rows live beside the entities (a transaction spans one partition) and
 * start with `!`, which never begins an escaped entity id; listing skips that range.
 */
const INDEX_PREFIX = '!';
const ENTITY_ROWS = `(RowKey lt '!' or RowKey ge '"')`;
/** Table Storage's limit on the rows of one transaction. */
const MAX_TRANSACTION_ROWS = 100;
/** Table Storage's limit on the comparisons of one filter. */
const MAX_FILTER_COMPARISONS = 15;

/**
 * The entity's new ETag from a transaction whose first action wrote it. (Sub-responses
 * come back in request order; updates carry no row key to look them up by.)
 */
function transactionEtag(response: TableTransactionResponse): string {
  const etag = response.subResponses[0]?.etag?.trim();
  if (!etag) throw new Error('The storage service answered a transaction without an ETag.');
  return etag;
}

/**
 * Continuation tokens come back from clients; the SDK would throw an opaque error on
 * a damaged one. (A well-formed token cannot leave the partition: the filter pins it.)
 */
function checkContinuationToken(token: string): void {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  if (typeof decoded !== 'object' || decoded === null || typeof (decoded as { nextPartitionKey?: unknown }).nextPartitionKey !== 'string') {
    throw new ValidationError('The continuation token is not one this server issued. Start again from the first page.', [
      { path: 'continuationToken', message: 'not a token from a previous page; omit it to start from the first page' },
    ]);
  }
}

/** FNV-1a: a cheap, stable spread of ids over shards (not a security boundary). */
export function shardOf(id: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % shards;
}

const SHARD_SUFFIX = /~\d{2}$/;
/** The PartitionKey of one shard of an (escaped) partition: `{partition}~{nn}`. */
export const shardKey = (escapedPartition: string, shard: number) => `${escapedPartition}~${String(shard).padStart(2, '0')}`;

/** Our page token of a listing merged over shards: the last index row handed out. */
function encodeMergedToken(after: string): string {
  return Buffer.from(JSON.stringify({ after }), 'utf8').toString('base64');
}

function decodeMergedToken(token: string): string {
  let after: unknown;
  try {
    after = (JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { after?: unknown }).after;
  } catch {
    after = undefined;
  }
  if (typeof after !== 'string' || after === '') {
    throw new ValidationError('The continuation token is not one this server issued. Start again from the first page.', [
      { path: 'continuationToken', message: 'not a token from a previous page; omit it to start from the first page' },
    ]);
  }
  return after;
}

function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null ? (error as { statusCode?: number }).statusCode : undefined;
}

/**
 * Storage for one aggregate in one table, partitioned as the definition says
 * (by enterprise, as a rule). Every change is conditional on the ETag the caller
 * read, and unique values are claimed by index rows in the same transaction.
 */
export class Repository<T> {
  constructor(
    protected readonly store: TableStore,
    protected readonly definition: RepositoryDefinition<T>,
  ) {}

  private get client() {
    return this.store.client(this.definition.table);
  }

  private indexRowKey(index: UniqueIndex<T>, key: string): string {
    return `${INDEX_PREFIX}${index.name}${INDEX_PREFIX}${escapeKey(key)}`;
  }

  private toRow(value: T): Row {
    return {
      ...this.definition.toEntity(value),
      partitionKey: this.physicalPartition(this.definition.partitionOf(value), this.definition.idOf(value)),
      rowKey: escapeKey(this.definition.idOf(value)),
    };
  }

  /** The escaped PartitionKey an entity of `partition` with this id is stored under. */
  private physicalPartition(partition: string, id: string): string {
    const shards = this.definition.shards;
    return shards ? shardKey(escapeKey(partition), shardOf(this.definition.shardBasis?.(id) ?? id, shards)) : escapeKey(partition);
  }

  /** Every escaped PartitionKey of a partition: itself, or each of its shards. */
  protected physicalPartitions(partition: string): string[] {
    const shards = this.definition.shards;
    return shards ? Array.from({ length: shards }, (_, shard) => shardKey(escapeKey(partition), shard)) : [escapeKey(partition)];
  }

  private unsharded(operation: string): void {
    if (this.definition.shards) throw new Error(`${operation} cannot run on ${this.definition.table}: it is sharded`);
  }

  private fromRow(row: TableEntityResult<Record<string, unknown>>): Stored<T> {
    const { partitionKey, rowKey, etag, timestamp: _timestamp, 'odata.metadata': _metadata, ...properties } = row;
    const physical = partitionKey ?? '';
    const partition = this.definition.shards ? physical.replace(SHARD_SUFFIX, '') : physical;
    const value = this.definition.fromEntity(properties, { partition: unescapeKey(partition), id: unescapeKey(rowKey ?? '') });
    return { value, etag };
  }

  private claims(value: T): Array<{ index: UniqueIndex<T>; key: string; rowKey: string }> {
    return (this.definition.indexes ?? []).flatMap((index) =>
      [...new Set(index.keys(value))].map((key) => ({ index, key, rowKey: this.indexRowKey(index, key) })),
    );
  }

  async get(partition: string, id: string): Promise<Stored<T> | undefined> {
    try {
      const row = await this.store.run((abortSignal) =>
        this.client.getEntity<Record<string, unknown>>(this.physicalPartition(partition, id), escapeKey(id), { abortSignal }),
      );
      return this.fromRow(row);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /**
   * Several entities of one partition in a few queries (15 keys per query: Table
   * Storage's limit on comparisons in one filter) instead of one request each.
   */
  async getMany(partition: string, ids: readonly string[]): Promise<Map<string, Stored<T>>> {
    const found = new Map<string, Stored<T>>();
    const byPartition = new Map<string, string[]>();
    for (const id of new Set(ids)) {
      const physical = this.physicalPartition(partition, id);
      byPartition.set(physical, [...(byPartition.get(physical) ?? []), id]);
    }
    // Partitions (shards) at once: a history page names messages of every shard.
    await Promise.all(
      [...byPartition].map(async ([physical, unique]) => {
        if (unique.length === 1) {
          // One id: a point read, the cheapest request there is (a query scans at least the partition's index).
          const stored = await this.get(partition, unique[0]!);
          if (stored) found.set(unique[0]!, stored);
          return;
        }
        for (let at = 0; at < unique.length; at += MAX_FILTER_COMPARISONS) {
          const keys = unique.slice(at, at + MAX_FILTER_COMPARISONS).map((id) => `RowKey eq ${odataString(escapeKey(id))}`);
          let continuationToken: string | undefined;
          do {
            const page = await this.physicalPage(physical, { pageSize: 1000, filter: keys.join(' or '), ...(continuationToken ? { continuationToken } : {}) });
            for (const stored of page.items) found.set(this.definition.idOf(stored.value), stored);
            continuationToken = page.continuationToken;
          } while (continuationToken);
        }
      }),
    );
    return found;
  }

  /** Like `get`, but a missing entity is a `NotFoundError`. */
  async require(partition: string, id: string): Promise<Stored<T>> {
    const found = await this.get(partition, id);
    if (!found) throw new NotFoundError(`No ${this.definition.entityName} with id "${id}".`);
    return found;
  }

  /** The entity holding `key` in the named unique index, if any. */
  async findByIndex(partition: string, indexName: string, key: string): Promise<Stored<T> | undefined> {
    const index = (this.definition.indexes ?? []).find((candidate) => candidate.name === indexName);
    if (!index) throw new Error(`Unknown index "${indexName}" on ${this.definition.table}`);
    this.unsharded('findByIndex'); // a key does not say which shard holds it
    const holder = await this.indexHolder(partition, this.indexRowKey(index, key));
    return holder === undefined ? undefined : this.get(partition, holder);
  }

  private async indexHolder(partition: string, rowKey: string): Promise<string | undefined> {
    return (await this.readClaim(escapeKey(partition), rowKey))?.holderId;
  }

  async create(value: T): Promise<Stored<T>> {
    const row = this.toRow(value);
    const claims = this.claims(value);
    for (let attempt = 0; ; attempt++) {
      try {
        if (this.definition.groupCommit) {
          const actions: TransactionAction[] = [
            ['create', row],
            ...claims.map(({ rowKey }): TransactionAction => ['create', { partitionKey: row.partitionKey, rowKey, holderId: this.definition.idOf(value) }]),
          ];
          const [etag] = await this.store.groupCommit(this.definition.table).submit(row.partitionKey, actions);
          return { value, etag: etag ?? '' };
        }
        if (claims.length === 0) {
          const result = await this.store.run((abortSignal) => this.client.createEntity(row, { abortSignal }));
          return { value, etag: result.etag ?? '' };
        }
        const actions: TransactionAction[] = [
          ['create', row],
          ...claims.map(({ rowKey }): TransactionAction => ['create', { partitionKey: row.partitionKey, rowKey, holderId: this.definition.idOf(value) }]),
        ];
        const response = await this.store.run((abortSignal) => this.client.submitTransaction(actions, { abortSignal }));
        return { value, etag: transactionEtag(response) };
      } catch (error) {
        if (statusOf(error) !== 409) throw error;
        if (attempt === 0 && (await this.reclaimOrphans(value, claims))) continue;
        throw await this.explainConflict(value, claims, true);
      }
    }
  }

  /**
   * Inserts many new entities in transactions of up to 100 rows per partition
   * (an entity and its index rows always travel together). Much faster than
   * one `create` each; a conflict fails only the batch it is in.
   */
  async createMany(values: readonly T[]): Promise<Stored<T>[]> {
    type Batch = { actions: TransactionAction[]; entities: Array<{ at: number; value: T }> };
    const byPartition = new Map<string, Batch[]>();
    for (const value of values) {
      const row = this.toRow(value);
      const holderId = this.definition.idOf(value);
      const group: TransactionAction[] = [
        ['create', row],
        ...this.claims(value).map(({ rowKey }): TransactionAction => ['create', { partitionKey: row.partitionKey, rowKey, holderId }]),
      ];
      const batches = byPartition.get(row.partitionKey) ?? [{ actions: [], entities: [] }];
      byPartition.set(row.partitionKey, batches);
      if (batches[batches.length - 1]!.actions.length + group.length > MAX_TRANSACTION_ROWS) batches.push({ actions: [], entities: [] });
      const batch = batches[batches.length - 1]!;
      batch.entities.push({ at: batch.actions.length, value });
      batch.actions.push(...group);
    }
    const created: Stored<T>[] = [];
    for (const batches of byPartition.values()) {
      for (const { actions, entities } of batches) {
        try {
          const response = await this.store.run((abortSignal) => this.client.submitTransaction(actions, { abortSignal }));
          // Sub-responses come back in request order: each entity's ETag sits at its action's index.
          for (const { at, value } of entities) created.push({ value, etag: response.subResponses[at]?.etag?.trim() ?? '' });
        } catch (error) {
          if (statusOf(error) === 409) throw new ConflictError(`Some of these ${this.definition.entityName} entries already exist or claim a value that is taken.`);
          throw error;
        }
      }
    }
    return created;
  }

  /**
   * Replaces many entities at once, each conditional on its ETag, in transactions of
   * up to 100 per partition. For aggregates without unique indexes. A transaction
   * that fails (someone changed one of its entities) is retried entity by entity, so
   * each entry of the answer, in input order, is the saved entity or its own error.
   */
  async updateMany(changes: ReadonlyArray<{ current: Stored<T>; next: T }>): Promise<Array<Stored<T> | Error>> {
    if ((this.definition.indexes ?? []).length > 0) throw new Error(`updateMany is for aggregates without unique indexes (${this.definition.table} has some).`);
    const results: Array<Stored<T> | Error> = new Array(changes.length);
    const byPartition = new Map<string, number[]>();
    changes.forEach(({ current, next }, index) => {
      this.requireEtag(current);
      const partition = this.physicalPartition(this.definition.partitionOf(next), this.definition.idOf(next));
      byPartition.set(partition, [...(byPartition.get(partition) ?? []), index]);
    });
    for (const indexes of byPartition.values()) {
      for (let at = 0; at < indexes.length; at += MAX_TRANSACTION_ROWS) {
        const batch = indexes.slice(at, at + MAX_TRANSACTION_ROWS);
        const actions = batch.map((i): TransactionAction => ['update', this.toRow(changes[i]!.next), 'Replace', { etag: changes[i]!.current.etag }]);
        try {
          const response = await this.store.run((abortSignal) => this.client.submitTransaction(actions, { abortSignal }));
          batch.forEach((i, k) => (results[i] = { value: changes[i]!.next, etag: response.subResponses[k]?.etag?.trim() ?? '' }));
        } catch (error) {
          const status = statusOf(error);
          if (status !== 412 && status !== 404 && status !== 409) throw error;
          for (const i of batch) {
            results[i] = await this.update(changes[i]!.current, changes[i]!.next).catch((failure: unknown) => (failure instanceof Error ? failure : new Error(String(failure))));
          }
        }
      }
    }
    return results;
  }

  /**
   * Replaces the entity, provided nobody changed it since `current` was read.
   * Index rows follow: released keys are deleted, new keys claimed, atomically.
   */
  async update(current: Stored<T>, next: T): Promise<Stored<T>> {
    this.requireEtag(current);
    const row = this.toRow(next);
    const before = new Map(this.claims(current.value).map((claim) => [claim.rowKey, claim]));
    const after = this.claims(next);
    const added = after.filter((claim) => !before.has(claim.rowKey));
    const kept = new Set(after.map((claim) => claim.rowKey));
    const released = [...before.values()].filter((claim) => !kept.has(claim.rowKey));
    for (let attempt = 0; ; attempt++) {
      try {
        return { value: next, etag: await this.replace(row, current.etag, released, added, this.definition.idOf(next)) };
      } catch (error) {
        const status = statusOf(error);
        if (status === 412) throw this.changedMeanwhile(next);
        if (status === 404) throw new NotFoundError(`The ${this.definition.entityName} "${this.definition.idOf(next)}" was deleted meanwhile.`);
        if (status !== 409) throw error;
        if (attempt === 0 && (await this.reclaimOrphans(next, added))) continue;
        throw await this.explainConflict(next, added, false);
      }
    }
  }

  /** One conditional replace, with index changes in the same transaction when there are any. */
  private async replace(row: Row, etag: string, released: ReadonlyArray<{ rowKey: string }>, added: ReadonlyArray<{ rowKey: string }>, holderId: string): Promise<string> {
    if (this.definition.groupCommit) {
      const actions: TransactionAction[] = [
        ['update', row, 'Replace', { etag }],
        ...released.map(({ rowKey }): TransactionAction => ['delete', { partitionKey: row.partitionKey, rowKey }]),
        ...added.map(({ rowKey }): TransactionAction => ['create', { partitionKey: row.partitionKey, rowKey, holderId }]),
      ];
      const [written] = await this.store.groupCommit(this.definition.table).submit(row.partitionKey, actions);
      return written ?? '';
    }
    if (added.length === 0 && released.length === 0) {
      const result = await this.store.run((abortSignal) => this.client.updateEntity(row, 'Replace', { etag, abortSignal }));
      return result.etag ?? '';
    }
    const actions: TransactionAction[] = [
      ['update', row, 'Replace', { etag }],
      ...released.map(({ rowKey }): TransactionAction => ['delete', { partitionKey: row.partitionKey, rowKey }]),
      ...added.map(({ rowKey }): TransactionAction => ['create', { partitionKey: row.partitionKey, rowKey, holderId }]),
    ];
    const response = await this.store.run((abortSignal) => this.client.submitTransaction(actions, { abortSignal }));
    return transactionEtag(response);
  }

  /**
   * Removes a row whatever its ETag; a missing row is fine. For rows that are facts
   * and never change (keyed index rows): with group commit, removals of one partition
   * share transactions with the other writes made at the same moment.
   */
  async remove(partition: string, id: string): Promise<void> {
    if ((this.definition.indexes ?? []).length > 0) throw new Error(`remove is for rows without unique indexes (${this.definition.table} has some); use delete.`);
    const partitionKey = this.physicalPartition(partition, id);
    const rowKey = escapeKey(id);
    try {
      if (this.definition.groupCommit) await this.store.groupCommit(this.definition.table).submit(partitionKey, [['delete', { partitionKey, rowKey }]]);
      else await this.store.run((abortSignal) => this.client.deleteEntity(partitionKey, rowKey, { abortSignal }));
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  }

  /**
   * Deletes the entity, provided nobody changed it since it was read, then its
   * index rows. (A transaction cannot carry the ETag of a delete, so the
   * conditional delete goes alone; an index row left behind by a crash between the
   * two steps points to a missing holder and is reclaimed by the next claimant.)
   */
  async delete(current: Stored<T>): Promise<void> {
    this.requireEtag(current);
    const row = this.toRow(current.value);
    try {
      await this.store.run((abortSignal) => this.client.deleteEntity(row.partitionKey, row.rowKey, { etag: current.etag, abortSignal }));
    } catch (error) {
      const status = statusOf(error);
      if (status === 412) throw this.changedMeanwhile(current.value);
      if (status !== 404) throw error; // 404: already gone, deleting is idempotent
    }
    for (const { rowKey } of this.claims(current.value)) {
      await this.deleteIndexRow(row.partitionKey, rowKey, this.definition.idOf(current.value));
    }
  }

  /** Removes an index row if (and only if) it still names `holderId`. */
  private async deleteIndexRow(escapedPartition: string, rowKey: string, holderId: string): Promise<void> {
    const claim = await this.readClaim(escapedPartition, rowKey);
    if (!claim || claim.holderId !== holderId) return;
    try {
      await this.store.run((abortSignal) => this.client.deleteEntity(escapedPartition, rowKey, { etag: claim.etag, abortSignal }));
    } catch (error) {
      if (statusOf(error) !== 404 && statusOf(error) !== 412) throw error;
    }
  }

  private async readClaim(escapedPartition: string, rowKey: string): Promise<{ holderId: string; etag: string } | undefined> {
    try {
      const row = await this.store.run((abortSignal) =>
        this.client.getEntity<{ holderId: string }>(escapedPartition, rowKey, { abortSignal }),
      );
      return { holderId: row.holderId, etag: row.etag };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /**
   * Frees claims among `claims` whose holder no longer exists (left behind by an
   * interrupted delete). Returns true when one was freed, so the caller may retry.
   */
  private async reclaimOrphans(value: T, claims: ReadonlyArray<{ rowKey: string }>): Promise<boolean> {
    const partition = this.definition.partitionOf(value);
    const ownId = this.definition.idOf(value);
    // A claim in this shard was made by a holder of this shard: `get` finds it there.
    const physical = this.physicalPartition(partition, ownId);
    let freed = false;
    for (const { rowKey } of claims) {
      const claim = await this.readClaim(physical, rowKey);
      if (!claim || claim.holderId === ownId) continue;
      if (await this.get(partition, claim.holderId)) continue;
      await this.deleteIndexRow(physical, rowKey, claim.holderId);
      freed = true;
    }
    return freed;
  }

  /**
   * One page of a partition's entities. Empty pages from the service are skipped
   * (Table Storage may return one with a continuation token), so a page is empty
   * only when the listing is over.
   */
  async listPage(partition: string, options: { pageSize?: number; continuationToken?: string; filter?: string } = {}): Promise<Page<Stored<T>>> {
    this.unsharded('listPage'); // a shard's token cannot say where the others stand
    return this.physicalPage(escapeKey(partition), options);
  }

  private async physicalPage(physical: string, options: { pageSize?: number; continuationToken?: string; filter?: string }): Promise<Page<Stored<T>>> {
    let token = options.continuationToken;
    if (token !== undefined) checkContinuationToken(token);
    for (;;) {
      const from = token;
      // A fresh iterator per attempt: a failed async iterator is finished for good.
      const page = await this.store.run((abortSignal) =>
        this.client
          .listEntities<Record<string, unknown>>({ queryOptions: { filter: this.partitionFilter(physical, options.filter) }, abortSignal })
          .byPage({ maxPageSize: options.pageSize ?? 100, ...(from ? { continuationToken: from } : {}) })
          .next(),
      );
      if (page.done) return { items: [] };
      const items = page.value.map((row) => this.fromRow(row));
      token = page.value.continuationToken;
      if (items.length > 0 || !token) return token ? { items, continuationToken: token } : { items };
    }
  }

  /** Every entity of the partition, following continuation tokens. */
  async *listAll(partition: string, filter?: string): AsyncGenerator<Stored<T>> {
    for (const physical of this.physicalPartitions(partition)) {
      let continuationToken: string | undefined;
      do {
        const page = await this.physicalPage(physical, { pageSize: 1000, filter, ...(continuationToken ? { continuationToken } : {}) });
        yield* page.items;
        continuationToken = page.continuationToken;
      } while (continuationToken);
    }
  }

  /**
   * One page of an index's claims in key order: `{ key, holderId }`. Work lists kept
   * as index rows (messages still in flight, dead letters) are read this way.
   */
  async listIndex(partition: string, indexName: string, options: { pageSize?: number; continuationToken?: string } = {}): Promise<Page<{ key: string; holderId: string }>> {
    if (!(this.definition.indexes ?? []).some((index) => index.name === indexName)) throw new Error(`Unknown index "${indexName}" on ${this.definition.table}`);
    const prefix = `${INDEX_PREFIX}${indexName}${INDEX_PREFIX}`;
    // The prefix ends with '!': every key of this index sorts before the same text ending in '"'.
    const range = (after?: string) => `RowKey ${after ? 'gt' : 'ge'} ${odataString(after ?? prefix)} and RowKey lt ${odataString(`${INDEX_PREFIX}${indexName}"`)}`;
    const toItem = (row: { rowKey?: string; holderId: string }) => ({ key: unescapeKey((row.rowKey ?? '').slice(prefix.length)), holderId: String(row.holderId) });
    const pageSize = options.pageSize ?? 100;
    if (!this.definition.shards) {
      if (options.continuationToken !== undefined) checkContinuationToken(options.continuationToken);
      const page = await this.indexRows(`PartitionKey eq ${odataString(escapeKey(partition))} and ${range()}`, pageSize, options.continuationToken);
      return { ...page, items: page.items.map(toItem) };
    }
    // Each shard's next rows after the last one handed out, merged in key order.
    const after = options.continuationToken === undefined ? undefined : decodeMergedToken(options.continuationToken);
    const heads = await Promise.all(this.physicalPartitions(partition).map((physical) => this.indexRows(`PartitionKey eq ${odataString(physical)} and ${range(after)}`, pageSize)));
    const rows = heads.flatMap((head) => head.items).sort((a, b) => ((a.rowKey ?? '') < (b.rowKey ?? '') ? -1 : (a.rowKey ?? '') > (b.rowKey ?? '') ? 1 : 0));
    const items = rows.slice(0, pageSize);
    // Rows not handed out sort after the last one: the next page asks every shard for what follows it.
    const more = rows.length > pageSize || heads.some((head) => head.continuationToken !== undefined);
    const last = items[items.length - 1]?.rowKey;
    return more && last ? { items: items.map(toItem), continuationToken: encodeMergedToken(last) } : { items: items.map(toItem) };
  }

  /** One non-empty page of index rows matching `filter` (empty only when there are no more). */
  private async indexRows(filter: string, pageSize: number, continuationToken?: string): Promise<Page<{ rowKey?: string; holderId: string }>> {
    let token = continuationToken;
    for (;;) {
      const from = token;
      const page = await this.store.run((abortSignal) =>
        this.client
          .listEntities<{ holderId: string }>({ queryOptions: { filter }, abortSignal })
          .byPage({ maxPageSize: pageSize, ...(from ? { continuationToken: from } : {}) })
          .next(),
      );
      if (page.done) return { items: [] };
      const items = page.value.map((row) => ({ rowKey: row.rowKey, holderId: String(row.holderId) }));
      token = page.value.continuationToken;
      if (items.length > 0 || !token) return token ? { items, continuationToken: token } : { items };
    }
  }

  private partitionFilter(physical: string, extra?: string): string {
    const base = `PartitionKey eq ${odataString(physical)} and ${ENTITY_ROWS}`;
    return extra ? `${base} and (${extra})` : base;
  }

  /** `*` or nothing would make the write unconditional: exactly the lost update we prevent. */
  private requireEtag(current: Stored<T>): void {
    if (!current.etag || current.etag === '*') {
      throw new ConflictError(`Changing a ${this.definition.entityName} needs the ETag you read; "*" or none would overwrite changes made meanwhile.`);
    }
  }

  private changedMeanwhile(value: T): ConflictError {
    return new ConflictError(
      `The ${this.definition.entityName} "${this.definition.idOf(value)}" was changed by someone else since you loaded it. Reload it and apply your change again.`,
    );
  }

  /** Works out which claim lost the race so the message can name the value and its holder. */
  private async explainConflict(value: T, claims: ReturnType<Repository<T>['claims']>, creating: boolean): Promise<ConflictError> {
    const id = this.definition.idOf(value);
    const physical = this.physicalPartition(this.definition.partitionOf(value), id);
    for (const claim of claims) {
      const holder = (await this.readClaim(physical, claim.rowKey))?.holderId;
      if (holder !== undefined && holder !== id) {
        return new ConflictError(claim.index.conflictMessage(claim.key, holder), [
          { path: claim.index.field ?? claim.index.name, message: claim.index.conflictMessage(claim.key, holder) },
        ]);
      }
    }
    if (creating) return new ConflictError(`A ${this.definition.entityName} with id "${id}" already exists.`);
    return this.changedMeanwhile(value);
  }
}
