import { Repository, type RepositoryDefinition, type Stored } from '../store/repository';
import { escapeKey, odataString, unescapeKey } from '../store/keys';
import type { TableStore } from '../store/table-store';
import { ConflictError } from '../errors';

export const TEAMS_DELIVERIES_TABLE = 'teamsdeliveries';
export const WAITING_INDEX = 'waiting';
export const PENDING_INDEX = 'pending';

/** An inbound SMS for a holder or group member, or a group member's reply shown to the other members. */
export type TeamsDeliveryKind = 'inbound' | 'groupReply';
/**
 * pending: to post (now or at `nextAttemptAt`). held: the user cannot be reached (blocked,
 * removed, not installed); waits for an install. delivered: posted. failed: Teams refused
 * it for good (the reason is kept).
 */
export type TeamsDeliveryState = 'pending' | 'held' | 'delivered' | 'failed';

/** One message for one Teams user (partition = enterprise, spread over shards; id = `{messageId}|{userId}`). */
export interface TeamsDeliveryRecord {
  enterpriseId: string;
  id: string;
  kind: TeamsDeliveryKind;
  messageId: string;
  userId: string;
  state: TeamsDeliveryState;
  attempts: number;
  nextAttemptAt: string | null;
  /** Why it is held or failed, or the last retryable error. */
  reason: string | null;
  /** Where it was posted. */
  conversationId: string | null;
  activityId: string | null;
  /** The message's time: deliveries to one user go out in this order. */
  messageAt: string;
  /** The process working on it (a retry or the sweep), and until when; another leaves it alone meanwhile. */
  claimedBy: string | null;
  claimUntil: string | null;
  deliveredAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export const deliveryIdOf = (messageId: string, userId: string) => `${messageId}|${userId}`;
export const isWaiting = (state: TeamsDeliveryState) => state === 'pending' || state === 'held';

const optionalString = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/**
 * Index rows, written in the same transaction as the record: `waiting` (pending or held,
 * keyed `{userId}|{messageAt}|{id}`) lets an install read one user's in message order;
 * `pending` lets the sweep find every delivery still to post after a restart.
 */
const waitingKey = (r: Pick<TeamsDeliveryRecord, 'userId' | 'messageAt' | 'id'>) => `${r.userId}|${r.messageAt}|${r.id}`;

const definition: RepositoryDefinition<TeamsDeliveryRecord> = {
  table: TEAMS_DELIVERIES_TABLE,
  entityName: 'Teams delivery',
  partitionOf: (r) => r.enterpriseId,
  idOf: (r) => r.id,
  toEntity: ({ enterpriseId: _e, id: _i, ...rest }) => rest,
  fromEntity: (p, keys) => ({
    enterpriseId: keys.partition,
    id: keys.id,
    kind: p.kind === 'groupReply' ? 'groupReply' : 'inbound',
    messageId: String(p.messageId),
    userId: String(p.userId),
    state: (['pending', 'held', 'delivered', 'failed'] as const).find((s) => s === p.state) ?? 'pending',
    attempts: Number(p.attempts ?? 0),
    nextAttemptAt: optionalString(p.nextAttemptAt),
    reason: optionalString(p.reason),
    conversationId: optionalString(p.conversationId),
    activityId: optionalString(p.activityId),
    messageAt: String(p.messageAt),
    claimedBy: optionalString(p.claimedBy),
    claimUntil: optionalString(p.claimUntil),
    deliveredAt: optionalString(p.deliveredAt),
    createdAt: String(p.createdAt),
    updatedAt: String(p.updatedAt),
  }),
  indexes: [
    { name: WAITING_INDEX, keys: (r) => (isWaiting(r.state) ? [waitingKey(r)] : []), conflictMessage: (key) => `The delivery ${key} is already waiting.` },
    // What the sweep reads: only deliveries to post (held ones wait for an install, not for time).
    { name: PENDING_INDEX, keys: (r) => (r.state === 'pending' ? [`${r.messageAt}|${r.id}`] : []), conflictMessage: (key) => `The delivery ${key} is already pending.` },
  ],
  // Every inbound message makes one per recipient: more than one partition takes for a busy enterprise.
  shards: 16,
};

/** Every message for every Teams user, durable from routing to its post: nothing is dropped silently. */
export class TeamsDeliveries extends Repository<TeamsDeliveryRecord> {
  constructor(store: TableStore) {
    super(store, definition);
  }

  /** Records a new delivery; one that exists already (routing ran again) is answered as it is. */
  async ensure(record: TeamsDeliveryRecord): Promise<Stored<TeamsDeliveryRecord>> {
    try {
      return await this.create(record);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const existing = await this.get(record.enterpriseId, record.id);
      if (!existing) throw error;
      return existing;
    }
  }

  /** Ids of the enterprise's deliveries still to post (not held), oldest message first. */
  async *pending(enterpriseId: string): AsyncGenerator<string> {
    let continuationToken: string | undefined;
    do {
      const page = await this.listIndex(enterpriseId, PENDING_INDEX, { pageSize: 500, ...(continuationToken ? { continuationToken } : {}) });
      for (const entry of page.items) yield entry.holderId;
      continuationToken = page.continuationToken;
    } while (continuationToken);
  }

  /** One user's waiting deliveries, oldest message first. */
  async waitingFor(enterpriseId: string, userId: string): Promise<Array<Stored<TeamsDeliveryRecord>>> {
    const prefix = `!${WAITING_INDEX}!${escapeKey(`${userId}|`)}`;
    const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
    const range = `RowKey ge ${odataString(prefix)} and RowKey lt ${odataString(end)}`;
    const client = this.store.client(TEAMS_DELIVERIES_TABLE);
    // The user's index rows sit in the shards of their deliveries: read them all, then merge by key.
    const shards = await Promise.all(
      this.physicalPartitions(enterpriseId).map((partitionKey) =>
        this.store.run(async (abortSignal) => {
          const rows: Array<{ key: string; id: string }> = [];
          for await (const row of client.listEntities<{ holderId: string }>({ queryOptions: { filter: `PartitionKey eq ${odataString(partitionKey)} and ${range}` }, abortSignal })) {
            rows.push({ key: String(row.rowKey), id: unescapeKey(String(row.holderId)) });
          }
          return rows;
        }),
      ),
    );
    const ids = shards.flat().sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((row) => row.id);
    const found = await this.getMany(enterpriseId, ids);
    return ids.flatMap((id) => {
      const stored = found.get(id);
      return stored && isWaiting(stored.value.state) ? [stored] : [];
    });
  }
}
