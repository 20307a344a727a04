import type { Principal } from '../access/principal';
import { fold } from '../directory/user-query';
import type { EnterpriseRepository } from '../enterprises/repository';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors';
import { canonicalNumber } from '../numbers/number';
import type { NumberCache } from '../numbers/number-cache';
import type { NumberRepository } from '../numbers/number-repository';
import type { SmsGroupRepository } from '../numbers/sms-group';
import { digitsOf, formatInternational } from '../rules/phone';
import { odataString } from '../store/keys';
import { Repository, type Stored } from '../store/repository';
import type { TableStore } from '../store/table-store';
import { parseOrThrow } from '../validation';
import type { Contacts } from './contacts';
import { ConversationAccess, type ConversationReader } from './conversation-access';
import { conversationEndsOf, conversationIdOf } from './conversation-id';
import { CONVERSATION_ID_PATTERN, decodeCursor, encodeCursor, enterprisePartition, enterprisePartitions, historyPartition, messageKey, numberPartition, previewOf, readsPartition, recentKey } from './conversation-keys';
import {
  ConversationRepository,
  chunkFor,
  createOnce,
  historyDefinition,
  historyPrefix,
  MAX_SEARCH_TEXT,
  mergedNewestFirst,
  readDefinition,
  RECENT_PREFIX,
  RECENTLY_COUNTED,
  recentDefinition,
  TIMELINE_PREFIX,
  timelineDefinition,
  type Conversation,
  type HistoryRow,
  type ReadRow,
  type RecentRow,
  type TimelineRow,
} from './conversation-store';
import {
  conversationListQuerySchema,
  historyQuerySchema,
  searchQuerySchema,
  toConversationView,
  toMessageView,
  unreadQuerySchema,
  type ConversationListQuery,
  type ConversationPage,
  type ConversationScope,
  type ConversationView,
  type HistoryQuery,
  type MessagePage,
  type SearchHit,
  type SearchPage,
  type SearchQuery,
  type UnreadTotal,
} from './conversation-views';
import { deliveryRank, messageRef, type SmsMessage } from './message';

export { CONVERSATION_TABLES, CONVERSATIONS_TABLE, CONVERSATION_INDEX_TABLE, CONVERSATION_READS_TABLE } from './conversation-store';

export interface ConversationsDeps {
  store: TableStore;
  /** The messages table (history pages read the full messages from it). */
  messages: Repository<SmsMessage>;
  enterprises: EnterpriseRepository;
  numbers: NumberRepository;
  numberCache: NumberCache;
  groups: SmsGroupRepository;
  contacts: Contacts;
  now?: () => Date;
  /** Messages one search request reads at most (default SEARCH_SCAN_LIMIT). */
  searchScanLimit?: number;
}

/** Attempts of an ETag-guarded write that others may race (new messages, read marks). */
const ATTEMPTS = 8;
/**
 * Table Storage has no full-text search: finding text means reading rows and looking.
 * One search request reads at most this many messages, then answers with what it found
 * and a continuation token, so a rare word costs several short requests, never one that
 * reads an enterprise's whole history.
 */
export const SEARCH_SCAN_LIMIT = 500;
/** Conversation rows kept in memory for the writers (bounded; see `conversation`). */
const KNOWN_CONVERSATIONS = 20_000;
/** Stale index rows (left by a crash or a race) a list page may skip before answering short. */
const LIST_SCAN_SLACK = 50;

/**
 * Whether the row can tell by itself if the message with `key` is counted: keys start with
 * the inverted time, so a message newer than the last one, or among those counted last, is
 * known to it. Only an older one (recorded again after a long while) needs the history
 * pointer, written last, to tell whether it is done.
 */
function knowsOf(base: Conversation, key: string): boolean {
  return key <= base.lastKey || base.recentlyCounted.includes(key);
}

/** The status a message has reached of two reported ones (reports come out of order). */
function laterStatus(a: string, b: string | undefined): string {
  return b !== undefined && deliveryRank(b) > deliveryRank(a) ? b : a;
}

/** A number search: digits only (and phone punctuation), at least three digits. */
function digitsQuery(q: string): string {
  return /^[+\d\s().\-/]*$/.test(q) && digitsOf(q).length >= 3 ? digitsOf(q) : '';
}

/**
 * The messaging model's read side: conversations (one enterprise number with one other
 * party), their history, unread counts per user, search, all newest first. Messages are
 * recorded here after they are stored (inbound: once routed; outbound: once accepted).
 */
