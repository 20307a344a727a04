import { CardFactory, type Attachment } from 'botbuilder';
import { formatInternational } from '@switchboard/shared';
import { CARD_SCHEMA, CARD_VERSION, localTime, who } from './card-format';

/** What the confirmation shows: the message's status, or that it was given up. */
export type ShownStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'dead-lettered';

export interface ConfirmationCardInput {
  to: { name?: string | null; number: string };
  from: string;
  body: string;
  status: ShownStatus;
  /** Why it failed, was not delivered or was given up, in words. */
  reason?: string | null;
  attempts?: number;
  at: string;
}

const HEADLINE: Record<ShownStatus, string> = {
  queued: 'Sending to',
  sending: 'Sending to',
  sent: 'Sent to',
  delivered: 'Delivered to',
  undelivered: 'Not delivered to',
  failed: 'Could not send to',
  'dead-lettered': 'Could not send to',
};

const STATUS_LINE: Record<ShownStatus, string> = {
  queued: 'Queued',
  sending: 'Sending',
  sent: 'Sent, waiting for the carrier to confirm delivery',
  delivered: 'Delivered',
  undelivered: 'Not delivered',
  failed: 'Failed',
  'dead-lettered': 'Not sent',
};

export function confirmationHeadline(input: Pick<ConfirmationCardInput, 'to' | 'status'>): string {
  return `${HEADLINE[input.status]} ${who(input.to.number, input.to.name)}`;
}

/** The status line, with the reason when there is one. */
export function confirmationStatusText(input: Pick<ConfirmationCardInput, 'status' | 'reason' | 'attempts'>): string {
  if (input.status === 'dead-lettered') {
    const tries = input.attempts ? ` after ${input.attempts} attempts` : '';
    return `Not sent: we gave up${tries}. ${input.reason ?? 'The carrier did not accept the message.'} Try again later, or ask your admin.`;
  }
  const line = STATUS_LINE[input.status];
  return input.reason && (input.status === 'failed' || input.status === 'undelivered') ? `${line}: ${input.reason}` : line;
}

/** "Sent to Jane Doe +1 555 …" after a send, updated as its status moves on. */
export function confirmationCard(input: ConfirmationCardInput): Attachment {
  const bad = input.status === 'failed' || input.status === 'undelivered' || input.status === 'dead-lettered';
  return CardFactory.adaptiveCard({
    $schema: CARD_SCHEMA,
    type: 'AdaptiveCard',
    version: CARD_VERSION,
    body: [
      { type: 'TextBlock', text: confirmationHeadline(input), weight: 'Bolder', wrap: true },
      ...(input.body !== '' ? [{ type: 'TextBlock', text: input.body, wrap: true, isSubtle: true }] : []),
      { type: 'TextBlock', text: confirmationStatusText(input), wrap: true, color: bad ? 'Attention' : input.status === 'delivered' ? 'Good' : 'Default' },
      { type: 'TextBlock', text: `From ${formatInternational(input.from)} · ${localTime(input.at)}`, isSubtle: true, size: 'Small', wrap: true },
    ],
  });
}
