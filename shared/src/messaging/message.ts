import { randomBytes } from 'node:crypto';
import type { CarrierType, DeliveryStatus, InboundMedia } from '../carriers/types';
import type { NumberHolder } from '../numbers/number';
import { Repository, type RepositoryDefinition, type Stored, type UniqueIndex } from '../store/repository';
import type { TableStore } from '../store/table-store';
import { invertedTime } from '../store/keys';

export const MESSAGES_TABLE = 'messages';
/**
 * One enterprise's messages are spread over this many partitions: a busy enterprise
 * writes several rows per message (create, claim, each status), more than the
 * ~2,000 entities/s one partition takes, and a point operation in a partition of
 * millions of rows is slower than in a small one.
 */
export const MESSAGE_SHARDS = 16;

/**
 * Outbound messages accepted within the same window share a shard: they are queued,
 * claimed, sent and reported on together, so their writes share transactions.
 */
const OUTBOUND_SHARD_WINDOW_MS = 100;
const OUTBOUND_ID = /^out-([0-9a-z]{8,9})-[0-9a-f]{12}$/;

/** A new outbound message id: `out-{ms since the epoch, base 36}-{random}`. */
export function newOutboundId(now = Date.now()): string {
  return `out-${now.toString(36)}-${randomBytes(6).toString('hex')}`;
}

/** The part of a message id that picks its shard: an outbound id's time window, else the whole id. */
export function messageShardBasis(id: string): string {
  const time = OUTBOUND_ID.exec(id)?.[1];
  return time ? `out-${Math.floor(parseInt(time, 36) / OUTBOUND_SHARD_WINDOW_MS)}` : id;
}

export type InboundStatus = 'received' | 'routed' | 'unrouted';
export type MessageStatus = InboundStatus | DeliveryStatus;

export interface StatusChange {
  status: MessageStatus;
  at: string;
  errorCode?: string;
}

/**
 * One SMS/MMS, partition = enterprise (spread over MESSAGE_SHARDS). Inbound id = `{connectionId}:{carrierMessageId}`
 * (a redelivered webhook is the same row); outbound id = `out-…` (ours, made before any
 * carrier is called).
 */
export interface SmsMessage {
  enterpriseId: string;
  id: string;
  direction: 'inbound' | 'outbound';
  connectionId: string;
  carrierType: CarrierType;
  /** Outbound: empty until the carrier accepted it. */
  carrierMessageId: string;
  from: string;
  to: string;
  body: string;
  media: InboundMedia[];
  /** Inbound: received → routed | unrouted. Outbound: queued → sending → sent → delivered | undelivered | failed. */
  status: MessageStatus;
  /** Inbound: who the `to` number belonged to when routed. */
  holder: NumberHolder | null;
  /** Inbound: the user ids it goes to (the user, or the SMS group's members). */
  recipients: string[];
  errorCode: string | null;
  /** The enterprise number x the other party (see conversationIdOf). */
  conversationId: string;
  /** Outbound: the directory user id of the Teams user who sent it (null: an automatic reply such as a STOP confirmation). */
  sentBy: string | null;
  sentByName: string | null;
  /** Outbound: sent from a Teams chat, whose confirmation card follows the status (nothing to look up otherwise). */
  teamsConfirmation: boolean;
  segments: number;
  encoding: 'GSM-7' | 'UCS-2';
  /** Every status the message went through, oldest first. */
  statusHistory: StatusChange[];
  /** Outbound: send attempts made so far. */
  attempts: number;
  /** Why it failed or was dead-lettered, in words for the sender. */
  failureReason: string | null;
  /** Outbound: the worker that claimed it last (kept after the send), and until when its claim holds. */
  claimedBy: string | null;
  claimUntil: string | null;
  /** Outbound: not before (a retry's backoff, or a pacing slot further away). */
  nextAttemptAt: string | null;
  /** Outbound: set when the last attempt failed and the message was given up. */
  deadLetteredAt: string | null;
  receivedAt: string;
  createdAt: string;
  updatedAt: string;
}

