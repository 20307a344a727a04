import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Principal } from '../access/principal';
import { requireAdminOf } from '../access/policy';
import { createCarrierAdapter, webhookAnswer, type WebhookAnswer } from '../carriers/factory';
import type { CarrierType, DeliveryStatus, InboundMedia, InboundMessage, StatusUpdate, WebhookEvent, WebhookRequest } from '../carriers/types';
import type { EnterpriseRepository } from '../enterprises/repository';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import type { NumberHolder } from '../numbers/number';
import type { NumberRepository } from '../numbers/number-repository';
import type { SmsGroups } from '../numbers/sms-groups';
import { Repository, type RepositoryDefinition, type Stored } from '../store/repository';
import type { TableStore } from '../store/table-store';
import type { CarrierConnections } from './carrier-connections';

export const MESSAGES_TABLE = 'messages';
export const UNROUTED_MESSAGES_TABLE = 'unroutedmessages';

export type InboundStatus = 'received' | 'routed' | 'unrouted';

/** One SMS/MMS, partition = enterprise, id = `{connectionId}:{carrierMessageId}` (a redelivered webhook is the same row). */
export interface SmsMessage {
  enterpriseId: string;
  id: string;
  direction: 'inbound' | 'outbound';
  connectionId: string;
  carrierType: CarrierType;
  carrierMessageId: string;
  from: string;
  to: string;
  body: string;
  media: InboundMedia[];
  /** Inbound: received → routed | unrouted. Outbound: the delivery status. */
  status: InboundStatus | DeliveryStatus;
  /** Inbound: who the `to` number belonged to when routed. */
  holder: NumberHolder | null;
  /** Inbound: the user ids it goes to (the user, or the SMS group's members). */
  recipients: string[];
  errorCode: string | null;
  receivedAt: string;
  createdAt: string;
  updatedAt: string;
}

export const messageIdOf = (connectionId: string, carrierMessageId: string) => `${connectionId}:${carrierMessageId}`;

const json = <T>(value: unknown, fallback: T): T => (typeof value === 'string' && value !== '' ? (JSON.parse(value) as T) : fallback);

const definition: RepositoryDefinition<SmsMessage> = {
  table: MESSAGES_TABLE,
  entityName: 'message',
  partitionOf: (m) => m.enterpriseId,
  idOf: (m) => m.id,
  toEntity: ({ enterpriseId: _e, id: _i, media, holder, recipients, ...rest }) => ({
    ...rest,
    media: JSON.stringify(media),
    holder: holder ? JSON.stringify(holder) : '',
    recipients: JSON.stringify(recipients),
  }),
  fromEntity: (p, keys) => ({
    enterpriseId: keys.partition,
    id: keys.id,
    direction: p.direction === 'outbound' ? 'outbound' : 'inbound',
    connectionId: String(p.connectionId),
    carrierType: String(p.carrierType) as CarrierType,
    carrierMessageId: String(p.carrierMessageId),
    from: String(p.from),
    to: String(p.to),
    body: String(p.body ?? ''),
    media: json<InboundMedia[]>(p.media, []),
    status: String(p.status) as SmsMessage['status'],
    holder: json<NumberHolder | null>(p.holder, null),
    recipients: json<string[]>(p.recipients, []),
    errorCode: typeof p.errorCode === 'string' ? p.errorCode : null,
    receivedAt: String(p.receivedAt),
    createdAt: String(p.createdAt),
    updatedAt: String(p.updatedAt),
  }),
};

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

