import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Principal } from '../access/principal';
import { requireAdminOf } from '../access/policy';
import { createCarrierAdapter, webhookAnswer, type WebhookAnswer } from '../carriers/factory';
import type { CarrierType, InboundMessage, StatusUpdate, WebhookEvent, WebhookRequest } from '../carriers/types';
import type { EnterpriseRepository } from '../enterprises/repository';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import type { NumberCache } from '../numbers/number-cache';
import type { SmsGroups } from '../numbers/sms-groups';
import { Repository, type RepositoryDefinition, type Stored } from '../store/repository';
import { countSegments } from '../rules/segments';
import { invertedTime } from '../store/keys';
import type { TableStore } from '../store/table-store';
import type { CarrierConnections } from './carrier-connections';
import type { CarrierReferences } from './carrier-references';
import { conversationIdOf } from './conversation-id';
import { foreground, urgent, WorkLane } from './work-lane';
import { deliveryRank, MessageRepository, messageIdOf, withStatus, type SmsMessage } from './message';

export * from './message';
export const UNROUTED_MESSAGES_TABLE = 'unroutedmessages';

/** The admins' list of messages nobody holds the number of, newest first (RowKey = inverted time). */
interface UnroutedEntry {
  enterpriseId: string;
  key: string;
  messageId: string;
  connectionId: string;
  from: string;
  to: string;
  body: string;
  mediaCount: number;
  receivedAt: string;
}

const unroutedDefinition: RepositoryDefinition<UnroutedEntry> = {
  table: UNROUTED_MESSAGES_TABLE,
  entityName: 'unrouted message',
  partitionOf: (e) => e.enterpriseId,
  idOf: (e) => e.key,
  toEntity: ({ enterpriseId: _e, key: _k, ...rest }) => rest,
  fromEntity: (p, keys) => ({
    enterpriseId: keys.partition,
    key: keys.id,
    messageId: String(p.messageId),
    connectionId: String(p.connectionId),
    from: String(p.from),
    to: String(p.to),
    body: String(p.body ?? ''),
    mediaCount: Number(p.mediaCount ?? 0),
    receivedAt: String(p.receivedAt),
  }),
};

function unroutedKey(message: SmsMessage): string {
  return `${invertedTime(message.receivedAt)}-${createHash('sha256').update(message.id).digest('hex').slice(0, 16)}`;
}

export const unroutedMessageSchema = z
  .object({
    id: z.string().describe('The message id ({connectionId}:{carrierMessageId}).'),
    connectionId: z.string(),
    from: z.string(),
    to: z.string(),
    body: z.string(),
    mediaCount: z.number().int(),
    receivedAt: z.string(),
  })
  .meta({ id: 'UnroutedMessage' });

export const unroutedMessagePageSchema = z
  .object({ items: z.array(unroutedMessageSchema), continuationToken: z.string().optional().describe('Pass back to get the next page; absent on the last page.') })
  .meta({ id: 'UnroutedMessagePage' });

export const unroutedQuerySchema = z.object({
  pageSize: z.coerce.number().int().min(1).max(200).default(50).describe('Entries per page (1 to 200, default 50).'),
  continuationToken: z.string().min(1).optional().describe('From the previous page.'),
});

/** The `ref` query parameter of our status callback URLs. */
function referenceOf(url: string): string | undefined {
  try {
    return new URL(url).searchParams.get('ref') ?? undefined;
  } catch {
    return undefined;
  }
}

/** What the webhook route needs to answer: the status, content type and body. */
export type InboundWebhookResult = WebhookAnswer;

export interface InboundSmsDeps {
  store: TableStore;
  messages: MessageRepository;
  references: CarrierReferences;
  connections: CarrierConnections;
  /** Who holds the `To` number (its row, reused a few seconds). */
  numberCache: NumberCache;
  smsGroups: SmsGroups;
  enterprises: EnterpriseRepository;
  /** Routing, bookkeeping and status follow-ups running at once, per lane (default 16; routing runs two tasks while webhooks or sends wait, bookkeeping and status one task while those or routing wait, each one task while answers queue in storage). */
  followUpConcurrency?: number;
  /** Where routing failures are reported (routing runs after the answer). */
  onRoutingError?: (error: unknown, message: { enterpriseId: string; id: string }) => void;
}