export class Conversations {
  readonly repository: ConversationRepository;
  private readonly recent: Repository<RecentRow>;
  private readonly pointers: Repository<HistoryRow>;
  private readonly timeline: Repository<TimelineRow>;
  private readonly reads: Repository<ReadRow>;
  private readonly access: ConversationAccess;
  private readonly now: () => Date;
  /** The last version of each conversation row this process wrote or read: the writers' first guess (ETag-checked). */
  private readonly known = new Map<string, Stored<Conversation>>();
  /**
   * Messages being recorded here (or announced to be), with the latest status reported
   * meanwhile: the recording writes it, so a report that beats the recording is neither
   * lost nor paid for with a read of a row that is not written yet.
   */
  private readonly recording = new Map<string, { status?: string }>();

  constructor(private readonly deps: ConversationsDeps) {
    this.repository = new ConversationRepository(deps.store);
    this.recent = new Repository(deps.store, recentDefinition);
    this.pointers = new Repository(deps.store, historyDefinition);
    this.timeline = new Repository(deps.store, timelineDefinition);
    this.reads = new Repository(deps.store, readDefinition);
    this.access = new ConversationAccess(deps);
    this.now = deps.now ?? (() => new Date());
  }

  // ---------------------------------------------------------------- recording

  /**
   * Adds a stored message to its conversation: search timelines, then the counts and
   * the last-message fields (with the newest-first lists moved first), then the history
   * pointer. Idempotent and safe to run again after a crash at any step: the pointer is
   * written last, so its presence means everything before it is done; a crash between
   * the counts and the pointer is caught by the conversation's `recentlyCounted`.
   */
  async recordMessage(message: SmsMessage): Promise<void> {
    const key = messageRef(message);
    const reported = this.recording.get(key) ?? {};
    this.recording.set(key, reported);
    let written: string | undefined;
    try {
      written = await this.recordNow(message, reported);
    } finally {
      this.recording.delete(key);
    }
    // A report that came while the row was being written: the row is known here now.
    if (reported.status && reported.status !== written) await this.recordStatus({ ...message, status: reported.status as SmsMessage['status'] });
  }

  /** Records the message; returns the last status it wrote for it (none when the row was not changed). */
  private async recordNow(message: SmsMessage, reported: { status?: string }): Promise<string | undefined> {
    const { enterpriseNumber, externalNumber } = conversationEndsOf(message);
    const conversationId = message.conversationId || conversationIdOf(enterpriseNumber, externalNumber);
    const enterpriseId = message.enterpriseId;
    const key = messageKey(message.createdAt, message.id);
    const pointer: HistoryRow = { partition: historyPartition(enterpriseId, conversationId), key, conversationId, messageId: message.id, createdAt: message.createdAt };
    // A conversation this server does not know is most likely new (one it wrote or read lately
    // is kept): it is created without a read first, and read only if it turns out to exist.
    const first = this.known.get(`${enterpriseId}|${conversationId}`);
    const recorded = async () => (await this.pointers.get(pointer.partition, historyDefinition.idOf(pointer))) !== undefined;
    if (first && !knowsOf(first.value, key) && (await recorded())) return undefined;

    const text = fold(message.body).slice(0, MAX_SEARCH_TEXT);
    const timeline = Promise.all(
      [numberPartition(enterpriseId, enterpriseNumber), enterprisePartition(enterpriseId, conversationId)].map((partition) =>
        createOnce(this.timeline, { partition, key, messageId: message.id, conversationId, externalNumber, text, createdAt: message.createdAt }),
      ),
    );
    // The timeline rows are written while the counts are prepared; both before the pointer.
    const { tidy, status } = await this.count(message, { enterpriseId, conversationId, enterpriseNumber, externalNumber, key }, first, timeline, reported, first ? undefined : recorded);
    await Promise.all([tidy, createOnce(this.pointers, pointer)]);
    return status;
  }

  /** The row as this process last wrote or read it, else as stored (every write on it is conditional on its ETag). */
  private async conversation(enterpriseId: string, conversationId: string): Promise<Stored<Conversation> | undefined> {
    const cached = this.known.get(`${enterpriseId}|${conversationId}`);
    if (cached) return cached;
    const stored = await this.repository.get(enterpriseId, conversationId);
    if (stored) this.remember(stored);
    return stored;
  }

