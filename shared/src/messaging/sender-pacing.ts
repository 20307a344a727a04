import { ConflictError } from '../errors';
import { Repository, type RepositoryDefinition, type Stored } from '../store/repository';
import type { TableStore } from '../store/table-store';

export const SENDER_PACING_TABLE = 'senderpacing';

/** When the sending number is next free to send, in ms since the epoch. */
interface PacingRow {
  enterpriseId: string;
  number: string;
  nextFreeAt: number;
}

const definition: RepositoryDefinition<PacingRow> = {
  table: SENDER_PACING_TABLE,
  entityName: 'sending pace',
  partitionOf: (r) => r.enterpriseId,
  idOf: (r) => r.number,
  toEntity: (r) => ({ nextFreeAt: r.nextFreeAt }),
  fromEntity: (p, keys) => ({ enterpriseId: keys.partition, number: keys.id, nextFreeAt: Number(p.nextFreeAt ?? 0) }),
  // Every send reserves a slot: reservations of an enterprise's numbers at the same time share transactions.
  groupCommit: true,
};

/** Numbers whose last row this process keeps (the least recently used go first). */
const KNOWN_NUMBERS = 10_000;

/**
 * Paces sends per enterprise number across every worker process: each send reserves
 * the number's next free slot with a conditional write, so two processes never use
 * the same slot. Carriers queue excess traffic for hours instead of refusing it, so
 * pacing is ours to do.
 */
export class SenderPacer {
  private readonly rows: Repository<PacingRow>;
  /** Last row seen per number: the common case is one conditional write, no read. */
  private readonly known = new Map<string, Stored<PacingRow>>();
  /** Reservations of one number in this process go one after the other (no conflict with ourselves). */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(store: TableStore) {
    this.rows = new Repository(store, definition);
  }

  /**
   * Reserves `segments` at `segmentsPerSecond` on the number and returns when the send
   * may start (ms since the epoch; now or later).
   */
  reserve(enterpriseId: string, number: string, segments: number, segmentsPerSecond: number, now?: number): Promise<number> {
    const key = `${enterpriseId}|${number}`;
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.reserveNow(key, enterpriseId, number, segments, segmentsPerSecond, now ?? Date.now()));
    this.queues.set(key, next);
    void next.catch(() => undefined).finally(() => {
      if (this.queues.get(key) === next) this.queues.delete(key);
    });
    return next;
  }

  private remember(key: string, stored: Stored<PacingRow>): void {
    this.known.delete(key);
    this.known.set(key, stored);
    if (this.known.size > KNOWN_NUMBERS) this.known.delete(this.known.keys().next().value!);
  }

  private async reserveNow(key: string, enterpriseId: string, number: string, segments: number, segmentsPerSecond: number, now: number): Promise<number> {
    const duration = (Math.max(1, segments) * 1000) / segmentsPerSecond;
    for (let attempt = 0; attempt < 20; attempt++) {
      const current = this.known.get(key) ?? (await this.rows.get(enterpriseId, number));
      const start = Math.max(now, current?.value.nextFreeAt ?? 0);
      const next: PacingRow = { enterpriseId, number, nextFreeAt: start + duration };
      try {
        const saved = current ? await this.rows.update(current, next) : await this.rows.create(next);
        this.remember(key, saved);
        return start;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        // Another process took a slot meanwhile: read the row again and take the one after.
        this.known.delete(key);
        const fresh = await this.rows.get(enterpriseId, number);
        if (fresh) this.remember(key, fresh);
      }
    }
    throw new ConflictError(`Could not reserve a sending slot on ${number}: too many workers are sending from it at once.`);
  }
}
