import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Principal } from '../access/principal';
import { requireAdminOf, visibleEnterprise } from '../access/policy';
import type { EnterpriseRepository } from '../enterprises/repository';
import type { Enterprise } from '../enterprises/schema';
import type { PhoneNumberEntry } from '../numbers/number';
import type { Stored } from '../store/repository';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import type { NumberCache } from '../numbers/number-cache';
import type { NumberRepository } from '../numbers/number-repository';
import type { SmsGroupRepository } from '../numbers/sms-group';
import { checkPhoneNumber, formatInternational, isE164 } from '../rules/phone';
import { countSegments, MAX_SEGMENTS } from '../rules/segments';
import type { CarrierConnections } from './carrier-connections';
import { conversationIdOf } from './conversation-id';
import { DEAD_LETTER_INDEX, MessageRepository, messageRef, newOutboundId, type SmsMessage } from './message';
import { toMessageView, messageViewSchema, type MessageView } from './conversation-views';
import type { OutboundQueue } from './outbound-queue';
import { foreground, WorkLane } from './work-lane';

/** MMS content carriers accept (Twilio's and Telnyx's lists agree on these). */
export const MMS_CONTENT_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'video/mp4', 'video/3gpp', 'audio/mpeg', 'audio/mp4', 'audio/amr', 'text/vcard', 'application/pdf'] as const;
/** Carriers refuse MMS over about 5 MB in total (Twilio: 5 MB; US carriers often deliver less). */
export const MAX_MMS_BYTES = 5 * 1024 * 1024;
export const MAX_MEDIA_ITEMS = 10;

export const outboundMediaSchema = z
  .object({
    url: z.url({ protocol: /^https?$/, message: 'Give the media as a public http(s) URL the carrier can fetch.' }),
    contentType: z.enum(MMS_CONTENT_TYPES, { message: `Carriers accept these media types: ${MMS_CONTENT_TYPES.join(', ')}.` }),
    sizeBytes: z.number().int().positive().max(MAX_MMS_BYTES, `One item may be at most ${MAX_MMS_BYTES / 1024 / 1024} MB.`).describe('The file size, checked against the carriers\' 5 MB limit.'),
  })
  .strict();

export const sendMessageBodySchema = z
  .object({
    from: z.string().optional().describe('The enterprise number to send from (E.164). Default: the sender\'s number, when they have exactly one.'),
    to: z.string().describe('The recipient, in international form (+14155550123).'),
    body: z.string().max(1600, 'A message has at most 1600 characters (10 segments).').default(''),
    media: z.array(outboundMediaSchema).max(MAX_MEDIA_ITEMS, `At most ${MAX_MEDIA_ITEMS} media items per message.`).default([]),
  })
  .strict()
  .meta({ id: 'SendMessage' });
export type SendMessageInput = z.output<typeof sendMessageBodySchema>;

/** Who sends: a Teams user of the enterprise, or Switchboard itself (compliance replies). */
export interface Sender {
  enterpriseId: string;
  userId: string;
  name: string;
  /** Sending from a Teams chat, which posts a confirmation card that follows the message's status. */
  teamsConfirmation?: boolean;
}

/** Checks a send must pass besides ours: the opt-out list (see OptOuts). */
export interface OptOutCheck {
  assertNotBlocked(enterpriseId: string, enterpriseNumber: string, externalNumber: string, options?: { timeZone?: string }): Promise<void>;
}

export interface OutboundSmsDeps {
  messages: MessageRepository;
  queue: OutboundQueue;
  enterprises: EnterpriseRepository;
  numbers: NumberRepository;
  numberCache: NumberCache;
  groups: SmsGroupRepository;
  connections: CarrierConnections;
  optOuts?: OptOutCheck;
  /** Queueing failed after the message was stored: the sweep will queue it again. */
  onQueueError?: (error: unknown, message: SmsMessage) => void;
}

export const sendingNumbersSchema = z
  .object({ numbers: z.array(z.object({ number: z.string().describe('E.164.'), display: z.string(), via: z.enum(['user', 'group']).describe('Assigned to you, or to an SMS group you belong to.') })) })
  .meta({ id: 'SendingNumbers' });

export const deadLetterQuerySchema = z.object({
  pageSize: z.coerce.number().int().min(1).max(200).default(50).describe('Entries per page (1 to 200, default 50).'),
  continuationToken: z.string().min(1).optional().describe('From the previous page.'),
});

export const deadLetterPageSchema = z
  .object({ items: z.array(messageViewSchema).describe('Newest first.'), continuationToken: z.string().optional().describe('Pass back to get the next page; absent on the last page.') })
  .meta({ id: 'DeadLetterPage' });

export type StoredListener = (message: SmsMessage) => Promise<void>;

