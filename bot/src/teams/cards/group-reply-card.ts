import { CardFactory, type Attachment } from 'botbuilder';
import { formatInternational } from '@switchboard/shared';
import type { CardAction } from './card-actions';
import { CARD_SCHEMA, CARD_VERSION, localTime, who } from './card-format';

export interface GroupReplyCardInput {
  /** The member who sent it. */
  senderName: string;
  /** The customer and, when saved, their name. */
  to: string;
  contactName?: string | null;
  /** The group's number and name. */
  from: string;
  groupName?: string | null;
  body: string;
  mediaCount: number;
  sentAt: string;
}

/** What one member of an SMS group sent, shown to the other members: "Jane replied to +1 …: text". */
export function groupReplyCard(input: GroupReplyCardInput): Attachment {
  const show: CardAction = { switchboard: 'showConversation', enterpriseNumber: input.from, externalNumber: input.to };
  const group = input.groupName ? `${input.groupName} ${formatInternational(input.from)}` : formatInternational(input.from);
  return CardFactory.adaptiveCard({
    $schema: CARD_SCHEMA,
    type: 'AdaptiveCard',
    version: CARD_VERSION,
    body: [
      { type: 'TextBlock', text: `${input.senderName} replied to ${who(input.to, input.contactName)}`, weight: 'Bolder', wrap: true },
      ...(input.body !== '' ? [{ type: 'TextBlock', text: input.body, wrap: true }] : []),
      ...(input.mediaCount > 0 ? [{ type: 'TextBlock', text: `${input.mediaCount} attachment${input.mediaCount === 1 ? '' : 's'}`, isSubtle: true, wrap: true }] : []),
      { type: 'TextBlock', text: `From ${group} · ${localTime(input.sentAt)}`, isSubtle: true, size: 'Small', wrap: true },
    ],
    actions: [{ type: 'Action.Submit', title: 'Show conversation', data: show }],
  });
}

export function groupReplySummary(input: Pick<GroupReplyCardInput, 'senderName' | 'to' | 'contactName' | 'body'>): string {
  return `${input.senderName} replied to ${who(input.to, input.contactName)}: ${input.body.length > 100 ? `${input.body.slice(0, 99)}…` : input.body}`;
}
