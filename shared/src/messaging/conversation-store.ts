import { ConflictError } from '../errors';
import { escapeKey, odataString } from '../store/keys';
import { Repository, type RepositoryDefinition } from '../store/repository';
import type { TableStore } from '../store/table-store';

/** One row per conversation: partition = enterprise (spread over shards), RowKey = conversation id. */
export const CONVERSATIONS_TABLE = 'conversations';
/**
 * The conversation indexes, in one table so that what one message writes there
 * travels together: partition `{enterprise}~{number digits}` (and the shards
 * `{enterprise}~*~{nn}` of the enterprise-wide one admins read), holding three kinds of rows, newest first:
 * - `r~{recentKey}`: the newest-first list of conversations;
 * - `t~{messageKey}`: every message with its folded text, what search scans;
 * - `h~{conversationId}~{messageKey}`: one conversation's history (number partitions only).
 * Recording a message writes its timeline row and the conversation's new list row in one
 * transaction, then (after the conversation row) the history row and the removal of the old
 * list row in another; concurrent messages of the enterprise-wide partition share theirs.
 */
export const CONVERSATION_INDEX_TABLE = 'conversationindex';
/** What each user has read: partition `{enterprise}~{userId}`, RowKey = conversation id. */
export const CONVERSATION_READS_TABLE = 'conversationreads';

export const CONVERSATION_TABLES = [CONVERSATIONS_TABLE, CONVERSATION_INDEX_TABLE, CONVERSATION_READS_TABLE] as const;

export interface Conversation {
  enterpriseId: string;
  id: string;
  enterpriseNumber: string;
  externalNumber: string;
  lastMessageAt: string;
  lastMessageId: string;
  /** messageKey of the last message: orders messages of the same millisecond too. */
  lastKey: string;
  lastPreview: string;
  lastDirection: 'inbound' | 'outbound';
  lastStatus: string;
  messageCount: number;
  inboundCount: number;
  /**
   * The message keys counted last. The history pointer is written after the counts,
   * so a recordMessage retried after a crash in between finds its key here and does
   * not count the message twice.
   */
  recentlyCounted: string[];
  createdAt: string;
  updatedAt: string;
}

export const RECENTLY_COUNTED = 32;

const conversationDefinition: RepositoryDefinition<Conversation> = {
  table: CONVERSATIONS_TABLE,
  entityName: 'conversation',
  partitionOf: (c) => c.enterpriseId,
  idOf: (c) => c.id,
  toEntity: ({ enterpriseId: _e, id: _i, recentlyCounted, ...rest }) => ({ ...rest, recentlyCounted: JSON.stringify(recentlyCounted) }),
  fromEntity: (p, keys) => ({
    enterpriseId: keys.partition,
    id: keys.id,
    enterpriseNumber: String(p.enterpriseNumber),
    externalNumber: String(p.externalNumber),
    lastMessageAt: String(p.lastMessageAt),
    lastMessageId: String(p.lastMessageId),
    lastKey: String(p.lastKey),
    lastPreview: String(p.lastPreview ?? ''),
    lastDirection: p.lastDirection === 'outbound' ? 'outbound' : 'inbound',
    lastStatus: String(p.lastStatus ?? ''),
    messageCount: Number(p.messageCount ?? 0),
    inboundCount: Number(p.inboundCount ?? 0),
    recentlyCounted: typeof p.recentlyCounted === 'string' && p.recentlyCounted !== '' ? (JSON.parse(p.recentlyCounted) as string[]) : [],
    createdAt: String(p.createdAt),
    updatedAt: String(p.updatedAt),
  }),
  // Every message of the enterprise updates one of these rows: concurrent updates share transactions,
  // spread over shards so one busy enterprise is not one hot partition.
  groupCommit: true,
  shards: 16,
};

export class ConversationRepository extends Repository<Conversation> {
  constructor(store: TableStore) {
    super(store, conversationDefinition);
  }
}

/** A row of a keyed index: its partition and key (without the kind's prefix), and what it points to. */
export interface RecentRow {
  partition: string;
  key: string;
  conversationId: string;
  lastMessageAt: string;
}

export interface HistoryRow {
  partition: string;
  key: string;
  conversationId: string;
  messageId: string;
  createdAt: string;
}

export interface TimelineRow {
  partition: string;
  key: string;
  messageId: string;
  conversationId: string;
  externalNumber: string;
  /** The body folded for matching (lower case, no accents), cut to MAX_SEARCH_TEXT. */
  text: string;
  createdAt: string;
}

/** Table Storage strings hold 32 K characters; SMS bodies are far shorter, this only guards the row. */
export const MAX_SEARCH_TEXT = 8_000;

export interface ReadRow {
  partition: string;
  conversationId: string;
  /** The conversation's inboundCount when the user last read it. */
  readCount: number;
  readAt: string;
}

/**
 * The RowKey prefixes of the index kinds. `~` sorts after every character of our keys
 * (digits, lower-case letters, `_`), so `[prefix, prefix + '~')` holds exactly one kind
 * (and one conversation's history).
 */