function invalid(path: string, message: string): ValidationError {
  return new ValidationError(message, [{ path, message }]);
}

/**
 * Accepting an SMS/MMS to send: every check first, then the message row (durable, in
 * flight) and a queue item, before any carrier is called. Workers do the sending.
 */
export class OutboundSms {
  private readonly storedListeners: StoredListener[] = [];
  private readonly changeListeners: StoredListener[] = [];
  /** Follow-up work (the conversation list) runs after the answer: a send waits only for its own row and queue item. */
  private readonly followUps = new WorkLane(16);
  /** Messages accepted here whose follow-up work has not started (`followUpComing`). */
  private readonly followUpsWaiting = new Set<string>();
  private readonly enterprises = new Map<string, { value: Enterprise | undefined; until: number }>();

  constructor(private readonly deps: OutboundSmsDeps) {}

  /** Runs after a message is stored and queued (the conversation list, for one). */
  onStored(listener: StoredListener): void {
    this.storedListeners.push(listener);
  }

  /** Runs when a worker moved a message on (sent, failed, dead-lettered). */
  onChange(listener: StoredListener): void {
    this.changeListeners.push(listener);
  }

  async runStoredListeners(message: SmsMessage): Promise<void> {
    this.followUpsWaiting.delete(messageRef(message));
    for (const listener of this.storedListeners) await listener(message);
  }

  /**
   * Accepted here, its stored listeners still to run: a status reported meanwhile (the
   * follow-ups lag behind the sends under load) can ride along with them.
   */
  followUpComing(message: Pick<SmsMessage, 'enterpriseId' | 'id'>): boolean {
    return this.followUpsWaiting.has(messageRef(message));
  }

  /** Resolves when the follow-up work of the messages accepted so far is done (tests, shutdown). */
  settleAll(): Promise<void> {
    return this.followUps.settled();
  }