export const messageIdOf = (connectionId: string, carrierMessageId: string) => `${connectionId}:${carrierMessageId}`;

/** A message's key in this process's maps and sets (an id is unique within its enterprise only). */
export const messageRef = (message: Pick<SmsMessage, 'enterpriseId' | 'id'>): string => `${message.enterpriseId}|${message.id}`;

/** Statuses in the order a message moves through them: a late report never moves it back. */
const DELIVERY_RANK: Record<string, number> = { queued: 0, sending: 1, sent: 2, delivered: 3, undelivered: 3, failed: 3 };
export const deliveryRank = (status: string): number => DELIVERY_RANK[status] ?? -1;
export const isFinalDelivery = (status: string): boolean => deliveryRank(status) === 3;

/** Still work to do: an inbound message not routed yet, an outbound one not handed to the carrier yet. */
export function isInFlight(message: Pick<SmsMessage, 'direction' | 'status'>): boolean {
  return message.direction === 'inbound' ? message.status === 'received' : message.status === 'queued' || message.status === 'sending';
}


/**
 * Index rows kept in the same transaction as the message, so a crash can never lose
 * track of work: `inflight` lists messages still to route or send (oldest first, for
 * the sweep), `deadletter` the outbound messages given up (newest first, for admins).
 */
export const INFLIGHT_INDEX = 'inflight';
export const DEAD_LETTER_INDEX = 'deadletter';

const indexes: UniqueIndex<SmsMessage>[] = [
  {
    name: INFLIGHT_INDEX,
    keys: (m) => (isInFlight(m) ? [`${m.createdAt}|${m.id}`] : []),
    conflictMessage: (key) => `The message ${key} is already in flight.`,
  },
  {
    name: DEAD_LETTER_INDEX,
    keys: (m) => (m.deadLetteredAt ? [`${invertedTime(m.deadLetteredAt)}|${m.id}`] : []),
    conflictMessage: (key) => `The message ${key} is already dead-lettered.`,
  },
];

const json = <T>(value: unknown, fallback: T): T => (typeof value === 'string' && value !== '' ? (JSON.parse(value) as T) : fallback);
const optionalString = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

const definition: RepositoryDefinition<SmsMessage> = {
  table: MESSAGES_TABLE,
  entityName: 'message',
  partitionOf: (m) => m.enterpriseId,
  idOf: (m) => m.id,
  toEntity: ({ enterpriseId: _e, id: _i, media, holder, recipients, statusHistory, ...rest }) => ({
    ...rest,
    media: JSON.stringify(media),
    holder: holder ? JSON.stringify(holder) : '',
    recipients: JSON.stringify(recipients),
    statusHistory: JSON.stringify(statusHistory),
  }),
  fromEntity: (p, keys) => ({
    enterpriseId: keys.partition,
    id: keys.id,
    direction: p.direction === 'outbound' ? 'outbound' : 'inbound',
    connectionId: String(p.connectionId),
    carrierType: String(p.carrierType) as CarrierType,
    carrierMessageId: String(p.carrierMessageId ?? ''),
    from: String(p.from),
    to: String(p.to),
    body: String(p.body ?? ''),
    media: json<InboundMedia[]>(p.media, []),
    status: String(p.status) as MessageStatus,
    holder: json<NumberHolder | null>(p.holder, null),
    recipients: json<string[]>(p.recipients, []),
    errorCode: optionalString(p.errorCode),
    conversationId: String(p.conversationId ?? ''),
    sentBy: optionalString(p.sentBy),
    sentByName: optionalString(p.sentByName),
    teamsConfirmation: p.teamsConfirmation === true,
    segments: Number(p.segments ?? 0),
    encoding: p.encoding === 'UCS-2' ? 'UCS-2' : 'GSM-7',
    statusHistory: json<StatusChange[]>(p.statusHistory, []),
    attempts: Number(p.attempts ?? 0),
    failureReason: optionalString(p.failureReason),
    claimedBy: optionalString(p.claimedBy),
    claimUntil: optionalString(p.claimUntil),
    nextAttemptAt: optionalString(p.nextAttemptAt),
    deadLetteredAt: optionalString(p.deadLetteredAt),
    receivedAt: String(p.receivedAt),
    createdAt: String(p.createdAt),
    updatedAt: String(p.updatedAt),
  }),
  indexes,
  // Every webhook, send, claim and status report writes here, many at once: they share transactions.
  groupCommit: true,
  shards: MESSAGE_SHARDS,
  shardBasis: messageShardBasis,
};

