import { MessageFactory, type TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import { ConflictError, deliveryRank, messageRef, type Services, type SentConfirmationRecord, type SmsMessage } from '@switchboard/shared';
import { confirmationCard, confirmationHeadline, confirmationStatusText, type ShownStatus } from '../cards/confirmation-card';
import { tenantIdOf } from '../teams-user';
import { teamsReferenceOf, type TeamsPoster } from './teams-poster';

/** Whom a message went to, as the confirmation names them. */
export interface ConfirmationRecipient {
  name?: string;
  number: string;
}

/** What the card shows for a message now. */
export function shownStatusOf(message: Pick<SmsMessage, 'status' | 'deadLetteredAt'>): ShownStatus {
  if (message.deadLetteredAt) return 'dead-lettered';
  const status = message.status;
  return status === 'sending' || status === 'sent' || status === 'delivered' || status === 'undelivered' || status === 'failed' ? status : 'queued';
}

/** Later statuses replace earlier ones, never the other way (reports arrive late and twice). */
const rankOf = (status: string) => (status === 'dead-lettered' ? 4 : deliveryRank(status));

function cardActivity(message: SmsMessage, to: ConfirmationRecipient, status: ShownStatus) {
  const input = { to, from: message.from, body: message.body, status, reason: message.failureReason ?? (message.errorCode ? `carrier error ${message.errorCode}` : null), attempts: message.attempts, at: message.createdAt };
  const activity = MessageFactory.attachment(confirmationCard(input));
  activity.summary = `${confirmationHeadline(input)}: ${confirmationStatusText(input)}`;
  return activity;
}

/**
 * The "Sent to Jane Doe +1 555 …" card after a Teams user sends an SMS: posted in the
 * turn, remembered per message (conversation and activity id, durably), and updated
 * in place as the message is sent, delivered, fails or is given up.
 */
export class SentConfirmations {
  /** Updates of one message run one after another, so an older status never lands last. */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly deps: { services: Services; poster: TeamsPoster; logger: Logger }) {}

  /** Listens to status changes (the worker's and the carriers' reports). Call once. */
  start(): void {
    const { services } = this.deps;
    services.outboundSms.onChange((message) => this.onStatus(message));
    services.inboundSms.onStatus((message) => this.onStatus(message));
  }

  /**
   * Posts the confirmation of `message` (just accepted by OutboundSms) into the turn's
   * conversation, and keeps it up to date from then on.
   */
  async post(context: TurnContext, message: SmsMessage, to: { name?: string; number: string }): Promise<void> {
    const tenantId = tenantIdOf(context.activity) ?? '';
    const reference = teamsReferenceOf(context.activity, tenantId);
    const status = shownStatusOf(message);
    const done = await this.deps.poster.pacer.reserve(reference.conversationId, tenantId);
    let response;
    try {
      response = await context.sendActivity(cardActivity(message, to, status));
    } finally {
      done();
    }
    if (!response?.id) return;
    const record: SentConfirmationRecord = {
      enterpriseId: message.enterpriseId,
      messageId: message.id,
      reference,
      activityId: response.id,
      toName: to.name ?? null,
      toNumber: to.number,
      shownStatus: status,
      updatedAt: new Date().toISOString(),
    };
    try {
      await this.deps.services.teams.confirmations.create(record);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
    // The status may have moved on while the card was being posted.
    const now = (await this.deps.services.messages.get(message.enterpriseId, message.id))?.value;
    if (now) await this.onStatus(now);
  }

  /** Brings the message's confirmation card (if there is one) up to its status. */
  onStatus(message: SmsMessage): Promise<void> {
    // Only sends from a Teams chat have a card: the others need no look-up.
    if (message.direction !== 'outbound' || !message.teamsConfirmation) return Promise.resolve();
    const key = messageRef(message);
    const next = (this.chains.get(key) ?? Promise.resolve()).then(() => this.update(message)).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, enterpriseId: message.enterpriseId, messageId: message.id }, 'updating a sent confirmation in Teams failed');
    });
    this.chains.set(key, next);
    void next.finally(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
    return next;
  }

  private async update(message: SmsMessage): Promise<void> {
    const repository = this.deps.services.teams.confirmations;
    const stored = await repository.get(message.enterpriseId, message.id);
    if (!stored) return;
    // Status listeners may hand over a copy older than the row: read the message itself.
    const latest = (await this.deps.services.messages.get(message.enterpriseId, message.id))?.value ?? message;
    const status = shownStatusOf(latest);
    if (rankOf(status) <= rankOf(stored.value.shownStatus)) return;
    const record = stored.value;
    await this.deps.poster.update(record.reference, record.activityId, cardActivity(latest, { ...(record.toName ? { name: record.toName } : {}), number: record.toNumber }, status));
    try {
      await repository.update(stored, { ...record, shownStatus: status, updatedAt: new Date().toISOString() });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error; // another process updated it: the card shows at least this
    }
  }

  /** Resolves when the updates started so far are done (tests, shutdown). */
  async settleAll(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }
}