  /** All at once (none waits for another's storage round trip); the first failure is reported once all ran. */
  async runChangeListeners(message: SmsMessage): Promise<void> {
    const outcomes = await Promise.allSettled(this.changeListeners.map((listener) => listener(message)));
    const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed) throw failed.reason;
  }

  // ---------------------------------------------------------------- the API's view

  /** Sending as the signed-in user of this enterprise (nobody sends as someone else). */
  async sendAs(principal: Principal, enterpriseId: string, input: SendMessageInput): Promise<MessageView> {
    await this.memberOf(principal, enterpriseId);
    return toMessageView(await this.send({ enterpriseId, userId: principal.userId, name: principal.name }, input));
  }

  async sendingNumbers(principal: Principal, enterpriseId: string): Promise<z.input<typeof sendingNumbersSchema>> {
    await this.memberOf(principal, enterpriseId);
    const snapshot = await this.deps.numberCache.snapshot(enterpriseId);
    const direct = new Set(snapshot.heldBy('user', principal.userId));
    const numbers = await this.numbersOf(enterpriseId, principal.userId);
    return { numbers: numbers.map((number) => ({ number, display: formatInternational(number), via: direct.has(number) ? ('user' as const) : ('group' as const) })) };
  }

  /** One message: for its sender, for whoever may use its number, and for admins. */
  async view(principal: Principal, enterpriseId: string, messageId: string): Promise<MessageView> {
    const enterprise = visibleEnterprise(principal, (await this.deps.enterprises.byId(enterpriseId))?.value, enterpriseId);
    const stored = await this.deps.messages.get(enterprise.id, messageId);
    const message = stored?.value;
    const notFound = new NotFoundError(`No message with id "${messageId}".`);
    if (!message || message.conversationId === '') throw notFound;
    if (principal.role === 'user') {
      const number = message.direction === 'outbound' ? message.from : message.to;
      const mine = message.sentBy === principal.userId || message.recipients.includes(principal.userId) || (await this.numbersOf(enterpriseId, principal.userId)).includes(number);
      if (!mine) throw notFound;
    } else {
      requireAdminOf(principal, enterprise, enterpriseId, 'see messages of other users');
    }
    return toMessageView(message);
  }

  /** Outbound messages given up after their last attempt, newest first (admins). */
  async deadLetters(principal: Principal, enterpriseId: string, query: z.output<typeof deadLetterQuerySchema>): Promise<z.input<typeof deadLetterPageSchema>> {
    requireAdminOf(principal, (await this.deps.enterprises.byId(enterpriseId))?.value, enterpriseId, 'see dead-lettered messages');
    const page = await this.deps.messages.listIndex(enterpriseId, DEAD_LETTER_INDEX, { pageSize: query.pageSize, ...(query.continuationToken ? { continuationToken: query.continuationToken } : {}) });
    const found = await this.deps.messages.getMany(enterpriseId, page.items.map((entry) => entry.holderId));
    const items = page.items.flatMap((entry) => {
      const stored = found.get(entry.holderId);
      return stored ? [toMessageView(stored.value)] : [];
    });
    return { items, ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}) };
  }

  /** Enterprises change rarely and are read on every send: a few seconds' cache. */
  private async enterprise(enterpriseId: string): Promise<Enterprise | undefined> {
    const cached = this.enterprises.get(enterpriseId);
    if (cached && cached.until > Date.now()) return cached.value;
    const value = (await this.deps.enterprises.byId(enterpriseId))?.value;
    this.enterprises.set(enterpriseId, { value, until: Date.now() + 5_000 });
    return value;
  }

  private async memberOf(principal: Principal, enterpriseId: string): Promise<void> {
    visibleEnterprise(principal, await this.enterprise(enterpriseId), enterpriseId);
    if (principal.enterpriseId !== enterpriseId) throw new ForbiddenError('Only users of the enterprise send from its numbers; a provider admin cannot send on their behalf.');
  }

  // ---------------------------------------------------------------- sending

  /** A Teams user's message: they must hold the number (directly or through an SMS group). */
  send(sender: Sender, input: SendMessageInput): Promise<SmsMessage> {
    return foreground.run(async () => {
      const { number, entry } = await this.senderNumber(sender, input.from);
      return this.accept(sender.enterpriseId, number, input, sender, newOutboundId(), entry);
    });
  }

  /**
   * Switchboard's own replies (opt-out confirmations, HELP): no sender check, no opt-out
   * check. One reply per inbound message: its id derives from `replyTo`, so running the
   * follow-up again (a crash, the sweep) finds the reply instead of sending a second.
   */
  async sendAutomatic(enterpriseId: string, from: string, to: string, body: string, options: { replyTo: string }): Promise<SmsMessage> {
    const id = `out-auto-${createHash('sha256').update(options.replyTo).digest('hex').slice(0, 24)}`;
    const existing = await this.deps.messages.get(enterpriseId, id);
    if (existing) return existing.value;
    try {
      return await this.accept(enterpriseId, from, { to, body, media: [] }, undefined, id);
    } catch (error) {
      const again = error instanceof ConflictError ? await this.deps.messages.get(enterpriseId, id) : undefined;
      if (again) return again.value;
      throw error;
    }
  }

  /** The enterprise numbers `userId` may send from: numbers they hold, and numbers of SMS groups they belong to. */
  async numbersOf(enterpriseId: string, userId: string): Promise<string[]> {
    const snapshot = await this.deps.numberCache.snapshot(enterpriseId);
    const mine = new Set(snapshot.heldBy('user', userId));
    for await (const { value: group } of this.deps.groups.all(enterpriseId)) {
      if (group.memberIds.includes(userId) || group.ownerIds.includes(userId)) for (const number of snapshot.heldBy('group', group.id)) mine.add(number);
    }
    return [...mine].filter((number) => snapshot.get(number)?.stored.value.capabilities.sms ?? true).sort();
  }

  private async isGroupMember(enterpriseId: string, groupId: string, userId: string): Promise<boolean> {
    const group = await this.deps.groups.get(enterpriseId, groupId);
    return !!group && (group.value.memberIds.includes(userId) || group.value.ownerIds.includes(userId));
  }

  private async senderNumber(sender: Sender, requested: string | undefined): Promise<{ number: string; entry?: Stored<PhoneNumberEntry> }> {
    if (requested === undefined || requested.trim() === '') {
      const numbers = await this.numbersOf(sender.enterpriseId, sender.userId);
      if (numbers.length === 1) return { number: numbers[0]! };
      if (numbers.length === 0) throw new ForbiddenError('You have no SMS number to send from. Ask your admin to assign you one (Users page, SMS User Configuration).');
      throw invalid('from', `You have ${numbers.length} numbers: say which to send from (${numbers.map(formatInternational).join(', ')}).`);
    }
    const checked = checkPhoneNumber(requested);
    if (!checked.ok) throw invalid('from', checked.problem!);
    const entry = await this.deps.numberCache.row(sender.enterpriseId, checked.e164!);
    const holder = entry?.value.holder;
    const allowed = holder && (holder.type === 'user' ? holder.id === sender.userId : await this.isGroupMember(sender.enterpriseId, holder.id, sender.userId));
    if (!allowed) throw new ForbiddenError(`You may not send from ${formatInternational(checked.e164!)}: it is not assigned to you or to an SMS group you belong to.`);
    return { number: checked.e164!, ...(entry ? { entry } : {}) };
  }

  private async accept(
    enterpriseId: string,
    from: string,
    input: { to: string; body: string; media: Array<{ url: string; contentType: string; sizeBytes?: number }> },
    sender: Sender | undefined,
    id: string = newOutboundId(),
    known?: Stored<PhoneNumberEntry>,
  ): Promise<SmsMessage> {
    const enterprise = await this.enterprise(enterpriseId);
    if (!enterprise) throw new NotFoundError(`No enterprise with id "${enterpriseId}".`);
    // The number's row is the truth of who holds it (reused a few seconds: NumberCache.row).
    const entry = known ?? (await this.deps.numberCache.row(enterpriseId, from));
    if (!entry) throw new NotFoundError(`${formatInternational(from)} is not in the enterprise's number inventory.`);
    const number = entry.value;
    if (!number.capabilities.sms) throw invalid('from', `${formatInternational(from)} is not enabled for SMS. An admin can turn SMS on for it on the Numbers page.`);
    if (!number.carrierConnectionId) throw invalid('from', `${formatInternational(from)} has no carrier connection, so nothing can be sent from it. An admin must pick its carrier on the Numbers page.`);
    const connection = (await this.deps.connections.resolve(number.carrierConnectionId))?.connection;
    if (!connection || connection.enterpriseId !== enterpriseId) throw invalid('from', `The carrier connection of ${formatInternational(from)} no longer exists. An admin must pick another on the Numbers page.`);

    const to = isE164(input.to) ? input.to : checkPhoneNumber(input.to).e164;
    if (!to) throw invalid('to', checkPhoneNumber(input.to).problem!);
    if (to === from) throw invalid('to', 'The recipient is the sending number itself.');
    const body = input.body.trim() === '' ? '' : input.body;
    if (body === '' && input.media.length === 0) throw invalid('body', 'Write a message (or attach media) before sending.');
    const count = countSegments(body);
    if (count.segments > MAX_SEGMENTS) throw invalid('body', `The message needs ${count.segments} segments (${count.encoding}); at most ${MAX_SEGMENTS} are allowed. Shorten it${count.encoding === 'UCS-2' ? ' or remove the characters that need UCS-2 (emoji, some accents)' : ''}.`);
    if (input.media.length > 0) {
      if (!number.capabilities.mms) throw invalid('media', `${formatInternational(from)} cannot send MMS. Remove the media, or an admin can turn MMS on for the number if its carrier supports it.`);
      const total = input.media.reduce((sum, m) => sum + (m.sizeBytes ?? 0), 0);
      if (total > MAX_MMS_BYTES) throw invalid('media', `The media add up to ${(total / 1024 / 1024).toFixed(1)} MB; carriers accept at most 5 MB per message.`);
    }
    if (sender) await this.deps.optOuts?.assertNotBlocked(enterpriseId, from, to, { timeZone: enterprise.settings.timeZone });

    const now = new Date().toISOString();
    const message: SmsMessage = {
      enterpriseId,
      id,
      direction: 'outbound',
      connectionId: connection.id,
      carrierType: connection.type,
      carrierMessageId: '',
      from,
      to,
      body,
      media: input.media.map((m) => ({ url: m.url, contentType: m.contentType })),
      status: 'queued',
      holder: number.holder,
      recipients: [],
      errorCode: null,
      conversationId: conversationIdOf(from, to),
      sentBy: sender?.userId ?? null,
      sentByName: sender?.name ?? null,
      teamsConfirmation: sender?.teamsConfirmation === true,
      segments: count.segments,
      encoding: count.encoding,
      statusHistory: [{ status: 'queued', at: now }],
      attempts: 0,
      failureReason: null,
      claimedBy: null,
      claimUntil: null,
      nextAttemptAt: null,
      deadLetteredAt: null,
      receivedAt: now,
      createdAt: now,
      updatedAt: now,
    };
    // Row and queue item at once (one round trip, not two): a worker that gets the item first
    // waits for the row (this process's worker for the write on its way, another one looks again).
    const queued = this.deps.queue.enqueue({ enterpriseId, messageId: message.id }).then(
      () => undefined,
      (error: unknown) => error,
    );
    // Known as coming before the row exists: a worker may send it the moment it does.
    const key = messageRef(message);
    this.followUpsWaiting.add(key);
    try {
      await this.deps.messages.create(message);
    } catch (error) {
      this.followUpsWaiting.delete(key);
      throw error;
    }
    const queueError = await queued;
    // Stored and in flight: the sweep queues it again, so the send is late, not lost.
    if (queueError !== undefined) this.deps.onQueueError?.(queueError, message);
    this.followUps.push(() => this.runStoredListeners(message).catch((error: unknown) => this.deps.onQueueError?.(error, message)));
    return message;
  }
}