/** Messages kept in memory for the writers (see `current`). */
const KNOWN_MESSAGES = 20_000;

/** Messages of all directions, with their in-flight and dead-letter index rows. */
export class MessageRepository extends Repository<SmsMessage> {
  /** The last version this process wrote or read of recent messages, with its ETag. */
  private readonly known = new Map<string, Stored<SmsMessage>>();
  /** Creates and updates this process has on their way, per message. */
  private readonly writing = new Map<string, Promise<Stored<SmsMessage>>>();

  constructor(store: TableStore) {
    super(store, definition);
  }

  /**
   * The message as this process last wrote or read it, else as stored: for writers
   * only (the worker, status reports, routing), whose every change is conditional on
   * the ETag. A version another process changed since fails that write, which forgets
   * it, and the writer reads again; state only moves forward, so a decision to leave a
   * message alone is never taken on a version ahead of the truth. Readers for people
   * (the API) use `get`.
   */
  async current(enterpriseId: string, id: string): Promise<Stored<SmsMessage> | undefined> {
    const key = messageRef({ enterpriseId, id });
    // A write of it on its way here (the row being created as its queue item arrives, the worker
    // recording the send as a status report comes in): its outcome is the newer version.
    const writing = this.writing.get(key);
    if (writing) await writing.catch(() => undefined);
    return this.known.get(key) ?? this.remember(await this.get(enterpriseId, id));
  }

  /** Drops the kept version (a write based on it failed). */
  forget(enterpriseId: string, id: string): void {
    this.known.delete(messageRef({ enterpriseId, id }));
  }

  override async create(value: SmsMessage): Promise<Stored<SmsMessage>> {
    return this.remember(await this.tracked(value, super.create(value)))!;
  }

  override async update(current: Stored<SmsMessage>, next: SmsMessage): Promise<Stored<SmsMessage>> {
    try {
      return this.remember(await this.tracked(next, super.update(current, next)))!;
    } catch (error) {
      this.forget(next.enterpriseId, next.id);
      throw error;
    }
  }

  /** Known to `current` while on its way: a writer looking at the message meanwhile waits for it. */
  private async tracked(message: SmsMessage, write: Promise<Stored<SmsMessage>>): Promise<Stored<SmsMessage>> {
    const key = messageRef(message);
    this.writing.set(key, write);
    try {
      return await write;
    } finally {
      if (this.writing.get(key) === write) this.writing.delete(key);
    }
  }

  private remember(stored: Stored<SmsMessage> | undefined): Stored<SmsMessage> | undefined {
    if (!stored) return undefined;
    const key = messageRef(stored.value);
    this.known.delete(key);
    this.known.set(key, stored);
    // Oldest first in a Map: bounded, the least recently written go.
    if (this.known.size > KNOWN_MESSAGES) this.known.delete(this.known.keys().next().value!);
    return stored;
  }
}

/** The message with a new status appended to its history (and `updatedAt`). */
export function withStatus(message: SmsMessage, status: MessageStatus, at: string, errorCode?: string | null): SmsMessage {
  return {
    ...message,
    status,
    errorCode: errorCode ?? message.errorCode,
    statusHistory: [...message.statusHistory, { status, at, ...(errorCode ? { errorCode } : {}) }],
    updatedAt: at,
  };
}
