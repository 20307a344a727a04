import { conversationIdOf, formatInternational, OptedOutError } from '@switchboard/shared';
import { conversationListCard, historyCard } from './cards';
import { principalOf, type ActionContext, type ActionOutcome } from './context';
import { explain } from './send';
import { labelOf, NO_CONVERSATION, resolveRecipient } from './recipient';

const LIST_SIZE = 10;
const HISTORY_SIZE = 10;

/** list_conversations(): the user's conversations on their numbers, newest first. */
export async function listConversations(ctx: ActionContext): Promise<ActionOutcome> {
  const page = await ctx.services.conversations.list(principalOf(ctx.user), ctx.user.enterpriseId, { scope: 'mine', pageSize: LIST_SIZE });
  if (page.items.length === 0) return { text: NO_CONVERSATION };
  const lines = page.items.map((c) => `${labelOf({ number: c.externalNumber, name: c.contactName })}: "${c.lastPreview}"${c.unreadCount > 0 ? ` (${c.unreadCount} unread)` : ''}`);
  return { text: `Your recent conversations:\n\n${lines.map((l) => `- ${l}`).join('\n')}`, card: conversationListCard(page.items) };
}

/** show_conversation(who): the latest messages with them; the conversation becomes the chat's focus. */
export async function showConversation(ctx: ActionContext, args: { who?: string | undefined }): Promise<ActionOutcome> {
  const resolved = await resolveRecipient(ctx, args.who);
  if (!resolved.ok) return { text: resolved.text };
  const { conversation } = resolved.value;
  if (!conversation) return { text: `You have no conversation with ${labelOf(resolved.value)} yet. Start one with "text ${resolved.value.name ?? formatInternational(resolved.value.number)}: your message".` };
  return showHistory(ctx, conversation);
}

export async function showHistory(ctx: ActionContext, conversation: { enterpriseNumber: string; externalNumber: string }): Promise<ActionOutcome> {
  const { enterpriseId, userId } = ctx.user;
  try {
    const page = await ctx.services.conversations.history(principalOf(ctx.user), enterpriseId, conversationIdOf(conversation.enterpriseNumber, conversation.externalNumber), { pageSize: HISTORY_SIZE });
    await ctx.services.chatFocus.focus(enterpriseId, userId, conversation);
    await ctx.services.conversations.markRead(principalOf(ctx.user), enterpriseId, page.conversation.id);
    const label = labelOf({ number: page.conversation.externalNumber, name: page.conversation.contactName });
    const lines = [...page.items].reverse().map((m) => `${m.direction === 'inbound' ? 'They' : (m.sentByName ?? 'Automatic reply')}: ${m.body || '[media]'}`);
    return { text: `Conversation with ${label}:\n\n${lines.map((l) => `- ${l}`).join('\n')}`, card: historyCard(page.conversation, page.items) };
  } catch (error) {
    return { text: `I can't show that conversation: ${explain(error)}` };
  }
}

/** opt_out_status(who): whether they said STOP to any number the user texts from. */
export async function optOutStatus(ctx: ActionContext, args: { who?: string | undefined }): Promise<ActionOutcome> {
  const resolved = await resolveRecipient(ctx, args.who);
  if (!resolved.ok) return { text: resolved.text };
  const { enterpriseId, userId } = ctx.user;
  const label = labelOf(resolved.value);
  const numbers = await ctx.services.outboundSms.numbersOf(enterpriseId, userId);
  if (numbers.length === 0) return { text: `You have no SMS number, so nobody can be texted from you. Ask your admin to assign you one.` };
  const enterprise = await ctx.services.enterpriseRepository.byId(enterpriseId);
  const states = await Promise.all(numbers.map((n) => ctx.services.optOuts.isBlocked(enterpriseId, n, resolved.value.number)));
  const reasons = [...new Set(states.flatMap((s) => (s.optOut ? [OptedOutError.describe(s.optOut, enterprise?.value.settings.timeZone)] : [])))];
  if (reasons.length === 0) return { text: `${label} has not opted out: you may text them from ${numbers.map(formatInternational).join(', ')}.` };
  const open = numbers.filter((_, i) => !states[i]!.blocked);
  return { text: `${label} has opted out. ${reasons.join(' ')}${open.length > 0 ? ` You may still text them from ${open.map(formatInternational).join(', ')}.` : ''}` };
}
