import { AppError, formatInternational, type PendingSend } from '@switchboard/shared';
import { confirmSendCard } from './cards';
import type { ActionContext, ActionOutcome } from './context';
import { focusedConversation, labelOf, NO_CONVERSATION, resolveRecipient, type Recipient } from './recipient';

/** A refusal of the service layer (opted out, no number, invalid number...), in its own plain words. */
export function explain(error: unknown): string {
  if (error instanceof AppError) return error.message;
  throw error;
}

/**
 * Accepts the SMS (the service checks the number, the recipient, opt-outs and length),
 * then makes this conversation the chat's focus.
 */
export async function deliver(ctx: ActionContext, to: { number: string; name: string | null }, text: string, from?: string): Promise<ActionOutcome> {
  const { enterpriseId, userId, name } = ctx.user;
  const label = labelOf(to);
  try {
    // The chat posts a confirmation card for it (see SentConfirmations).
    const message = await ctx.services.outboundSms.send({ enterpriseId, userId, name, teamsConfirmation: true }, { ...(from ? { from } : {}), to: to.number, body: text, media: [] });
    await ctx.services.chatFocus.focus(enterpriseId, userId, { enterpriseNumber: message.from, externalNumber: message.to });
    return { text: `Sent to ${label} from ${formatInternational(message.from)}.`, sent: { message, to: { ...(to.name ? { name: to.name } : {}), number: message.to } } };
  } catch (error) {
    return { text: `I couldn't send that to ${label}: ${explain(error)}` };
  }
}

/**
 * send_sms(to, text): to a number, a contact or "this customer". A recipient the user
 * has never texted (no conversation on any of their numbers) is asked about first.
 */
export async function sendSms(ctx: ActionContext, args: { to: string; text: string }): Promise<ActionOutcome> {
  const resolved = await resolveRecipient(ctx, args.to);
  if (!resolved.ok) return { text: resolved.text };
  const recipient = resolved.value;
  if (recipient.conversation) return deliver(ctx, recipient, args.text, recipient.conversation.enterpriseNumber);
  return askFirst(ctx, recipient, args.text);
}

async function askFirst(ctx: ActionContext, recipient: Recipient, text: string): Promise<ActionOutcome> {
  const { enterpriseId, userId } = ctx.user;
  const numbers = await ctx.services.outboundSms.numbersOf(enterpriseId, userId);
  // Nothing to confirm when nothing could be sent: say why at once.
  if (numbers.length === 0) return { text: `I couldn't send that to ${labelOf(recipient)}: You have no SMS number to send from. Ask your admin to assign you one (Users page, SMS User Configuration).` };
  // With several numbers, the one of the conversation in focus (what the user is working on), else their first.
  const focus = numbers.length > 1 ? await focusedConversation(ctx) : undefined;
  const from = focus && numbers.includes(focus.enterpriseNumber) ? focus.enterpriseNumber : numbers[0]!;
  const pending = await ctx.services.chatFocus.setPending(enterpriseId, userId, { to: recipient.number, toName: recipient.name, from, text });
  const label = labelOf(recipient);
  const via = numbers.length > 1 ? ` from ${formatInternational(from)}` : '';
  return { text: `You haven't texted ${label} before. Send "${text}" to them${via}? Answer yes or no.`, card: confirmSendCard(pending, label, via) };
}

/** The user said yes (typed, or the card's Send): sends what waited, once. */
export async function confirmPending(ctx: ActionContext, pendingId?: string): Promise<ActionOutcome | undefined> {
  const pending = await ctx.services.chatFocus.takePending(ctx.user.enterpriseId, ctx.user.userId, pendingId);
  if (!pending) return pendingId ? { text: 'That message was already sent or cancelled, or it waited too long (15 minutes). Send it again if you still want to.' } : undefined;
  return deliver(ctx, { number: pending.to, name: pending.toName }, pending.text, pending.from ?? undefined);
}

export async function cancelPending(ctx: ActionContext, pendingId?: string): Promise<ActionOutcome | undefined> {
  const pending: PendingSend | undefined = await ctx.services.chatFocus.takePending(ctx.user.enterpriseId, ctx.user.userId, pendingId);
  if (!pending) return pendingId ? { text: 'Nothing is waiting to be sent.' } : undefined;
  return { text: `Cancelled: nothing was sent to ${labelOf({ number: pending.to, name: pending.toName })}.` };
}

/** reply(text): to the conversation the user is in or last touched. */
export async function reply(ctx: ActionContext, args: { text: string }): Promise<ActionOutcome> {
  const conversation = await focusedConversation(ctx);
  if (!conversation) return { text: `There is nobody to reply to. ${NO_CONVERSATION}` };
  const name = (await ctx.services.contacts.nameOf(ctx.user.enterpriseId, ctx.user.userId, conversation.externalNumber)) ?? null;
  return deliver(ctx, { number: conversation.externalNumber, name }, args.text, conversation.enterpriseNumber);
}

/** A card's Reply: to that very conversation (the service checks the user may use its number). */
export async function replyTo(ctx: ActionContext, conversation: { enterpriseNumber: string; externalNumber: string }, text: string): Promise<ActionOutcome> {
  const name = (await ctx.services.contacts.nameOf(ctx.user.enterpriseId, ctx.user.userId, conversation.externalNumber)) ?? null;
  return deliver(ctx, { number: conversation.externalNumber, name }, text, conversation.enterpriseNumber);
}
