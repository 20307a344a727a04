import { z } from 'zod';
import type { ActionContext, ActionOutcome } from './context';
import { findContact, saveContact } from './contacts';
import { listConversations, optOutStatus, showConversation } from './conversations';
import { reply, sendSms } from './send';

export * from './context';
export * from './confirm-action';
export { cancelPending, confirmPending, replyTo } from './send';
export { showHistory } from './conversations';
export { THIS_CUSTOMER, meansThisCustomer, looksLikeNumber } from './recipient';

const text = z.string().trim().min(1, 'say what to send').max(1600, 'a text has at most 1600 characters');
const who = z.string().trim().max(100).optional();

/**
 * The chat's actions, one schema each: the deterministic parser produces these
 * arguments, the planner's tools are declared with the same names (prompts/chat/actions.json),
 * and both run them through `runAction`.
 */
export const actionSchemas = {
  send_sms: z.object({ to: z.string().trim().min(1, 'say who to text'), text }),
  reply: z.object({ text }),
  find_contact: z.object({ name: z.string().trim().min(1, 'say whose contact to find') }),
  save_contact: z.object({ name: z.string().trim().min(1, 'say what to call the contact'), number: z.string().trim().min(1, 'say which number to save') }),
  list_conversations: z.object({}),
  show_conversation: z.object({ who }),
  opt_out_status: z.object({ who }),
} as const;

export type ActionName = keyof typeof actionSchemas;
export const ACTION_NAMES = Object.keys(actionSchemas) as ActionName[];
export type ActionArgs<N extends ActionName> = z.infer<(typeof actionSchemas)[N]>;

export function isActionName(name: string): name is ActionName {
  return Object.prototype.hasOwnProperty.call(actionSchemas, name);
}

/** Runs an action by name with unchecked arguments (from the parser or a model's tool call). */
export async function runAction(ctx: ActionContext, name: string, args: unknown): Promise<ActionOutcome> {
  if (!isActionName(name)) return { text: `I have no action called "${name}".` };
  const parsed = actionSchemas[name].safeParse(args ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { text: `I couldn't do that: ${issue.path.join('.') || name}: ${issue.message}.` };
  }
  const a = parsed.data as Record<string, string>;
  switch (name) {
    case 'send_sms':
      return sendSms(ctx, { to: a.to!, text: a.text! });
    case 'reply':
      return reply(ctx, { text: a.text! });
    case 'find_contact':
      return findContact(ctx, { name: a.name! });
    case 'save_contact':
      return saveContact(ctx, { name: a.name!, number: a.number! });
    case 'list_conversations':
      return listConversations(ctx);
    case 'show_conversation':
      return showConversation(ctx, { who: a.who });
    case 'opt_out_status':
      return optOutStatus(ctx, { who: a.who });
  }
}

export const HELP_TEXT = [
  'I send and receive your business texts. Things you can say:',
  '- **text +1 425 555 0100 Hello** (or "sms Jane: running late", "tell this customer we are on our way")',
  '- **reply: on my way**, or just type your message: it goes to the conversation you are in or last touched',
  '- **find Jane**, **save Jane Doe +1 425 555 0100**',
  '- **list conversations**, **show conversation with Jane**',
  '- **has Jane opted out?**',
  'Use the Reply button on a message card to answer that customer.',
].join('\n\n');
