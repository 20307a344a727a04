import type { TableClient, TransactionAction } from '@azure/data-tables';

/** Table Storage's limit on the rows of one transaction. */
const MAX_TRANSACTION_ROWS = 100;

export interface GroupCommitOptions {
  /** Rows per transaction (at most 100). */
  maxRows?: number;
  /**
   * Transactions in flight per partition at once; more writes wait and travel together in
   * the next (default 1: under load, fewer and fuller transactions, which is what the store
   * runs short of; a write waits at most for the one before it).
   */
  maxInFlight?: number;
}

interface Pending {
  actions: TransactionAction[];
  rowKeys: string[];
  resolve(etags: string[]): void;
  reject(error: unknown): void;
}

interface PartitionState {
  pending: Pending[];
  inFlight: number;
  scheduled: boolean;
  /** Rows of the transactions in flight: a later write of one of them waits for its answer. */
  busy: Set<string>;
}

const statusOf = (error: unknown): number | undefined => (typeof error === 'object' && error !== null ? (error as { statusCode?: number }).statusCode : undefined);
const rowKeyOf = (action: TransactionAction): string => String((action[1] as { rowKey?: unknown }).rowKey);

/**
 * Group commit for one table: concurrent writes to the same partition travel together
 * in one entity-group transaction instead of one request each. A write is a group of
 * actions that must apply together (an entity and its index rows); each caller's
 * promise settles only once its own group is durably written (or refused), so nothing
 * is acknowledged early. At low load a write goes out at once, alone; under load,
 * writes queue behind the transactions in flight and leave together (up to 100 rows),
 * which is what lets the store keep up: a request costs far more than a row.
 *
 * A transaction is all or nothing: when one refused (a conflict, a changed ETag), each
 * of its groups is sent again alone, so every caller gets its own answer, exactly as
 * without batching. A row never appears twice in one transaction (the service refuses
 * that); a second write of a row waits for the next one.
 */
export class GroupCommit {
  private readonly partitions = new Map<string, PartitionState>();
  private readonly maxRows: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly client: TableClient,
    private readonly run: <T>(operation: (signal: AbortSignal) => Promise<T>) => Promise<T>,
    options: GroupCommitOptions = {},
  ) {
    this.maxRows = Math.min(MAX_TRANSACTION_ROWS, Math.max(1, options.maxRows ?? MAX_TRANSACTION_ROWS));
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 1);
  }

  /** Writes `actions` (all of one partition, escaped keys) atomically; answers each action's new ETag ('' for deletes). */
  submit(partitionKey: string, actions: TransactionAction[]): Promise<string[]> {
    if (actions.length === 0) return Promise.resolve([]);
    if (actions.length > this.maxRows) return this.send(actions);
    return new Promise<string[]>((resolve, reject) => {
      let state = this.partitions.get(partitionKey);
      if (!state) {
        state = { pending: [], inFlight: 0, scheduled: false, busy: new Set() };
        this.partitions.set(partitionKey, state);
      }
      state.pending.push({ actions, rowKeys: actions.map(rowKeyOf), resolve, reject });
      this.schedule(partitionKey, state);
    });
  }

  /** Writes submitted in the same turn of the event loop leave together. */
  private schedule(partitionKey: string, state: PartitionState): void {
    if (state.scheduled || state.inFlight >= this.maxInFlight) return;
    state.scheduled = true;
    setImmediate(() => {
      state.scheduled = false;
      this.drain(partitionKey, state);
    });
  }

  private drain(partitionKey: string, state: PartitionState): void {
    while (state.inFlight < this.maxInFlight && state.pending.length > 0) {
      const batch: Pending[] = [];
      const rows = new Set<string>();
      let size = 0;
      const rest: Pending[] = [];
      for (const write of state.pending) {
        const free = write.rowKeys.every((key) => !rows.has(key) && !state.busy.has(key));
        // A write never overtakes an earlier one of the same row.
        if (free && size + write.actions.length <= this.maxRows && rest.every((waiting) => waiting.rowKeys.every((key) => !write.rowKeys.includes(key)))) {
          batch.push(write);
          size += write.actions.length;
          for (const key of write.rowKeys) rows.add(key);
        } else {
          rest.push(write);
        }
      }
      state.pending = rest;
      if (batch.length === 0) return; // everything waits for a transaction in flight
      for (const key of rows) state.busy.add(key);
      state.inFlight++;
      void this.commit(batch).finally(() => {
        for (const key of rows) state.busy.delete(key);
        state.inFlight--;
        if (state.pending.length > 0) this.schedule(partitionKey, state);
        else if (state.inFlight === 0) this.partitions.delete(partitionKey);
      });
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    if (batch.length === 1) {
      const [write] = batch;
      await this.send(write!.actions).then(write!.resolve, write!.reject);
      return;
    }
    let etags: string[];
    try {
      etags = await this.send(batch.flatMap((write) => write.actions));
    } catch (error) {
      const status = statusOf(error);
      if (status === undefined || status >= 500) {
        for (const write of batch) write.reject(error);
        return;
      }
      // Someone's group was refused (and with it the transaction): each goes again on its own.
      await Promise.all(batch.map((write) => this.send(write.actions).then(write.resolve, write.reject)));
      return;
    }
    let at = 0;
    for (const write of batch) {
      write.resolve(etags.slice(at, at + write.actions.length));
      at += write.actions.length;
    }
  }

  /** One request: a plain operation for a single action (cheaper than a transaction of one), else a transaction. */
  private async send(actions: TransactionAction[]): Promise<string[]> {
    if (actions.length === 1) return [await this.single(actions[0]!)];
    const response = await this.run((abortSignal) => this.client.submitTransaction(actions, { abortSignal }));
    return actions.map((_, i) => response.subResponses[i]?.etag?.trim() ?? '');
  }

  private async single(action: TransactionAction): Promise<string> {
    const client = this.client;
    switch (action[0]) {
      case 'create':
        return (await this.run((abortSignal) => client.createEntity(action[1], { abortSignal }))).etag ?? '';
      case 'update': {
        const [, entity, mode, options] = action;
        return (await this.run((abortSignal) => client.updateEntity(entity, mode, { ...options, abortSignal }))).etag ?? '';
      }
      case 'upsert': {
        const [, entity, mode] = action;
        return (await this.run((abortSignal) => client.upsertEntity(entity, mode, { abortSignal }))).etag ?? '';
      }
      case 'delete': {
        const entity = action[1];
        await this.run((abortSignal) => client.deleteEntity(entity.partitionKey, entity.rowKey, { abortSignal }));
        return '';
      }
    }
  }
}