/** Work that follows a routed inbound message (conversation, opt-out keywords, delivery to Teams). Must be idempotent. */
export type RoutedListener = (message: SmsMessage) => Promise<void>;
/** Work that follows a status change of an outbound message. */
export type StatusListener = (message: SmsMessage) => Promise<void>;

/**
 * Carrier webhooks: verify, store durably (deduplicated), answer; then route each new
 * inbound message by its `to` number (user, SMS group, or the admins' unrouted list).
 */
export class InboundSms {
  readonly messages: MessageRepository;
  private readonly unrouted: Repository<UnroutedEntry>;
  /** Routing (the decision and Teams delivery, which people wait for), after the answer. */
  private readonly routing: WorkLane;
  /** Status follow-ups, after the answer, a few at a time. */
  private readonly statusLane: WorkLane;
  /** What follows routing and nobody watches for (conversation lists, keywords, counts): it never holds routing up. */
  private readonly bookkeeping: WorkLane;
  private readonly urgentListeners: RoutedListener[] = [];
  private readonly routedListeners: RoutedListener[] = [];
  private readonly statusListeners: StatusListener[] = [];

  constructor(private readonly deps: InboundSmsDeps) {
    this.messages = deps.messages;
    // Webhook answers first, then routing (people wait for the Teams card), then the rest. While
    // webhooks wait, two routing tasks: each more puts storage requests ahead of the next answer's.
    this.routing = new WorkLane(deps.followUpConcurrency ?? 16, foreground, 2);
    // Bookkeeping and status reports trickle (one task each) while anything above them waits.
    this.statusLane = new WorkLane(deps.followUpConcurrency ?? 16, urgent, 1);
    this.bookkeeping = new WorkLane(deps.followUpConcurrency ?? 16, urgent, 1);
    this.unrouted = new Repository(deps.store, unroutedDefinition);
  }

  /**
   * Runs after each inbound message is routed (also when the sweep routes it after a crash).
   * `urgent` (delivery to Teams, which people wait for): right after the routing decision,
   * in the routing lane; the others follow in a lane of their own, so they never hold the
   * next message's routing up.
   */
  onRouted(listener: RoutedListener, options: { urgent?: boolean } = {}): void {
    (options.urgent ? this.urgentListeners : this.routedListeners).push(listener);
  }

  /** Runs after a carrier's status report changed an outbound message. */
  onStatus(listener: StatusListener): void {
    this.statusListeners.push(listener);
  }

  /**
   * One webhook call. Throws NotFoundError (unknown connection or type), WebhookAuthError
   * (forged, stale, unsigned), ValidationError (unreadable body); nothing is stored then.
   * Routing starts after this returns (see `settleAll`).
   */
  receive(type: string, connectionId: string, request: WebhookRequest): Promise<InboundWebhookResult> {
    return foreground.run(() => this.receiveNow(type, connectionId, request));
  }

  private async receiveNow(type: string, connectionId: string, request: WebhookRequest): Promise<InboundWebhookResult> {
    const resolved = await this.deps.connections.resolve(connectionId);
    if (!resolved || resolved.connection.type !== type) throw new NotFoundError(`No ${type} carrier connection with id "${connectionId}".`);
    const { connection, credentials } = resolved;
    // Webhooks never send through the adapter; the simulator's adapter only wants some base URL.
    const adapter = createCarrierAdapter(connection.type, credentials, { baseUrl: 'http://127.0.0.1' });
    adapter.verifyWebhook(request);
    let events: WebhookEvent[];
    try {
      events = adapter.parseWebhook(request);
    } catch (error) {
      if (error instanceof Error && 'status' in error) throw error;
      throw new ValidationError('The webhook body could not be read.');
    }
    // Our status callback URLs carry our message id (see OutboundWorker): the fastest and surest match.
    const reference = referenceOf(request.url);
    const toRoute: string[] = [];
    const changed: SmsMessage[] = [];
    for (const event of events) {
      if (event.kind === 'inbound') {
        const id = await this.storeInbound(connection.enterpriseId, connection.id, connection.type, event.message);
        if (id) toRoute.push(id);
      } else if (event.kind === 'status') {
        const updated = await this.applyStatus(connection.enterpriseId, connection.id, event.update, events.length === 1 ? reference : undefined);
        if (updated) changed.push(updated);
      }
    }
    const answer = webhookAnswer(connection.type, events);
    if (toRoute.length > 0 || changed.length > 0) this.later(connection.enterpriseId, toRoute, changed);
    return answer;
  }

