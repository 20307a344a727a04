import { z } from 'zod';
import { Repository, type RepositoryDefinition } from '../../store/repository';
import type { TableStore } from '../../store/table-store';

export const DIRECTORY_SYNC_TABLE = 'directorysync';
const STATE_ROW = 'state';

export const syncCountsSchema = z.object({
  added: z.number().int(),
  updated: z.number().int(),
  removed: z.number().int(),
  failed: z.number().int(),
});
export type SyncCounts = z.infer<typeof syncCountsSchema>;

export const syncResultSchema = syncCountsSchema
  .extend({
    runId: z.string(),
    mode: z.enum(['full', 'delta']),
    trigger: z.enum(['manual', 'schedule']),
    outcome: z.enum(['succeeded', 'failed']),
    error: z.string().optional(),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime(),
    durationMs: z.number(),
  })
  .meta({ id: 'DirectorySyncResult' });
export type SyncResult = z.infer<typeof syncResultSchema>;

/**
 * One per enterprise: where the directory sync stands. It is also the lock (a lease
 * taken with the entity's ETag, so two requests at once start one run) and the
 * resume point (the Graph link of the next page, saved after every page).
 */
export interface SyncState {
  enterpriseId: string;
  status: 'idle' | 'running' | 'failed';
  runId?: string;
  mode?: 'full' | 'delta';
  trigger?: 'manual' | 'schedule';
  phase?: 'groups' | 'users' | 'finishing';
  /** Directory entries read so far in this run. */
  processed: number;
  counts: SyncCounts;
  startedAt?: string;
  leaseOwner?: string;
  leaseUntil?: string;
  /** The Graph link to read next when the current run resumes. */
  cursor?: string;
  /** Where the next delta run starts; valid only for `selectionKey`. */
  deltaLink?: string;
  /** The group selection the delta link was made under. */
  selectionKey?: string;
  lastResult?: SyncResult;
}

export const zeroCounts = (): SyncCounts => ({ added: 0, updated: 0, removed: 0, failed: 0 });

const definition: RepositoryDefinition<SyncState> = {
  table: DIRECTORY_SYNC_TABLE,
  entityName: 'directory sync state',
  partitionOf: (s) => s.enterpriseId,
  idOf: () => STATE_ROW,
  toEntity: ({ enterpriseId: _id, counts, lastResult, ...rest }) => ({
    ...rest,
    counts: JSON.stringify(counts),
    lastResult: lastResult ? JSON.stringify(lastResult) : undefined,
  }),
  fromEntity: (p, keys) => {
    const optional = (name: string) => (typeof p[name] === 'string' ? (p[name] as string) : undefined);
    return {
      enterpriseId: keys.partition,
      status: (optional('status') ?? 'idle') as SyncState['status'],
      runId: optional('runId'),
      mode: optional('mode') as SyncState['mode'],
      trigger: optional('trigger') as SyncState['trigger'],
      phase: optional('phase') as SyncState['phase'],
      processed: Number(p.processed ?? 0),
      counts: p.counts ? (JSON.parse(String(p.counts)) as SyncCounts) : zeroCounts(),
      startedAt: optional('startedAt'),
      leaseOwner: optional('leaseOwner'),
      leaseUntil: optional('leaseUntil'),
      cursor: optional('cursor'),
      deltaLink: optional('deltaLink'),
      selectionKey: optional('selectionKey'),
      lastResult: p.lastResult ? (JSON.parse(String(p.lastResult)) as SyncResult) : undefined,
    };
  },
};

export class SyncStateRepository extends Repository<SyncState> {
  constructor(store: TableStore) {
    super(store, definition);
  }

  of(enterpriseId: string) {
    return this.get(enterpriseId, STATE_ROW);
  }
}
