import { z } from 'zod';
import type { Principal } from '../access/principal';
import { requireAdminOf } from '../access/policy';
import type { UserDirectory } from '../directory/user-directory';
import type { DirectorySync } from '../directory/sync/directory-sync';
import { syncCountsSchema, syncResultSchema } from '../directory/sync/sync-state';
import type { EnterpriseRepository } from '../enterprises/repository';
import type { CarrierConnections } from '../messaging/carrier-connections';
import { DEAD_LETTER_INDEX, INFLIGHT_INDEX, type MessageRepository } from '../messaging/message';
import { UNROUTED_MESSAGES_TABLE } from '../messaging/messages';
import type { OutboundQueue } from '../messaging/outbound-queue';
import type { NumberInventory } from '../numbers/inventory';
import { escapeKey, invertedTime, odataString } from '../store/keys';
import type { TableStore } from '../store/table-store';
import { lastDays, type MessageStats } from './message-stats';

/** Counts above this are shown as "1000+": the dashboard never scans a large list. */
export const DASHBOARD_COUNT_CAP = 1000;
/** Unrouted and dead-lettered messages count as needing attention for this long. */
export const ATTENTION_DAYS = 7;

export const dashboardQuerySchema = z.object({
  days: z.coerce
    .number()
    .int('Must be a whole number of days.')
    .refine((days) => days === 14 || days === 30, 'Show 14 or 30 days.')
    .default(14)
    .describe('Days of the messages-per-day chart: 14 or 30.'),
});

export const dashboardTaskKinds = ['sync-failed', 'unlicensed-sms-users', 'unrouted-messages', 'dead-letters', 'unreachable-users'] as const;
export type DashboardTaskKind = (typeof dashboardTaskKinds)[number];

const countSchema = z.number().int().describe(`How many; at most ${DASHBOARD_COUNT_CAP} are counted.`);

const taskSchema = z.object({
  kind: z.enum(dashboardTaskKinds),
  severity: z.enum(['error', 'warning']),
  count: countSchema,
  capped: z.boolean().describe(`True when there are more than ${DASHBOARD_COUNT_CAP}.`),
  title: z.string().describe('What needs attention, in words.'),
  detail: z.string().describe('Why it matters and what to do.'),
  page: z.enum(['dashboard', 'users', 'numbers', 'settings', 'activity']).describe('The tab page where it is dealt with.'),
  filter: z.record(z.string(), z.string()).optional().describe("The page's filters that show exactly these items."),
});

const connectionHealthSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  numbers: z.number().int().describe('Numbers of the inventory served by it.'),
  lastInboundAt: z.string().nullable().describe('The last inbound message it delivered to us.'),
  lastSentAt: z.string().nullable().describe('The last message it accepted from us.'),
  lastFailureAt: z.string().nullable().describe('The last send through it that failed.'),
  lastFailureReason: z.string().nullable(),
  status: z.enum(['ok', 'failing', 'idle']).describe('failing: its last outcome was a failure; idle: no traffic seen yet.'),
});

export const dashboardSchema = z
  .object({
    generatedAt: z.string(),
    tasks: z.array(taskSchema).describe('What needs attention, most serious first; empty when all is well.'),
    attentionCount: z.number().int().describe('Sum of the tasks\' counts: the badge on the bell.'),
    sync: z.object({
      configured: z.boolean(),
      status: z.enum(['idle', 'running', 'failed']),
      phase: z.enum(['groups', 'users', 'finishing']).optional(),
      processed: z.number().int(),
      counts: syncCountsSchema,
      startedAt: z.string().optional(),
      lastResult: syncResultSchema.optional(),
    }),
    messagesPerDay: z.array(z.object({ day: z.string().describe('UTC day, YYYY-MM-DD.'), inbound: z.number().int(), outbound: z.number().int() })).describe('Oldest first, one entry per day.'),
    carriers: z.array(connectionHealthSchema),
    queue: z.object({
      inFlight: countSchema.describe('Messages of this enterprise still to send or route.'),
      inFlightCapped: z.boolean(),
      oldestInFlightAt: z.string().nullable().describe('When the oldest of them was accepted.'),
      deadLetters: countSchema.describe(`Outbound messages given up in the last ${ATTENTION_DAYS} days.`),
      outboundDepth: z.number().int().optional().describe('Items waiting in the outbound queue of the whole deployment (provider admins only).'),
    }),
    numbers: z.object({ total: z.number().int(), unassigned: z.number().int() }),
  })
  .meta({ id: 'Dashboard' });
export type DashboardView = z.input<typeof dashboardSchema>;
type Task = z.input<typeof taskSchema>;

