import { randomBytes } from 'node:crypto';
import type { TransactionAction } from '@azure/data-tables';
import type { SmsMessage } from '../messaging/message';
import { escapeKey, odataString, unescapeKey } from '../store/keys';
import type { TableStore } from '../store/table-store';

export const MESSAGE_STATS_TABLE = 'messagestats';

/** A UTC calendar day, "2026-11-21". */
export type Day = string;

export const dayOf = (at: string | Date): Day => new Date(at).toISOString().slice(0, 10);

/** The `count` UTC days ending with `today`, oldest first. */
export function lastDays(count: number, today: Date = new Date()): Day[] {
  const end = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  return Array.from({ length: count }, (_, i) => new Date(end - (count - 1 - i) * 86_400_000).toISOString().slice(0, 10));
}

export interface DayCount {
  day: Day;
  inbound: number;
  outbound: number;
}

/** What the dashboard knows of one carrier connection from the traffic it carried. */
export interface ConnectionActivity {
  lastInboundAt: string | null;
  lastSentAt: string | null;
  lastFailureAt: string | null;
  lastFailureReason: string | null;
}

const emptyActivity = (): ConnectionActivity => ({ lastInboundAt: null, lastSentAt: null, lastFailureAt: null, lastFailureReason: null });

const later = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a >= b ? a : b);

/** Two views of one connection merged: the latest of each. */
export function mergeActivity(a: ConnectionActivity, b: ConnectionActivity): ConnectionActivity {
  const failureFromB = b.lastFailureAt !== null && (a.lastFailureAt === null || b.lastFailureAt > a.lastFailureAt);
  return {
    lastInboundAt: later(a.lastInboundAt, b.lastInboundAt),
    lastSentAt: later(a.lastSentAt, b.lastSentAt),
    lastFailureAt: later(a.lastFailureAt, b.lastFailureAt),
    lastFailureReason: failureFromB ? b.lastFailureReason : a.lastFailureReason,
  };
}

const DAY_PREFIX = 'd|';
const CONNECTION_PREFIX = 'c|';

interface PendingRow {
  partition: string;
  rowKey: string;
  properties: Record<string, string | number | null>;
}

export interface MessageStatsOptions {
  /** How often buffered counts are written (default 5 s). */
  flushIntervalMs?: number;
  /** Identifies this process's rows; random by default (a restarted process writes new rows). */
  processId?: string;
  onError?: (error: unknown) => void;
}

/**
 * Messages per day and carrier activity for the dashboard, kept off the message path:
 * listeners only bump counters in memory; every few seconds each process writes its
 * own rows, keyed (enterprise, day, process), holding what THIS process counted.
 * Nobody else writes those rows, so the write is an upsert without an ETag and there
 * is no hot row to fight over; reading sums the processes' rows.
 *
 * Counts are per UTC day. A message whose follow-up work runs twice (the sweep after
 * a crash) may be counted twice; the chart is a trend, not a ledger.
 */