  private remember(stored: Stored<Conversation>): void {
    const key = `${stored.value.enterpriseId}|${stored.value.id}`;
    this.known.delete(key);
    this.known.set(key, stored);
    if (this.known.size > KNOWN_CONVERSATIONS) this.known.delete(this.known.keys().next().value!);
  }

  private async count(
    message: SmsMessage,
    at: { enterpriseId: string; conversationId: string; enterpriseNumber: string; externalNumber: string; key: string },
    first: Stored<Conversation> | undefined,
    before: Promise<unknown>,
    reported: { status?: string },
    /** Set when `first` is a guess (not read): tells, once the row is read, whether an older message was recorded already. */
    recorded?: () => Promise<boolean>,
  ): Promise<{ tidy: Promise<void>; status?: string }> {
    const { enterpriseId, conversationId, key } = at;
    /** The list position this recording placed (a guess that the conversation was new may place one it does not keep). */
    let placed: string | undefined;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const current = attempt === 0 ? first : await this.repository.get(enterpriseId, conversationId);
      const base = current?.value;
      if (recorded && base) {
        // The guess was wrong: the check `recordNow` makes on a row it knows, made now.
        const check = recorded;
        recorded = undefined;
        if (!knowsOf(base, key) && (await check())) {
          await before;
          return { tidy: this.dropPlaced(base, placed) };
        }
      }
      const counted = base?.recentlyCounted.includes(key) ?? false;
      // Keys start with the inverted time: smaller is newer. Equal is this very message.
      const newer = !base || key < base.lastKey;
      if (counted && !newer) {
        await before;
        return { tidy: this.dropPlaced(base!, placed) };
      }
      const now = this.now().toISOString();
      const inbound = message.direction === 'inbound';
      const status = laterStatus(message.status, reported.status);
      const next: Conversation = {
        enterpriseId,
        id: conversationId,
        enterpriseNumber: base?.enterpriseNumber ?? at.enterpriseNumber,
        externalNumber: base?.externalNumber ?? at.externalNumber,
        lastMessageAt: newer ? message.createdAt : base!.lastMessageAt,
        lastMessageId: newer ? message.id : base!.lastMessageId,
        lastKey: newer ? key : base!.lastKey,
        lastPreview: newer ? previewOf(message.body, message.media) : base!.lastPreview,
        lastDirection: newer ? message.direction : base!.lastDirection,
        lastStatus: newer ? status : base!.lastStatus,
        messageCount: (base?.messageCount ?? 0) + (counted ? 0 : 1),
        inboundCount: (base?.inboundCount ?? 0) + (counted || !inbound ? 0 : 1),
        recentlyCounted: counted ? base!.recentlyCounted : [...(base?.recentlyCounted ?? []), key].slice(-RECENTLY_COUNTED),
        createdAt: base?.createdAt ?? now,
        updatedAt: now,
      };
      // The lists get the new position before the row names it: a reader never misses the conversation.
      const position = recentKey(next.lastMessageAt, conversationId);
      await Promise.all([before, newer && position !== placed ? this.placeInLists(next) : undefined]);
      if (newer) placed = position;
      try {
        this.remember(current ? await this.repository.update(current, next) : await this.repository.create(next));
      } catch (error) {
        this.known.delete(`${enterpriseId}|${conversationId}`);
        if (error instanceof ConflictError) continue;
        throw error;
      }
      if (newer && base) {
        const old = recentKey(base.lastMessageAt, conversationId);
        // A crash before these deletes leaves rows that readers recognise as stale and remove.
        // The old rows go while the pointer is written (the caller waits for both).
        if (old !== position) return { tidy: this.removeFromLists(base, old), status };
      }
      return { tidy: newer ? Promise.resolve() : this.dropPlaced(next, placed), ...(newer ? { status } : {}) };
    }
    throw new ConflictError(`The conversation ${conversationId} kept changing while a message was recorded; record it again.`);
  }

  private listPartitions(c: Pick<Conversation, 'enterpriseId' | 'enterpriseNumber' | 'id'>): string[] {
    return [numberPartition(c.enterpriseId, c.enterpriseNumber), enterprisePartition(c.enterpriseId, c.id)];
  }

  private async placeInLists(c: Conversation): Promise<void> {
    const key = recentKey(c.lastMessageAt, c.id);
    await Promise.all(this.listPartitions(c).map((partition) => createOnce(this.recent, { partition, key, conversationId: c.id, lastMessageAt: c.lastMessageAt })));
  }

  /** Removes the position a wrong guess placed, unless it is the conversation's own. */
  private async dropPlaced(c: Conversation, placed: string | undefined): Promise<void> {
    if (placed !== undefined && placed !== recentKey(c.lastMessageAt, c.id)) await this.removeFromLists(c, placed);
  }

  private async removeFromLists(c: Conversation, key: string): Promise<void> {
    await Promise.all(this.listPartitions(c).map((partition) => this.recent.remove(partition, `${RECENT_PREFIX}${key}`)));
  }

  /**
   * Keeps the conversation's last status current when its last message changes status (a
   * delivery report). Cheap: one write, and a read only when the row is not known here.
   * `recordComing`: this process will record the message soon (its send was accepted
   * here), so the recording takes the status along.
   */
  async recordStatus(message: SmsMessage, options: { recordComing?: boolean } = {}): Promise<void> {
    const key = messageRef(message);
    const recording = this.recording.get(key) ?? (options.recordComing ? {} : undefined);
    if (recording) {
      recording.status = laterStatus(recording.status ?? message.status, message.status);
      this.recording.set(key, recording);
      return;
    }
    const { enterpriseNumber, externalNumber } = conversationEndsOf(message);
    const conversationId = message.conversationId || conversationIdOf(enterpriseNumber, externalNumber);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const current = attempt === 0 ? await this.conversation(message.enterpriseId, conversationId) : await this.repository.get(message.enterpriseId, conversationId);
      if (!current || current.value.lastMessageId !== message.id || current.value.lastStatus === message.status) return;
      // Statuses only move forward: a report that arrives after a later one changes nothing.
      if (deliveryRank(message.status) >= 0 && deliveryRank(message.status) < deliveryRank(current.value.lastStatus)) return;
      try {
        this.remember(await this.repository.update(current, { ...current.value, lastStatus: message.status, updatedAt: this.now().toISOString() }));
        return;
      } catch (error) {
        this.known.delete(`${message.enterpriseId}|${conversationId}`);
        if (!(error instanceof ConflictError)) throw error;
      }
    }
  }

  // ---------------------------------------------------------------- access

  /** The index partitions the caller reads: one enterprise number, their numbers, or (administrators) the whole enterprise. */
  private async partitionsFor(reader: ConversationReader, number: string | undefined, scope: ConversationScope): Promise<string[]> {
    const { enterpriseId, principal } = reader;
    if (number !== undefined) {
      const e164 = canonicalNumber(number, 'number');
      if ((!reader.admin || scope === 'mine') && !(await this.access.holds(enterpriseId, principal.userId, e164))) {
        throw new ForbiddenError(`You do not hold ${formatInternational(e164)}, directly or through an SMS group, so its conversations are not shown to you. Ask an administrator if you should have it.`);
      }
      return [numberPartition(enterpriseId, e164)];
    }
    if (reader.admin && scope === 'all') return enterprisePartitions(enterpriseId);
    return (await this.access.numbersOf(enterpriseId, principal.userId)).map((n) => numberPartition(enterpriseId, n));
  }

  /** The conversation if the caller may read it; otherwise it does not exist for them (404). */
  private async visibleConversation(principal: Principal, enterpriseId: string, conversationId: string): Promise<Stored<Conversation>> {
    const reader = await this.access.reader(principal, enterpriseId, 'read conversations of numbers they do not hold');
    const missing = () => new NotFoundError(`No conversation with id "${conversationId}".`);
    if (!CONVERSATION_ID_PATTERN.test(conversationId)) throw missing();
    const stored = await this.repository.get(enterpriseId, conversationId);
    if (!stored) throw missing();
    if (!reader.admin && !(await this.access.holds(enterpriseId, principal.userId, stored.value.enterpriseNumber))) throw missing();
    return stored;
  }

  private async views(enterpriseId: string, userId: string, conversations: readonly Conversation[]): Promise<ConversationView[]> {
    if (conversations.length === 0) return [];
    const [reads, names] = await Promise.all([
      this.reads.getMany(readsPartition(enterpriseId, userId), conversations.map((c) => c.id)),
      this.deps.contacts.namesOf(enterpriseId, userId, conversations.map((c) => c.externalNumber)),
    ]);
    return conversations.map((c) => toConversationView(c, Math.max(0, c.inboundCount - (reads.get(c.id)?.value.readCount ?? 0)), names.get(c.externalNumber) ?? null));
  }

  // ---------------------------------------------------------------- queries

  /** The caller's conversations, newest first, across their numbers (a merge of the per-number lists). */
  async list(principal: Principal, enterpriseId: string, input: ConversationListQuery = {}): Promise<ConversationPage> {
    const query = parseOrThrow(conversationListQuerySchema, input, 'query string');
    const reader = await this.access.reader(principal, enterpriseId, 'read every conversation of the enterprise');
    const partitions = await this.partitionsFor(reader, query.number, query.scope);
    const after = decodeCursor(query.continuationToken, 'conversation');
    const stream = mergedNewestFirst(this.recent, partitions, { prefix: RECENT_PREFIX, ...(after !== undefined ? { after } : {}), chunk: chunkFor(query.pageSize + 5, partitions.length) });
    const found: Conversation[] = [];
    let lastExamined: string | undefined;
    let examined = 0;
    let exhausted = false;
    const budget = query.pageSize + LIST_SCAN_SLACK;
    while (found.length < query.pageSize && examined < budget && !exhausted) {
      const batch: RecentRow[] = [];
      while (batch.length < query.pageSize - found.length && examined < budget) {
        const next = await stream.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        batch.push(next.value);
        examined++;
      }
      if (batch.length === 0) break;
      lastExamined = batch[batch.length - 1]!.key;
      const rows = await this.repository.getMany(enterpriseId, batch.map((row) => row.conversationId));
      for (const row of batch) {
        const conversation = rows.get(row.conversationId)?.value;
        const expected = conversation ? recentKey(conversation.lastMessageAt, conversation.id) : undefined;
        if (row.key === expected) {
          found.push(conversation!);
        } else if (expected !== undefined && row.key > expected) {
          // Superseded by a newer message (its move was interrupted): tidy up. A row newer than
          // the conversation belongs to a message being recorded right now and is left alone.
          await this.recent.remove(row.partition, recentDefinition.idOf(row));
        }
      }
    }
    if (!exhausted) exhausted = (await stream.next()).done === true;
    await stream.return(undefined);
    return {
      items: await this.views(enterpriseId, principal.userId, found),
      ...(!exhausted && lastExamined !== undefined ? { continuationToken: encodeCursor(lastExamined) } : {}),
    };
  }

  /** One conversation's messages, newest first, in full. */
  async history(principal: Principal, enterpriseId: string, conversationId: string, input: HistoryQuery = {}): Promise<MessagePage> {
    const query = parseOrThrow(historyQuerySchema, input, 'query string');
    const conversation = await this.visibleConversation(principal, enterpriseId, conversationId);
    const after = decodeCursor(query.continuationToken, 'message');
    const stream = mergedNewestFirst(this.pointers, [historyPartition(enterpriseId, conversationId)], {
      prefix: historyPrefix(conversationId),
      ...(after !== undefined ? { after } : {}),
      chunk: query.pageSize + 1,
    });
    const pointers: HistoryRow[] = [];
    let more = false;
    for await (const row of stream) {
      if (pointers.length === query.pageSize) {
        more = true;
        break;
      }
      pointers.push(row);
    }
    const messages = await this.deps.messages.getMany(enterpriseId, pointers.map((p) => p.messageId));
    const [view] = await this.views(enterpriseId, principal.userId, [conversation.value]);
    return {
      conversation: view!,
      items: pointers.flatMap((p) => {
        const message = messages.get(p.messageId)?.value;
        return message ? [toMessageView(message)] : [];
      }),
      ...(more ? { continuationToken: encodeCursor(pointers[pointers.length - 1]!.key) } : {}),
    };
  }

  /** Marks every inbound message of the conversation as read by the caller. */
  async markRead(principal: Principal, enterpriseId: string, conversationId: string): Promise<ConversationView> {
    const conversation = (await this.visibleConversation(principal, enterpriseId, conversationId)).value;
    const partition = readsPartition(enterpriseId, principal.userId);
    for (let attempt = 0; ; attempt++) {
      const current = await this.reads.get(partition, conversationId);
      // Never backwards: another tab may have marked a later count already.
      if (current && current.value.readCount >= conversation.inboundCount) break;
      const next: ReadRow = { partition, conversationId, readCount: conversation.inboundCount, readAt: this.now().toISOString() };
      try {
        if (current) await this.reads.update(current, next);
        else await this.reads.create(next);
        break;
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt + 1 >= ATTEMPTS) throw error;
      }
    }
    const [view] = await this.views(enterpriseId, principal.userId, [conversation]);
    return view!;
  }

  /** The badge: unread inbound messages over the caller's conversations. */
  async unreadTotal(principal: Principal, enterpriseId: string, input: { scope?: ConversationScope | undefined } = {}): Promise<UnreadTotal> {
    const { scope } = parseOrThrow(unreadQuerySchema, input, 'query string');
    const reader = await this.access.reader(principal, enterpriseId, 'count unread messages of every conversation');
    const filters: string[] = [];
    if (reader.admin && scope === 'all') {
      filters.push('inboundCount gt 0');
    } else {
      const numbers = await this.access.numbersOf(enterpriseId, principal.userId);
      // Table Storage allows 15 comparisons per filter.
      for (let at = 0; at < numbers.length; at += 10) {
        filters.push(`inboundCount gt 0 and (${numbers.slice(at, at + 10).map((n) => `enterpriseNumber eq ${odataString(n)}`).join(' or ')})`);
      }
    }
    if (filters.length === 0) return { unread: 0, conversations: 0 };
    const reads = new Map<string, number>();
    for await (const { value } of this.reads.listAll(readsPartition(enterpriseId, principal.userId))) reads.set(value.conversationId, value.readCount);
    let unread = 0;
    let conversations = 0;
    for (const filter of filters) {
      for await (const { value: c } of this.repository.listAll(enterpriseId, filter)) {
        const count = Math.max(0, c.inboundCount - (reads.get(c.id) ?? 0));
        unread += count;
        if (count > 0) conversations++;
      }
    }
    return { unread, conversations };
  }

  /**
   * Messages of the caller's conversations whose text, contact name or other party's
   * number contains `q` (ignoring case and accents), newest first, reading at most
   * SEARCH_SCAN_LIMIT messages per request (see there why).
   */
  async search(principal: Principal, enterpriseId: string, input: SearchQuery): Promise<SearchPage> {
    const query = parseOrThrow(searchQuerySchema, input, 'query string');
    const reader = await this.access.reader(principal, enterpriseId, 'search every conversation of the enterprise');
    const partitions = await this.partitionsFor(reader, query.number, query.scope);
    const after = decodeCursor(query.continuationToken, 'message');
    const text = fold(query.q);
    const digits = digitsQuery(query.q);
    const named = partitions.length > 0 ? await this.deps.contacts.numbersNamed(enterpriseId, principal.userId, text) : new Set<string>();
    const limit = this.deps.searchScanLimit ?? SEARCH_SCAN_LIMIT;
    const stream = mergedNewestFirst(this.timeline, partitions, { prefix: TIMELINE_PREFIX, ...(after !== undefined ? { after } : {}), chunk: Math.min(100, chunkFor(limit, partitions.length)) });
    const hits: Array<{ row: TimelineRow; matchedOn: SearchHit['matchedOn'] }> = [];
    let last: TimelineRow | undefined;
    let examined = 0;
    let exhausted = false;
    while (hits.length < query.pageSize && examined < limit) {
      const next = await stream.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      const row = next.value;
      last = row;
      examined++;
      const matchedOn = row.text.includes(text) ? 'body' : named.has(row.externalNumber) ? 'contact' : digits && digitsOf(row.externalNumber).includes(digits) ? 'number' : undefined;
      if (matchedOn) hits.push({ row, matchedOn });
    }
    if (!exhausted) exhausted = (await stream.next()).done === true;
    await stream.return(undefined);

    const messages = await this.deps.messages.getMany(enterpriseId, hits.map((hit) => hit.row.messageId));
    const names = await this.deps.contacts.namesOf(enterpriseId, principal.userId, hits.map((hit) => hit.row.externalNumber));
    const items: SearchHit[] = hits.flatMap(({ row, matchedOn }) => {
      const message = messages.get(row.messageId)?.value;
      if (!message) return [];
      return [
        {
          conversationId: row.conversationId,
          enterpriseNumber: conversationEndsOf(message).enterpriseNumber,
          externalNumber: row.externalNumber,
          contactName: names.get(row.externalNumber) ?? null,
          matchedOn,
          message: toMessageView(message),
        },
      ];
    });
    return {
      items,
      ...(!exhausted && last ? { continuationToken: encodeCursor(last.key) } : {}),
      ...(last ? { searchedThrough: last.createdAt } : {}),
    };
  }
}
