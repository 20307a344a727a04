import { CardFactory, type Attachment } from 'botbuilder';
import { formatInternational, type ConversationView, type MessageView, type PendingSend } from '@switchboard/shared';
import { REPLY_INPUT_ID } from '../cards/card-actions';
import { CONFIRM_SEND_ACTION } from './confirm-action';

/** Adaptive Cards the chat actions answer with (schema 1.5, as Teams renders). */
const card = (body: unknown[], actions: unknown[] = []): Attachment =>
  CardFactory.adaptiveCard({ type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.5', body, ...(actions.length > 0 ? { actions } : {}) });

const when = (iso: string) => `{{DATE(${iso.replace(/\.\d+Z$/, 'Z')}, SHORT)}} {{TIME(${iso.replace(/\.\d+Z$/, 'Z')})}}`;

const nameOf = (c: Pick<ConversationView, 'contactName' | 'externalNumber'>) => c.contactName ?? formatInternational(c.externalNumber);

/** The user's conversations, newest first, each with a button that opens it. */
export function conversationListCard(items: readonly ConversationView[]): Attachment {
  return card([
    { type: 'TextBlock', text: 'Your recent conversations', weight: 'Bolder', size: 'Medium' },
    ...items.map((c) => ({
      type: 'Container',
      separator: true,
      selectAction: { type: 'Action.Submit', data: { switchboard: 'showConversation', enterpriseNumber: c.enterpriseNumber, externalNumber: c.externalNumber } },
      items: [
        { type: 'TextBlock', text: `**${nameOf(c)}**${c.contactName ? ` ${formatInternational(c.externalNumber)}` : ''}${c.unreadCount > 0 ? ` · ${c.unreadCount} unread` : ''}`, wrap: true },
        { type: 'TextBlock', text: `${c.lastDirection === 'inbound' ? '' : 'You: '}${c.lastPreview}`, wrap: true, isSubtle: true, maxLines: 2 },
        { type: 'TextBlock', text: `${when(c.lastMessageAt)} · on ${formatInternational(c.enterpriseNumber)}`, isSubtle: true, size: 'Small', spacing: 'None' },
      ],
    })),
  ]);
}

/** One conversation's latest messages, oldest first like a chat, with a reply box. */
export function historyCard(conversation: ConversationView, messages: readonly MessageView[]): Attachment {
  const ordered = [...messages].reverse();
  return card(
    [
      { type: 'TextBlock', text: `Conversation with ${nameOf(conversation)}`, weight: 'Bolder', size: 'Medium', wrap: true },
      { type: 'TextBlock', text: `${formatInternational(conversation.externalNumber)} on ${formatInternational(conversation.enterpriseNumber)}`, isSubtle: true, spacing: 'None' },
      ...ordered.map((m) => ({
        type: 'Container',
        separator: true,
        horizontalAlignment: m.direction === 'inbound' ? 'Left' : 'Right',
        items: [
          { type: 'TextBlock', text: m.body || (m.media.length > 0 ? '[media]' : ''), wrap: true, horizontalAlignment: m.direction === 'inbound' ? 'Left' : 'Right' },
          {
            type: 'TextBlock',
            text: `${m.direction === 'inbound' ? nameOf(conversation) : (m.sentByName ?? 'Automatic reply')} · ${when(m.createdAt)}${m.direction === 'outbound' ? ` · ${m.status}` : ''}`,
            isSubtle: true,
            size: 'Small',
            spacing: 'None',
            horizontalAlignment: m.direction === 'inbound' ? 'Left' : 'Right',
          },
        ],
      })),
      { type: 'Input.Text', id: REPLY_INPUT_ID, placeholder: 'Reply by SMS', isMultiline: true, maxLength: 1600 },
    ],
    [{ type: 'Action.Submit', title: 'Reply', data: { switchboard: 'reply', enterpriseNumber: conversation.enterpriseNumber, externalNumber: conversation.externalNumber } }],
  );
}

/** Asks before texting someone the user never texted. */
export function confirmSendCard(pending: PendingSend, label: string, via = ''): Attachment {
  return card(
    [
      { type: 'TextBlock', text: `You haven't texted ${label} before. Send this${via}?`, wrap: true, weight: 'Bolder' },
      { type: 'TextBlock', text: pending.text, wrap: true },
      { type: 'TextBlock', text: 'You can also answer "yes" or "no".', isSubtle: true, size: 'Small', wrap: true },
    ],
    [
      { type: 'Action.Submit', title: 'Send', style: 'positive', data: { switchboard: CONFIRM_SEND_ACTION, pendingId: pending.id, answer: 'send' } },
      { type: 'Action.Submit', title: 'Cancel', data: { switchboard: CONFIRM_SEND_ACTION, pendingId: pending.id, answer: 'cancel' } },
    ],
  );
}