  /** Creates the row; an existing one (a redelivery) is success. Returns the id when it still needs routing. */
  private async storeInbound(enterpriseId: string, connectionId: string, carrierType: CarrierType, inbound: InboundMessage): Promise<string | undefined> {
    const now = new Date().toISOString();
    const count = countSegments(inbound.body);
    const message: SmsMessage = {
      enterpriseId,
      id: messageIdOf(connectionId, inbound.carrierMessageId),
      direction: 'inbound',
      connectionId,
      carrierType,
      carrierMessageId: inbound.carrierMessageId,
      from: inbound.from,
      to: inbound.to,
      body: inbound.body,
      media: inbound.media,
      status: 'received',
      holder: null,
      recipients: [],
      errorCode: null,
      conversationId: conversationIdOf(inbound.to, inbound.from),
      sentBy: null,
      sentByName: null,
      teamsConfirmation: false,
      segments: count.segments,
      encoding: count.encoding,
      statusHistory: [{ status: 'received', at: now }],
      attempts: 0,
      failureReason: null,
      claimedBy: null,
      claimUntil: null,
      nextAttemptAt: null,
      deadLetteredAt: null,
      receivedAt: inbound.receivedAt || now,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.messages.create(message);
      return message.id;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // Already stored: a redelivery. If routing never finished (a crash), it gets another go.
      const existing = await this.messages.get(enterpriseId, message.id);
      return existing?.value.status === 'received' ? message.id : undefined;
    }
  }

