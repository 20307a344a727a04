import type { TransactionAction } from '@azure/data-tables';
import { ConflictError } from '../errors';
import type { E164 } from '../rules/phone';
import { escapeKey, odataString } from '../store/keys';
import { Repository, type RepositoryDefinition, type Stored } from '../store/repository';
import type { TableStore } from '../store/table-store';
import type { Capabilities, NumberHolder, PhoneNumberEntry } from './number';

export const NUMBERS_TABLE = 'numbers';

/** Table Storage's limit on the rows of one transaction. */
export const MAX_NUMBERS_PER_TRANSACTION = 100;

/**
 * One partition per enterprise, keyed by the E.164 number: a number exists once per
 * enterprise by construction, and assigning several numbers in one save is a single
 * transaction (all or nothing; Table Storage allows 100 rows per transaction).
 */
const definition: RepositoryDefinition<PhoneNumberEntry> = {
  table: NUMBERS_TABLE,
  entityName: 'number',
  partitionOf: (n) => n.enterpriseId,
  idOf: (n) => n.number,
  toEntity: (n) => ({
    carrierConnectionId: n.carrierConnectionId,
    capabilities: JSON.stringify(n.capabilities),
    label: n.label,
    extension: n.extension,
    segmentsPerSecond: n.segmentsPerSecond,
    holderType: n.holder?.type ?? null,
    holderId: n.holder?.id ?? null,
    holderName: n.holder?.name ?? null,
    createdAt: n.createdAt,
    updatedAt: n.updatedAt,
  }),
  fromEntity: (p, keys) => ({
    enterpriseId: keys.partition,
    number: keys.id as E164,
    carrierConnectionId: typeof p.carrierConnectionId === 'string' ? p.carrierConnectionId : null,
    capabilities: JSON.parse(String(p.capabilities)) as Capabilities,
    label: String(p.label ?? ''),
    extension: typeof p.extension === 'string' ? p.extension : null,
    segmentsPerSecond: typeof p.segmentsPerSecond === 'number' ? p.segmentsPerSecond : null,
    holder:
      typeof p.holderType === 'string' && typeof p.holderId === 'string'
        ? ({ type: p.holderType, id: p.holderId, name: String(p.holderName ?? p.holderId) } as NumberHolder)
        : null,
    createdAt: String(p.createdAt),
    updatedAt: String(p.updatedAt),
  }),
};

/**
 * A transaction on numbers failed because one of them changed (or was deleted)
 * since it was read. Nothing of the transaction was written.
 */
export class NumbersChangedError extends ConflictError {
  constructor(
    /** The number whose ETag no longer matched, when the service said which. */
    readonly number: string | undefined,
  ) {
    super(`${number ?? 'A number'} was changed by someone else meanwhile. Reload and try again.`);
  }
}

function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null ? (error as { statusCode?: number }).statusCode : undefined;
}

/** Holder ids per filter: with the partition, row range and holder type, under Table Storage's 15 comparisons. */
const HOLDER_IDS_PER_QUERY = 10;

export class NumberRepository extends Repository<PhoneNumberEntry> {
  constructor(store: TableStore) {
    super(store, definition);
  }

  all(enterpriseId: string): AsyncGenerator<Stored<PhoneNumberEntry>> {
    return this.listAll(enterpriseId);
  }

  /** Several numbers by point reads in parallel (a few), or in filtered queries (many). */
  async read(enterpriseId: string, numbers: readonly string[]): Promise<Map<string, Stored<PhoneNumberEntry>>> {
    const unique = [...new Set(numbers)];
    if (unique.length > 6) return this.getMany(enterpriseId, unique);
    const found = new Map<string, Stored<PhoneNumberEntry>>();
    await Promise.all(
      unique.map(async (number) => {
        const stored = await this.get(enterpriseId, number);
        if (stored) found.set(number, stored);
      }),
    );
    return found;
  }