/** What the dashboard reads. */
export interface DashboardDependencies {
  store: TableStore;
  enterprises: EnterpriseRepository;
  directorySync: DirectorySync;
  users: UserDirectory;
  numbers: NumberInventory;
  messages: MessageRepository;
  carrierConnections: CarrierConnections;
  outboundQueue: OutboundQueue;
  stats: MessageStats;
}

export interface DashboardSources {
  /** How many users blocked or removed the Teams app (the Teams side tracks it). */
  unreachableUsers?: (principal: Principal, enterpriseId: string) => Promise<number>;
}

const plural = (count: number, one: string, many: string, capped = false) => `${capped ? `More than ${DASHBOARD_COUNT_CAP}` : count} ${count === 1 && !capped ? one : many}`;

/** One call for the admin tab's Dashboard: tasks that need attention, sync, traffic, carriers, queue. */
export class Dashboard {
  constructor(private readonly deps: DashboardDependencies) {}

  async summary(principal: Principal, enterpriseId: string, query: z.output<typeof dashboardQuerySchema>, sources: DashboardSources = {}): Promise<DashboardView> {
    const stored = await this.deps.enterprises.byId(enterpriseId);
    requireAdminOf(principal, stored?.value, enterpriseId, 'see the dashboard');
    const now = new Date();
    const attentionSince = new Date(now.getTime() - ATTENTION_DAYS * 86_400_000);
    const [state, unlicensed, unrouted, deadLetters, inFlight, perDay, carriers, numbers, unreachable, depth] = await Promise.all([
      this.deps.directorySync.state(enterpriseId),
      this.deps.users.query(principal, enterpriseId, { license: 'without', services: 'sms-enabled', limit: 1 }),
      this.countUnrouted(enterpriseId, attentionSince),
      this.countIndex(enterpriseId, DEAD_LETTER_INDEX, (key) => key < `${invertedTime(attentionSince)}|`),
      this.inFlight(enterpriseId),
      this.deps.stats.perDay(enterpriseId, lastDays(query.days, now)),
      this.carriers(principal, enterpriseId),
      this.numberCounts(principal, enterpriseId),
      sources.unreachableUsers ? sources.unreachableUsers(principal, enterpriseId) : Promise.resolve(undefined),
      principal.role === 'provider-admin' ? this.deps.outboundQueue.depth() : Promise.resolve(undefined),
    ]);

    const tasks: Task[] = [];
    const syncFailed = state.status === 'failed' || (state.status !== 'running' && state.lastResult?.outcome === 'failed');
    if (syncFailed) {
      const error = state.lastResult?.error;
      tasks.push({
        kind: 'sync-failed',
        severity: 'error',
        count: 1,
        capped: false,
        title: 'The Teams users sync failed',
        detail: `${error ? `${error} ` : ''}Users added or changed in Microsoft 365 since the last good sync are not in Switchboard yet. Fix the cause and run the sync again.`,
        page: 'users',
      });
    }
    if (unlicensed.total > 0) {
      tasks.push({
        kind: 'unlicensed-sms-users',
        severity: 'warning',
        count: unlicensed.total,
        capped: false,
        title: `${plural(unlicensed.total, 'user has', 'users have')} SMS on but no Teams licence`,
        detail: 'They cannot read or answer their texts in Teams. Give them a Teams licence, or turn SMS off for them.',
        page: 'users',
        filter: { license: 'without', services: 'sms-enabled' },
      });
    }
    if (unrouted.count > 0) {
      tasks.push({
        kind: 'unrouted-messages',
        severity: 'warning',
        count: unrouted.count,
        capped: unrouted.capped,
        title: `${plural(unrouted.count, 'message', 'messages', unrouted.capped)} to numbers nobody holds`,
        detail: `Texts received in the last ${ATTENTION_DAYS} days reached no one. Assign those numbers to a user or an SMS group.`,
        page: 'numbers',
        filter: { status: 'unassigned' },
      });
    }
    if (deadLetters.count > 0) {
      tasks.push({
        kind: 'dead-letters',
        severity: 'error',
        count: deadLetters.count,
        capped: deadLetters.capped,
        title: `${plural(deadLetters.count, 'message', 'messages', deadLetters.capped)} could not be sent`,
        detail: `Given up after the last retry in the last ${ATTENTION_DAYS} days. Check the carrier connections below.`,
        page: 'settings',
      });
    }
    if (unreachable !== undefined && unreachable > 0) {
      tasks.push({
        kind: 'unreachable-users',
        severity: 'warning',
        count: unreachable,
        capped: false,
        title: `${plural(unreachable, 'user has', 'users have')} blocked or removed the Teams app`,
        detail: 'Switchboard cannot deliver their texts in Teams until they add the app again.',
        page: 'users',
      });
    }
    tasks.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));

    const { status, phase, processed, counts, startedAt, lastResult } = state;
    return {
      generatedAt: now.toISOString(),
      tasks,
      attentionCount: tasks.reduce((sum, task) => sum + task.count, 0),
      sync: {
        configured: this.deps.directorySync.configured,
        status,
        ...(phase && status === 'running' ? { phase } : {}),
        processed,
        counts,
        ...(startedAt && status === 'running' ? { startedAt } : {}),
        ...(lastResult ? { lastResult } : {}),
      },
      messagesPerDay: perDay,
      carriers,
      queue: {
        inFlight: inFlight.count,
        inFlightCapped: inFlight.capped,
        oldestInFlightAt: inFlight.oldest,
        deadLetters: deadLetters.count,
        ...(depth !== undefined ? { outboundDepth: depth } : {}),
      },
      numbers,
    };
  }

  private async carriers(principal: Principal, enterpriseId: string): Promise<DashboardView['carriers']> {
    const [{ items }, activity] = await Promise.all([this.deps.carrierConnections.list(principal, enterpriseId), this.deps.stats.connectionActivity(enterpriseId)]);
    return Promise.all(
      items.map(async (connection) => {
        const seen = activity.get(connection.id) ?? { lastInboundAt: null, lastSentAt: null, lastFailureAt: null, lastFailureReason: null };
        const served = await this.deps.numbers.list(principal, enterpriseId, { carrierConnectionId: connection.id, limit: 1 });
        const lastSuccess = [seen.lastSentAt, seen.lastInboundAt].filter((at): at is string => at !== null).sort().pop() ?? null;
        const status = seen.lastFailureAt !== null && (seen.lastSentAt === null || seen.lastFailureAt > seen.lastSentAt) ? 'failing' : lastSuccess === null ? 'idle' : 'ok';
        return { id: connection.id, name: connection.name, type: connection.type, numbers: served.total, ...seen, status } as const;
      }),
    );
  }

  private async numberCounts(principal: Principal, enterpriseId: string): Promise<{ total: number; unassigned: number }> {
    const [all, unassigned] = await Promise.all([
      this.deps.numbers.list(principal, enterpriseId, { limit: 1 }),
      this.deps.numbers.list(principal, enterpriseId, { status: 'unassigned', limit: 1 }),
    ]);
    return { total: all.total, unassigned: unassigned.total };
  }

  /** Unrouted list rows newer than `since` (RowKeys are inverted time: newest first). */
  private async countUnrouted(enterpriseId: string, since: Date): Promise<{ count: number; capped: boolean }> {
    const client = this.deps.store.client(UNROUTED_MESSAGES_TABLE);
    const filter = `PartitionKey eq ${odataString(escapeKey(enterpriseId))} and RowKey lt ${odataString(`${invertedTime(since)}-`)}`;
    let count = 0;
    let token: string | undefined;
    do {
      const from = token;
      const page = await this.deps.store.run((abortSignal) =>
        client.listEntities({ queryOptions: { filter, select: ['RowKey'] }, abortSignal }).byPage({ maxPageSize: DASHBOARD_COUNT_CAP, ...(from ? { continuationToken: from } : {}) }).next(),
      );
      if (page.done) break;
      count += page.value.length;
      token = page.value.continuationToken;
    } while (token && count <= DASHBOARD_COUNT_CAP);
    return { count: Math.min(count, DASHBOARD_COUNT_CAP), capped: count > DASHBOARD_COUNT_CAP };
  }

  /** Claims of an index in key order, counted while `keep` holds. */
  private async countIndex(enterpriseId: string, index: string, keep: (key: string) => boolean): Promise<{ count: number; capped: boolean; first: string | null }> {
    let count = 0;
    let first: string | null = null;
    let token: string | undefined;
    do {
      const page = await this.deps.messages.listIndex(enterpriseId, index, { pageSize: 1000, ...(token ? { continuationToken: token } : {}) });
      for (const item of page.items) {
        if (!keep(item.key)) return { count: Math.min(count, DASHBOARD_COUNT_CAP), capped: count > DASHBOARD_COUNT_CAP, first };
        first ??= item.key;
        count += 1;
        if (count > DASHBOARD_COUNT_CAP) return { count: DASHBOARD_COUNT_CAP, capped: true, first };
      }
      token = page.continuationToken;
    } while (token);
    return { count, capped: false, first };
  }

  /** Messages still to send or route; the in-flight index is ordered oldest first (`{createdAt}|{id}`). */
  private async inFlight(enterpriseId: string): Promise<{ count: number; capped: boolean; oldest: string | null }> {
    const counted = await this.countIndex(enterpriseId, INFLIGHT_INDEX, () => true);
    const oldest = counted.first ? counted.first.slice(0, counted.first.indexOf('|')) : null;
    return { count: counted.count, capped: counted.capped, oldest };
  }
}