export class MessageStats {
  readonly processId: string;
  private readonly days = new Map<string, { enterpriseId: string; day: Day; inbound: number; outbound: number }>();
  private readonly connections = new Map<string, { enterpriseId: string; connectionId: string; activity: ConnectionActivity }>();
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: TableStore,
    private readonly options: MessageStatsOptions = {},
  ) {
    this.processId = options.processId ?? randomBytes(6).toString('hex');
  }

  // ---------------------------------------------------------------- fed by the messaging listeners

  /** An inbound message was routed (to someone, or to the unrouted list). */
  countInbound(message: Pick<SmsMessage, 'enterpriseId' | 'connectionId' | 'receivedAt'>): void {
    this.bumpDay(message.enterpriseId, 'inbound');
    this.touch(message.enterpriseId, message.connectionId, { ...emptyActivity(), lastInboundAt: message.receivedAt });
  }

  /** An outbound message was accepted (stored and queued). */
  countOutbound(message: Pick<SmsMessage, 'enterpriseId'>): void {
    this.bumpDay(message.enterpriseId, 'outbound');
  }

  /** An outbound message moved on: the carrier took it, or it failed. */
  recordOutcome(message: Pick<SmsMessage, 'enterpriseId' | 'connectionId' | 'direction' | 'status' | 'updatedAt' | 'failureReason' | 'errorCode' | 'deadLetteredAt'>): void {
    if (message.direction !== 'outbound' || !message.connectionId) return;
    if (message.status === 'sent' || message.status === 'delivered') {
      this.touch(message.enterpriseId, message.connectionId, { ...emptyActivity(), lastSentAt: message.updatedAt });
    } else if (message.status === 'failed' || message.status === 'undelivered' || message.deadLetteredAt) {
      const reason = message.failureReason ?? (message.errorCode ? `Carrier error ${message.errorCode}` : `Message ${message.status}`);
      this.touch(message.enterpriseId, message.connectionId, { ...emptyActivity(), lastFailureAt: message.updatedAt, lastFailureReason: reason.slice(0, 500) });
    }
  }

  /**
   * Counted on the day it is handled (not the message's own timestamp): a process only
   * ever adds to today, so the totals of days gone by can be dropped from memory.
   */
  private bumpDay(enterpriseId: string, direction: 'inbound' | 'outbound'): void {
    const day = dayOf(new Date());
    const key = `${enterpriseId}\n${DAY_PREFIX}${day}`;
    const entry = this.days.get(key) ?? { enterpriseId, day, inbound: 0, outbound: 0 };
    entry[direction] += 1;
    this.days.set(key, entry);
    this.dirty.add(key);
    this.schedule();
  }

  private touch(enterpriseId: string, connectionId: string, activity: ConnectionActivity): void {
    const key = `${enterpriseId}\n${CONNECTION_PREFIX}${connectionId}`;
    const entry = this.connections.get(key) ?? { enterpriseId, connectionId, activity: emptyActivity() };
    entry.activity = mergeActivity(entry.activity, activity);
    this.connections.set(key, entry);
    this.dirty.add(key);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((error: unknown) => this.options.onError?.(error));
    }, this.options.flushIntervalMs ?? 5000);
    this.timer.unref();
  }

  // ---------------------------------------------------------------- writing

  /** Writes what was counted since the last flush; resolves when it is stored. */
  flush(): Promise<void> {
    this.flushing = this.flushing.catch(() => undefined).then(() => this.write());
    return this.flushing;
  }

  /** Stops the timer and writes what is left (server shutdown). */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private async write(): Promise<void> {
    const keys = [...this.dirty];
    this.dirty.clear();
    const rows: PendingRow[] = [];
    for (const key of keys) {
      const day = this.days.get(key);
      if (day) {
        rows.push({ partition: day.enterpriseId, rowKey: `${DAY_PREFIX}${day.day}|${this.processId}`, properties: { inbound: day.inbound, outbound: day.outbound } });
        continue;
      }
      const connection = this.connections.get(key);
      if (connection) rows.push({ partition: connection.enterpriseId, rowKey: `${CONNECTION_PREFIX}${connection.connectionId}|${this.processId}`, properties: { ...connection.activity } });
    }
    const byPartition = new Map<string, PendingRow[]>();
    for (const row of rows) byPartition.set(row.partition, [...(byPartition.get(row.partition) ?? []), row]);
    const client = this.store.client(MESSAGE_STATS_TABLE);
    try {
      for (const [partition, pending] of byPartition) {
        for (let i = 0; i < pending.length; i += 100) {
          // This process is the only writer of its rows (the key names it): an upsert loses nothing.
          const actions = pending.slice(i, i + 100).map((row): TransactionAction => ['upsert', { partitionKey: escapeKey(partition), rowKey: escapeKey(row.rowKey), ...row.properties }, 'Replace']);
          await this.store.run((abortSignal) => client.submitTransaction(actions, { abortSignal }));
        }
      }
    } catch (error) {
      // Written again on the next flush: the rows hold totals, so nothing is lost.
      for (const key of keys) this.dirty.add(key);
      this.schedule();
      throw error;
    }
    this.forgetOldDays();
  }

  /** Yesterday's totals may still be written once more; older ones are done with. */
  private forgetOldDays(): void {
    const keep = lastDays(2)[0]!;
    for (const [key, entry] of this.days) if (entry.day < keep && !this.dirty.has(key)) this.days.delete(key);
  }

  // ---------------------------------------------------------------- reading

  /** Inbound and outbound messages for each of `days` (every process's rows summed), oldest first. */
  async perDay(enterpriseId: string, days: readonly Day[]): Promise<DayCount[]> {
    const totals = new Map<Day, DayCount>(days.map((day) => [day, { day, inbound: 0, outbound: 0 }]));
    if (days.length === 0) return [];
    const from = `${DAY_PREFIX}${days[0]}`;
    const to = `${DAY_PREFIX}${days[days.length - 1]}|~`;
    for await (const row of this.rows(enterpriseId, from, to)) {
      const day = row.rowKey.slice(DAY_PREFIX.length, DAY_PREFIX.length + 10);
      const total = totals.get(day);
      if (!total) continue;
      total.inbound += Number(row.inbound ?? 0);
      total.outbound += Number(row.outbound ?? 0);
    }
    return [...totals.values()];
  }

  /** What each connection's traffic says (the latest over every process), by connection id. */
  async connectionActivity(enterpriseId: string): Promise<Map<string, ConnectionActivity>> {
    const result = new Map<string, ConnectionActivity>();
    for await (const row of this.rows(enterpriseId, CONNECTION_PREFIX, `${CONNECTION_PREFIX}~`)) {
      const rest = row.rowKey.slice(CONNECTION_PREFIX.length);
      const connectionId = rest.slice(0, rest.lastIndexOf('|'));
      const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
      const activity: ConnectionActivity = {
        lastInboundAt: text(row.lastInboundAt),
        lastSentAt: text(row.lastSentAt),
        lastFailureAt: text(row.lastFailureAt),
        lastFailureReason: text(row.lastFailureReason),
      };
      result.set(connectionId, mergeActivity(result.get(connectionId) ?? emptyActivity(), activity));
    }
    return result;
  }

  private async *rows(enterpriseId: string, from: string, to: string): AsyncGenerator<Record<string, unknown> & { rowKey: string }> {
    const filter = `PartitionKey eq ${odataString(escapeKey(enterpriseId))} and RowKey ge ${odataString(escapeKey(from))} and RowKey lt ${odataString(escapeKey(to))}`;
    const client = this.store.client(MESSAGE_STATS_TABLE);
    let token: string | undefined;
    do {
      const from = token;
      const page = await this.store.run((abortSignal) =>
        client.listEntities<Record<string, unknown>>({ queryOptions: { filter }, abortSignal }).byPage({ maxPageSize: 1000, ...(from ? { continuationToken: from } : {}) }).next(),
      );
      if (page.done) return;
      for (const row of page.value) yield { ...row, rowKey: unescapeKey(row.rowKey ?? '') };
      token = page.value.continuationToken;
    } while (token);
  }
}