const MAX_TIME = 9_999_999_999_999;
function unroutedKey(message: SmsMessage): string {
  const at = Date.parse(message.receivedAt);
  const inverted = String(MAX_TIME - (Number.isNaN(at) ? 0 : at)).padStart(13, '0');
  return `${inverted}-${createHash('sha256').update(message.id).digest('hex').slice(0, 16)}`;
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

/** What the webhook route needs to answer: the status, content type and body. */
export type InboundWebhookResult = WebhookAnswer;

export interface InboundSmsDeps {
  store: TableStore;
  connections: CarrierConnections;
  numbers: NumberRepository;
  smsGroups: SmsGroups;
  enterprises: EnterpriseRepository;
  /** Where routing failures are reported (routing runs after the answer). */
  onRoutingError?: (error: unknown, message: { enterpriseId: string; id: string }) => void;
}

const FINAL_STATUSES = new Set<string>(['delivered', 'undelivered', 'failed']);

/**
 * Carrier webhooks: verify, store durably (deduplicated), answer; then route each new
 * inbound message by its `to` number (user, SMS group, or the admins' unrouted list).
 */
export class InboundSms {
  readonly messages: Repository<SmsMessage>;
  private readonly unrouted: Repository<UnroutedEntry>;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly deps: InboundSmsDeps) {
    this.messages = new Repository(deps.store, definition);
    this.unrouted = new Repository(deps.store, unroutedDefinition);
  }

  /**
   * One webhook call. Throws NotFoundError (unknown connection or type), WebhookAuthError
   * (forged, stale, unsigned), ValidationError (unreadable body); nothing is stored then.
   * Routing starts after this returns (see `settleAll`).
   */
  async receive(type: string, connectionId: string, request: WebhookRequest): Promise<InboundWebhookResult> {
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
    const toRoute: string[] = [];
    for (const event of events) {
      if (event.kind === 'inbound') {
        const id = await this.storeInbound(connection.enterpriseId, connection.id, connection.type, event.message);
        if (id) toRoute.push(id);
      } else if (event.kind === 'status') {
        await this.applyStatus(connection.enterpriseId, connection.id, event.update);
      }
    }
    const answer = webhookAnswer(connection.type, events);
    if (toRoute.length > 0) this.routeLater(connection.enterpriseId, toRoute);
    return answer;
  }

  /** Creates the row; an existing one (a redelivery) is success. Returns the id when it still needs routing. */
  private async storeInbound(enterpriseId: string, connectionId: string, carrierType: CarrierType, inbound: InboundMessage): Promise<string | undefined> {
    const now = new Date().toISOString();
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

  /** Updates a stored outbound message; statuses for messages we do not know are ignored. */
  private async applyStatus(enterpriseId: string, connectionId: string, update: StatusUpdate): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await this.messages.get(enterpriseId, messageIdOf(connectionId, update.carrierMessageId));
      if (!current || current.value.direction !== 'outbound') return;
      if (current.value.status === update.status) return; // a redelivered status
      if (FINAL_STATUSES.has(current.value.status) && !FINAL_STATUSES.has(update.status)) return; // a late, out-of-order report
      try {
        await this.messages.update(current, { ...current.value, status: update.status, errorCode: update.errorCode ?? null, updatedAt: new Date().toISOString() });
        return;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
    }
  }

  private routeLater(enterpriseId: string, ids: readonly string[]): void {
    const work: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(async () => {
        for (const id of ids) {
          try {
            await this.route(enterpriseId, id);
          } catch (error) {
            this.deps.onRoutingError?.(error, { enterpriseId, id });
          }
        }
      })
      .finally(() => this.pending.delete(work));
    this.pending.add(work);
  }

  /** Routes a received message by its `to` number: to the user, to the SMS group's members, or to the unrouted list. Idempotent. */
  async route(enterpriseId: string, id: string): Promise<Stored<SmsMessage> | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await this.messages.get(enterpriseId, id);
      if (!current || current.value.direction !== 'inbound' || current.value.status !== 'received') return current;
      const message = current.value;
      const entry = await this.deps.numbers.get(enterpriseId, message.to);
      const holder = entry?.value.holder ?? null;
      let next: SmsMessage;
      if (holder?.type === 'user') {
        next = { ...message, status: 'routed', holder, recipients: [holder.id] };
      } else if (holder?.type === 'group') {
        next = { ...message, status: 'routed', holder, recipients: await this.deps.smsGroups.membersOf(enterpriseId, message.to) };
      } else {
        // Listed first: a crash before the update leaves the message 'received', to be routed again (same list row).
        await this.listUnrouted(message);
        next = { ...message, status: 'unrouted', holder: null, recipients: [] };
      }
      try {
        return await this.messages.update(current, { ...next, updatedAt: new Date().toISOString() });
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
    }
    return undefined;
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
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