export const RECENT_PREFIX = 'r~';
export const TIMELINE_PREFIX = 't~';
export const historyPrefix = (conversationId: string) => `h~${conversationId}~`;

/** The part of a RowKey after the kind's prefix. */
const keyAfterPrefix = (id: string) => id.slice(id.lastIndexOf('~') + 1);

function keyedDefinition<T extends { partition: string; key: string }>(
  entityName: string,
  prefixOf: (row: T) => string,
  read: (p: Record<string, unknown>, id: string) => Omit<T, 'partition' | 'key'>,
): RepositoryDefinition<T> {
  return {
    table: CONVERSATION_INDEX_TABLE,
    entityName,
    partitionOf: (row) => row.partition,
    idOf: (row) => `${prefixOf(row)}${row.key}`,
    toEntity: ({ partition: _p, key: _k, ...rest }) => rest,
    fromEntity: (p, keys) => ({ partition: keys.partition, key: keyAfterPrefix(keys.id), ...read(p, keys.id) }) as T,
    // A message's index rows of one partition, and those of concurrent messages, share transactions.
    groupCommit: true,
  };
}

export const recentDefinition = keyedDefinition<RecentRow>('conversation index entry', () => RECENT_PREFIX, (p) => ({
  conversationId: String(p.conversationId),
  lastMessageAt: String(p.lastMessageAt),
}));

export const historyDefinition = keyedDefinition<HistoryRow>('conversation message', (row) => historyPrefix(row.conversationId), (p, id) => ({
  conversationId: id.split('~')[1] ?? '',
  messageId: String(p.messageId),
  createdAt: String(p.createdAt),
}));

export const timelineDefinition = keyedDefinition<TimelineRow>('timeline entry', () => TIMELINE_PREFIX, (p) => ({
  messageId: String(p.messageId),
  conversationId: String(p.conversationId),
  externalNumber: String(p.externalNumber),
  text: String(p.text ?? ''),
  createdAt: String(p.createdAt),
}));

export const readDefinition: RepositoryDefinition<ReadRow> = {
  table: CONVERSATION_READS_TABLE,
  entityName: 'read state',
  partitionOf: (row) => row.partition,
  idOf: (row) => row.conversationId,
  toEntity: ({ readCount, readAt }) => ({ readCount, readAt }),
  fromEntity: (p, keys) => ({ partition: keys.partition, conversationId: keys.id, readCount: Number(p.readCount ?? 0), readAt: String(p.readAt ?? '') }),
};

/** Index rows are facts that never change: writing one twice is success. Answers whether this call created it. */
export async function createOnce<T>(repository: Repository<T>, value: T): Promise<boolean> {
  try {
    await repository.create(value);
    return true;
  } catch (error) {
    if (error instanceof ConflictError) return false;
    throw error;
  }
}

/**
 * Rows to read from each of `partitions` at a time when about `wanted` are needed in all:
 * a fair share twice over and a few (rows spread evenly come in one round), never more than `wanted`.
 */
export const chunkFor = (wanted: number, partitions: number): number => Math.min(wanted, Math.ceil((2 * wanted) / Math.max(1, partitions)) + 5);

/**
 * The rows of several partitions in one newest-first (ascending RowKey) stream: a
 * k-way merge that reads each partition in chunks, only as far as the consumer goes.
 * Keys must be unique across the partitions, so `after` (the last key handed out)
 * is a position in all of them at once. Only the rows whose RowKey starts with
 * `prefix` (one kind of index row) are read.
 */
export async function* mergedNewestFirst<T extends { key: string }>(
  repository: Repository<T>,
  partitions: readonly string[],
  options: { prefix: string; after?: string; chunk: number },
): AsyncGenerator<T> {
  const end = `RowKey lt ${odataString(escapeKey(`${options.prefix}~`))}`;
  const sources = [...new Set(partitions)].map((partition) => ({ partition, buffer: [] as T[], after: options.after, done: false }));
  for (;;) {
    await Promise.all(
      sources
        .filter((source) => source.buffer.length === 0 && !source.done)
        .map(async (source) => {
          const page = await repository.listPage(source.partition, {
            pageSize: options.chunk,
            filter: `${source.after !== undefined ? `RowKey gt ${odataString(escapeKey(`${options.prefix}${source.after}`))}` : `RowKey ge ${odataString(escapeKey(options.prefix))}`} and ${end}`,
          });
          source.buffer = page.items.map((item) => item.value);
          if (source.buffer.length > 0) source.after = source.buffer[source.buffer.length - 1]!.key;
          source.done = source.buffer.length === 0 || !page.continuationToken;
        }),
    );
    let next: (typeof sources)[number] | undefined;
    for (const source of sources) if (source.buffer.length > 0 && (!next || source.buffer[0]!.key < next.buffer[0]!.key)) next = source;
    if (!next) return;
    yield next.buffer.shift()!;
  }
}