  /**
   * Moves a stored outbound message forward (never back: reports arrive out of order and
   * twice). Found by our reference when the callback URL carries it, else by the carrier's id.
   */
  private async applyStatus(enterpriseId: string, connectionId: string, update: StatusUpdate, reference: string | undefined): Promise<SmsMessage | undefined> {
    const id = reference ?? update.clientReference ?? (await this.deps.references.messageIdOf(enterpriseId, connectionId, update.carrierMessageId));
    if (!id) return undefined;
    for (let attempt = 0; attempt < 5; attempt++) {
      // The first look may be this process's own last version (a failed write forgets it, and the next look reads).
      const current = await this.messages.current(enterpriseId, id);
      if (!current || current.value.direction !== 'outbound') return undefined;
      const message = current.value;
      if (message.carrierMessageId && message.carrierMessageId !== update.carrierMessageId) return undefined; // not this message's report
      // A redelivered or late report (or one that beat the worker's own write of the carrier id, which the worker makes anyway).
      if (deliveryRank(update.status) <= deliveryRank(message.status)) return undefined;
      const moved = withStatus(message, update.status, update.at || new Date().toISOString(), update.errorCode);
      const next: SmsMessage = { ...moved, carrierMessageId: update.carrierMessageId, updatedAt: new Date().toISOString() };
      try {
        await this.messages.update(current, next);
        return next;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
    }
    return undefined;
  }

  private later(enterpriseId: string, ids: readonly string[], changed: readonly SmsMessage[]): void {
    for (const id of ids) {
      this.routing.push(() => urgent.run(async () => {
        try {
          const decided = await this.decide(enterpriseId, id);
          if (!('next' in decided)) return;
          const { current, next } = decided;
          for (const listener of this.urgentListeners) await listener(next);
          this.bookkeeping.push(async () => {
            try {
              // Changed meanwhile (another process routed it): routing again is idempotent.
              if (!(await this.complete(current, next))) await this.route(enterpriseId, id);
            } catch (error) {
              this.deps.onRoutingError?.(error, { enterpriseId, id });
            }
          });
        } catch (error) {
          this.deps.onRoutingError?.(error, { enterpriseId, id });
        }
      }));
    }
    for (const message of changed) {
      this.statusLane.push(async () => {
        for (const listener of this.statusListeners) {
          await listener(message).catch((error: unknown) => this.deps.onRoutingError?.(error, message));
        }
      });
    }
  }

  /**
   * Routes a received message by its `to` number: to the user, to the SMS group's members,
   * or to the unrouted list, after running the routed listeners. Idempotent.
   */
  async route(enterpriseId: string, id: string): Promise<Stored<SmsMessage> | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const decided = await this.decide(enterpriseId, id);
      if (!('next' in decided)) return decided.current;
      for (const listener of this.urgentListeners) await listener(decided.next);
      const stored = await this.complete(decided.current, decided.next);
      if (stored) return stored;
    }
    return undefined;
  }

  /** Where a received message goes (`next`); none when it is not (or no longer) waiting to be routed. */
  private async decide(enterpriseId: string, id: string): Promise<{ current: Stored<SmsMessage> | undefined } | { current: Stored<SmsMessage>; next: SmsMessage }> {
    const current = await this.messages.current(enterpriseId, id);
    if (!current || current.value.direction !== 'inbound' || current.value.status !== 'received') return { current };
    const message = current.value;
    const entry = await this.deps.numberCache.row(enterpriseId, message.to);
    const holder = entry?.value.holder ?? null;
    const at = new Date().toISOString();
    if (holder?.type === 'user') return { current, next: { ...withStatus(message, 'routed', at), holder, recipients: [holder.id] } };
    if (holder?.type === 'group') {
      return { current, next: { ...withStatus(message, 'routed', at), holder, recipients: await this.deps.smsGroups.membersOf(enterpriseId, message.to) } };
    }
    // Listed first: a crash before the update leaves the message 'received', to be routed again (same list row).
    await this.listUnrouted(message);
    return { current, next: { ...withStatus(message, 'unrouted', at), holder: null, recipients: [] } };
  }

  /**
   * The other listeners, then the message is marked routed. The message stays in flight
   * until then, so a crash in between means the sweep runs it all again (listeners are
   * idempotent). Undefined: someone changed the message meanwhile.
   */
  private async complete(current: Stored<SmsMessage>, next: SmsMessage): Promise<Stored<SmsMessage> | undefined> {
    for (const listener of this.routedListeners) await listener(next);
    try {
      return await this.messages.update(current, { ...next, updatedAt: new Date().toISOString() });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      return undefined;
    }
  }

  private async listUnrouted(message: SmsMessage): Promise<void> {
    try {
      await this.unrouted.create({
        enterpriseId: message.enterpriseId,
        key: unroutedKey(message),
        messageId: message.id,
        connectionId: message.connectionId,
        from: message.from,
        to: message.to,
        body: message.body,
        mediaCount: message.media.length,
        receivedAt: message.receivedAt,
      });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }

  /** The admins' view of messages to numbers nobody holds, newest first. */
  async unroutedPage(principal: Principal, enterpriseId: string, query: z.output<typeof unroutedQuerySchema>): Promise<z.input<typeof unroutedMessagePageSchema>> {
    const enterprise = await this.deps.enterprises.byId(enterpriseId);
    requireAdminOf(principal, enterprise?.value, enterpriseId, 'see unrouted messages');
    const page = await this.unrouted.listPage(enterpriseId, { pageSize: query.pageSize, ...(query.continuationToken ? { continuationToken: query.continuationToken } : {}) });
    return {
      items: page.items.map(({ value: e }) => ({ id: e.messageId, connectionId: e.connectionId, from: e.from, to: e.to, body: e.body, mediaCount: e.mediaCount, receivedAt: e.receivedAt })),
      ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
    };
  }

  /** Resolves when the routing started so far has finished (for shutdown and tests). */
  async settleAll(): Promise<void> {
    // Routing hands work to bookkeeping: wait until both are empty at once.
    while (this.routing.backlog + this.statusLane.backlog + this.bookkeeping.backlog > 0) await Promise.all([this.routing.settled(), this.statusLane.settled(), this.bookkeeping.settled()]);
  }
}
