import { ConflictError } from '../errors';
import { escapeKey, odataString } from '../store/keys';
import { Repository, type RepositoryDefinition } from '../store/repository';
import type { TableStore } from '../store/table-store';

/** One row per conversation: partition = enterprise (spread over shards), RowKey = conversation id. */
export const CONVERSATIONS_TABLE = 'conversations';
/** Newest-first lists: partition `{enterprise}~{number digits}` (and `{enterprise}~*` for admins), RowKey = recentKey. */
export const CONVERSATION_RECENT_TABLE = 'conversationrecent';
/** A conversation's messages, newest first: partition `{enterprise}~{conversationId}`, RowKey = messageKey. */
export const CONVERSATION_HISTORY_TABLE = 'conversationhistory';
/** Every message of a number (and of the enterprise), newest first, with its folded text: what search scans. */
export const CONVERSATION_TIMELINE_TABLE = 'conversationtimeline';
/** What each user has read: partition `{enterprise}~{userId}`, RowKey = conversation id. */
export const CONVERSATION_READS_TABLE = 'conversationreads';

export const CONVERSATION_TABLES = [CONVERSATIONS_TABLE, CONVERSATION_RECENT_TABLE, CONVERSATION_HISTORY_TABLE, CONVERSATION_TIMELINE_TABLE, CONVERSATION_READS_TABLE] as const;

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

/** A row of a keyed index: its partition and RowKey, and what it points to. */
export interface RecentRow {
  partition: string;
  key: string;
  conversationId: string;
  lastMessageAt: string;
}

export interface HistoryRow {
  partition: string;
  key: string;
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

function keyedDefinition<T extends { partition: string; key: string }>(table: string, entityName: string, read: (p: Record<string, unknown>) => Omit<T, 'partition' | 'key'>): RepositoryDefinition<T> {
  return {
    table,
    entityName,
    partitionOf: (row) => row.partition,
    idOf: (row) => row.key,
    toEntity: ({ partition: _p, key: _k, ...rest }) => rest,
    fromEntity: (p, keys) => ({ partition: keys.partition, key: keys.id, ...read(p) }) as T,
    // Index rows are written for every message: those of one list at the same time share transactions.
    groupCommit: true,
  };
}

export const recentDefinition = keyedDefinition<RecentRow>(CONVERSATION_RECENT_TABLE, 'conversation index entry', (p) => ({
  conversationId: String(p.conversationId),
  lastMessageAt: String(p.lastMessageAt),
}));

export const historyDefinition = keyedDefinition<HistoryRow>(CONVERSATION_HISTORY_TABLE, 'conversation message', (p) => ({
  messageId: String(p.messageId),
  createdAt: String(p.createdAt),
}));

export const timelineDefinition = keyedDefinition<TimelineRow>(CONVERSATION_TIMELINE_TABLE, 'timeline entry', (p) => ({
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

/** Removes an index row whatever its ETag (index rows are never updated); a missing row is fine. */
export async function deleteRow(store: TableStore, table: string, partition: string, key: string): Promise<void> {
  try {
    await store.run((abortSignal) => store.client(table).deleteEntity(escapeKey(partition), escapeKey(key), { abortSignal }));
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
}

/**
 * The rows of several partitions in one newest-first (ascending RowKey) stream: a
 * k-way merge that reads each partition in chunks, only as far as the consumer goes.
 * Keys must be unique across the partitions, so `after` (the last key handed out)
 * is a position in all of them at once.
 */
export async function* mergedNewestFirst<T extends { key: string }>(repository: Repository<T>, partitions: readonly string[], options: { after?: string; chunk: number }): AsyncGenerator<T> {
  const sources = [...new Set(partitions)].map((partition) => ({ partition, buffer: [] as T[], after: options.after, done: false }));
  for (;;) {
    await Promise.all(
      sources
        .filter((source) => source.buffer.length === 0 && !source.done)
        .map(async (source) => {
          const page = await repository.listPage(source.partition, {
            pageSize: options.chunk,
            ...(source.after !== undefined ? { filter: `RowKey gt ${odataString(escapeKey(source.after))}` } : {}),
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