  /** The numbers between `from` and `to` (E.164 of the same length sort like the numbers they are). */
  async between(enterpriseId: string, from: string, to: string): Promise<Stored<PhoneNumberEntry>[]> {
    const rows: Stored<PhoneNumberEntry>[] = [];
    for await (const stored of this.listAll(enterpriseId, `RowKey ge ${odataString(escapeKey(from))} and RowKey le ${odataString(escapeKey(to))}`)) {
      if (stored.value.number.length === from.length) rows.push(stored);
    }
    return rows;
  }

  /** The numbers held by any of these holders, read from storage (not a cache). */
  async heldBy(enterpriseId: string, type: NumberHolder['type'], holderIds: readonly string[]): Promise<Stored<PhoneNumberEntry>[]> {
    const unique = [...new Set(holderIds)];
    const rows: Stored<PhoneNumberEntry>[] = [];
    for (let at = 0; at < unique.length; at += HOLDER_IDS_PER_QUERY) {
      const ids = unique.slice(at, at + HOLDER_IDS_PER_QUERY).map((id) => `holderId eq ${odataString(id)}`);
      for await (const stored of this.listAll(enterpriseId, `holderType eq ${odataString(type)} and (${ids.join(' or ')})`)) rows.push(stored);
    }
    return rows;
  }

  /**
   * Writes every change in ONE transaction, each conditional on the ETag it was read
   * with: all are saved or none (then `NumbersChangedError`). Up to 100 numbers, all
   * of one enterprise. Answers the saved numbers with their new ETags, in input order.
   */
  async transact(changes: ReadonlyArray<{ current: Stored<PhoneNumberEntry>; next: PhoneNumberEntry }>): Promise<Stored<PhoneNumberEntry>[]> {
    if (changes.length === 0) return [];
    if (changes.length > MAX_NUMBERS_PER_TRANSACTION) {
      throw new Error(`A numbers transaction holds at most ${MAX_NUMBERS_PER_TRANSACTION} numbers (got ${changes.length}).`);
    }
    const partition = changes[0]!.next.enterpriseId;
    const seen = new Set<string>();
    const actions = changes.map(({ current, next }): TransactionAction => {
      if (next.enterpriseId !== partition) throw new Error('A numbers transaction spans one enterprise.');
      if (current.value.number !== next.number || seen.has(next.number)) throw new Error(`Each number appears once in a transaction, unchanged: ${next.number}.`);
      if (!current.etag || current.etag === '*') throw new Error('A numbers transaction needs the ETag each number was read with.');
      seen.add(next.number);
      const row = { ...this.definition.toEntity(next), partitionKey: escapeKey(partition), rowKey: escapeKey(next.number) };
      return ['update', row, 'Replace', { etag: current.etag }];
    });
    try {
      // A single update is not sent as a batch: same guarantee, one round trip less work for the service.
      if (actions.length === 1) {
        const [, row] = actions[0] as ['update', Record<string, unknown> & { partitionKey: string; rowKey: string }, 'Replace', { etag: string }];
        const result = await this.store.run((abortSignal) =>
          this.store.client(NUMBERS_TABLE).updateEntity(row, 'Replace', { etag: changes[0]!.current.etag, abortSignal }),
        );
        return [{ value: changes[0]!.next, etag: result.etag ?? '' }];
      }
      const response = await this.store.run((abortSignal) => this.store.client(NUMBERS_TABLE).submitTransaction(actions, { abortSignal }));
      return changes.map(({ next }, i) => ({ value: next, etag: response.subResponses[i]?.etag?.trim() ?? '' }));
    } catch (error) {
      const status = statusOf(error);
      if (status === 412 || status === 404) {
        // The service names the failing action by its index: "1:The update condition ...".
        const index = /^(\d+):/.exec(String((error as Error).message ?? ''))?.[1];
        const failed = changes.length === 1 ? changes[0] : index !== undefined ? changes[Number(index)] : undefined;
        throw new NumbersChangedError(failed?.next.number);
      }
      throw error;
    }
  }
}
