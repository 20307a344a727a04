import { checkPhoneNumber, conversationIdOf, digitsOf, fold, formatInternational } from '@switchboard/shared';
import { defaultCountryOf, principalOf, type ActionContext } from './context';

/** "this customer", "them", "her": the conversation the user is in or last touched. */
export const THIS_CUSTOMER = 'this customer';
const FOCUS_WORDS = /^(?:(?:this|that|the|same|current|my last)\s+(?:customer|client|person|number|contact|conversation|chat|thread|one)|them|they|him|her|it|this|that|the last one|last person)$/i;

export function meansThisCustomer(who: string | undefined): boolean {
  const text = (who ?? '').trim().replace(/[.!?]+$/, '');
  return text === '' || FOCUS_WORDS.test(text);
}

/** Looks like a phone number rather than a name: phone punctuation and at least 7 digits. */
export function looksLikeNumber(text: string): boolean {
  return /^[+\d\s().\-/]+$/.test(text.trim()) && digitsOf(text).length >= 7;
}

/** A conversation of the user's, by its two ends. */
export interface ConversationRef {
  enterpriseNumber: string;
  externalNumber: string;
}

/** Who an action is about: a number, the name the user knows it by, and the conversation with them when there is one. */
export interface Recipient {
  number: string;
  name: string | null;
  conversation: ConversationRef | null;
}

export type Resolved<T> = { ok: true; value: T } | { ok: false; text: string };

/** "Jane Doe (+1 425 555 0101)" or "+1 425 555 0101". */
export function labelOf(recipient: { number: string; name?: string | null }): string {
  const display = formatInternational(recipient.number);
  return recipient.name ? `${recipient.name} (${display})` : display;
}

/**
 * The conversation the user is in or last touched: the one they focused (a card's
 * Reply or Show conversation, their last send) unless a newer message arrived in
 * another of their conversations since.
 */
export async function focusedConversation(ctx: ActionContext): Promise<ConversationRef | undefined> {
  const { enterpriseId, userId } = ctx.user;
  const [focus, latest] = await Promise.all([
    ctx.services.chatFocus.get(enterpriseId, userId),
    ctx.services.conversations.list(principalOf(ctx.user), enterpriseId, { scope: 'mine', pageSize: 1 }),
  ]);
  const newest = latest.items[0];
  const focused = focus?.enterpriseNumber && focus.externalNumber && focus.focusedAt ? { enterpriseNumber: focus.enterpriseNumber, externalNumber: focus.externalNumber, at: focus.focusedAt } : undefined;
  if (focused && (!newest || focused.at >= newest.lastMessageAt)) return { enterpriseNumber: focused.enterpriseNumber, externalNumber: focused.externalNumber };
  return newest ? { enterpriseNumber: newest.enterpriseNumber, externalNumber: newest.externalNumber } : undefined;
}

/** The user's most recent conversation with this number, across the numbers they may use. */
export async function conversationWith(ctx: ActionContext, externalNumber: string): Promise<ConversationRef | undefined> {
  const { enterpriseId, userId } = ctx.user;
  const numbers = await ctx.services.outboundSms.numbersOf(enterpriseId, userId);
  if (numbers.length === 0) return undefined;
  const rows = await Promise.all(numbers.map((n) => ctx.services.conversations.repository.get(enterpriseId, conversationIdOf(n, externalNumber))));
  const newest = rows
    .flatMap((row) => (row ? [row.value] : []))
    .sort((a, b) => b.lastMessageAt.localeCompare(a.lastMessageAt))[0];
  return newest ? { enterpriseNumber: newest.enterpriseNumber, externalNumber: newest.externalNumber } : undefined;
}

export const NO_CONVERSATION =
  'You have no conversation yet. Start one with a number and your message, e.g. "text +1 425 555 0100 Hello", or wait for a customer to text you.';

/**
 * Finds who the user means: "this customer" (and pronouns), a phone number in any
 * usual format, or a contact name (their personal contacts first, then the enterprise's).
 */
export async function resolveRecipient(ctx: ActionContext, who: string | undefined): Promise<Resolved<Recipient>> {
  const { enterpriseId, userId } = ctx.user;
  const text = (who ?? '').trim().replace(/[.!?]+$/, '');
  if (meansThisCustomer(text)) {
    const conversation = await focusedConversation(ctx);
    if (!conversation) return { ok: false, text: `I don't know who "${text || THIS_CUSTOMER}" is: ${NO_CONVERSATION}` };
    const name = (await ctx.services.contacts.nameOf(enterpriseId, userId, conversation.externalNumber)) ?? null;
    return { ok: true, value: { number: conversation.externalNumber, name, conversation } };
  }
  if (looksLikeNumber(text)) {
    const checked = checkPhoneNumber(text, await defaultCountryOf(ctx));
    if (!checked.ok) return { ok: false, text: `I can't text that number: ${checked.problem}` };
    const number = checked.e164!;
    const [name, conversation] = await Promise.all([ctx.services.contacts.nameOf(enterpriseId, userId, number), conversationWith(ctx, number)]);
    return { ok: true, value: { number, name: name ?? null, conversation: conversation ?? null } };
  }
  const matches = await ctx.services.contacts.find(enterpriseId, userId, text);
  if (matches.length === 0) {
    return { ok: false, text: `I don't have a contact called "${text}". Use their number, or save them first, e.g. "save ${text} +1 425 555 0100".` };
  }
  const exact = matches.filter((m) => fold(m.name) === fold(text));
  const numbers = new Set((exact.length > 0 ? exact : matches).map((m) => m.number));
  if (numbers.size > 1) {
    const options = (exact.length > 0 ? exact : matches).slice(0, 5).map((m) => labelOf(m));
    return { ok: false, text: `More than one contact matches "${text}": ${options.join(', ')}. Say the full name or the number.` };
  }
  const match = (exact[0] ?? matches[0])!;
  const conversation = await conversationWith(ctx, match.number);
  return { ok: true, value: { number: match.number, name: match.name, conversation: conversation ?? null } };
}
