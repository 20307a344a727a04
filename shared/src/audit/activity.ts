import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Actor } from '../access/principal';
import { Repository, type Page, type RepositoryDefinition } from '../store/repository';
import type { TableStore } from '../store/table-store';
import { invertedTime } from '../store/keys';

export interface ActivityEntry {
  /** The feed it belongs to: an enterprise id, or `provider:{tenantId}` for provider-level events. */
  scope: string;
  id: string;
  at: string;
  actor: Actor;
  /** Dotted verb, e.g. `enterprise.updated`. */
  action: string;
  entity: { type: string; id: string; name?: string };
  summary: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export const activityEntrySchema = z
  .object({
    id: z.string(),
    at: z.iso.datetime(),
    actor: z.object({ id: z.string(), name: z.string(), role: z.string() }),
    action: z.string(),
    entity: z.object({ type: z.string(), id: z.string(), name: z.string().optional() }),
    summary: z.string(),
    before: z.record(z.string(), z.unknown()).nullable(),
    after: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'ActivityEntry' });

export const ACTIVITY_TABLE = 'activity';
export const providerScope = (providerId: string) => `provider:${providerId}`;

/** Property names whose values are never written to the feed. */
const SECRET_NAME = /pass(word)?|secret|token|credential|api[-_]?key|auth[-_]?key|private[-_]?key|connection[-_]?string/i;
export const MASK = '********';

/** Replaces the values of secret-looking fields, at any depth, with a mask. */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, SECRET_NAME.test(key) && inner !== null && inner !== undefined && inner !== '' ? MASK : maskSecrets(inner)]),
  );
}

/**
 * Newest first: RowKeys are an inverted millisecond timestamp (so ascending key
 * order is descending time) plus random bytes for entries in the same millisecond.
 */
function newestFirstKey(at: Date): string {
  return `${invertedTime(at)}-${randomBytes(4).toString('hex')}`;
}

const definition: RepositoryDefinition<ActivityEntry> = {
  table: ACTIVITY_TABLE,
  entityName: 'activity entry',
  partitionOf: (e) => e.scope,
  idOf: (e) => e.id,
  toEntity: (e) => ({
    at: e.at,
    actor: JSON.stringify(e.actor),
    action: e.action,
    entity: JSON.stringify(e.entity),
    summary: e.summary,
    before: e.before === null ? null : JSON.stringify(e.before),
    after: e.after === null ? null : JSON.stringify(e.after),
  }),
  fromEntity: (p, keys) => ({
    scope: keys.partition,
    id: keys.id,
    at: String(p.at),
    actor: JSON.parse(String(p.actor)) as Actor,
    action: String(p.action),
    entity: JSON.parse(String(p.entity)) as ActivityEntry['entity'],
    summary: String(p.summary),
    before: typeof p.before === 'string' ? (JSON.parse(p.before) as Record<string, unknown>) : null,
    after: typeof p.after === 'string' ? (JSON.parse(p.after) as Record<string, unknown>) : null,
  }),
};

export interface RecordActivity {
  scope: string;
  actor: Actor;
  action: string;
  entity: ActivityEntry['entity'];
  summary: string;
  before?: object | null;
  after?: object | null;
}

/** The activity feed: who changed what, when, with before and after (secrets masked). */
export class ActivityLog {
  private readonly repository: Repository<ActivityEntry>;

  constructor(store: TableStore, private readonly now: () => Date = () => new Date()) {
    this.repository = new Repository(store, definition);
  }

  async record(input: RecordActivity): Promise<ActivityEntry> {
    const at = this.now();
    const entry: ActivityEntry = {
      scope: input.scope,
      id: newestFirstKey(at),
      at: at.toISOString(),
      actor: input.actor,
      action: input.action,
      entity: input.entity,
      summary: input.summary,
      before: input.before ? (maskSecrets(input.before) as Record<string, unknown>) : null,
      after: input.after ? (maskSecrets(input.after) as Record<string, unknown>) : null,
    };
    await this.repository.create(entry);
    return entry;
  }

  async page(scope: string, options: { pageSize?: number; continuationToken?: string } = {}): Promise<Page<ActivityEntry>> {
    const page = await this.repository.listPage(scope, options);
    return { ...page, items: page.items.map((stored) => stored.value) };
  }
}
