import { checkPhoneNumber, ConflictError, digitsOf, formatInternational } from '@switchboard/shared';
import { defaultCountryOf, principalOf, type ActionContext, type ActionOutcome } from './context';
import { explain } from './send';
import { focusedConversation, meansThisCustomer, NO_CONVERSATION } from './recipient';

/** find_contact(name): personal and enterprise contacts whose name matches, best first. */
export async function findContact(ctx: ActionContext, args: { name: string }): Promise<ActionOutcome> {
  const matches = await ctx.services.contacts.find(ctx.user.enterpriseId, ctx.user.userId, args.name, 5);
  if (matches.length === 0) return { text: `No contact matches "${args.name}". Save one with e.g. "save ${args.name} +1 425 555 0100".` };
  const lines = matches.map((m) => `${m.name}: ${formatInternational(m.number)}${m.scope === 'enterprise' ? ' (company contact)' : ''}`);
  return { text: matches.length === 1 ? lines[0]! : `Contacts matching "${args.name}":\n\n${lines.map((l) => `- ${l}`).join('\n')}` };
}

/**
 * save_contact(name, number): a personal contact. A number already saved is renamed
 * (with the ETag read, so a concurrent change is not overwritten).
 */
export async function saveContact(ctx: ActionContext, args: { name: string; number: string }): Promise<ActionOutcome> {
  const { enterpriseId } = ctx.user;
  const principal = principalOf(ctx.user);
  let number: string;
  if (meansThisCustomer(args.number)) {
    const conversation = await focusedConversation(ctx);
    if (!conversation) return { text: `Which number? ${NO_CONVERSATION}` };
    number = conversation.externalNumber;
  } else {
    const checked = checkPhoneNumber(args.number, await defaultCountryOf(ctx));
    if (!checked.ok) return { text: `I can't save that number: ${checked.problem}` };
    number = checked.e164!;
  }
  try {
    try {
      const saved = await ctx.services.contacts.save(principal, enterpriseId, { name: args.name, number, scope: 'personal' });
      return { text: `Saved ${saved.name}: ${saved.display}.` };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const existing = (await ctx.services.contacts.list(principal, enterpriseId, { scope: 'personal', q: digitsOf(number) })).items.find((c) => c.number === number);
      if (!existing) throw error;
      const saved = await ctx.services.contacts.save(principal, enterpriseId, { name: args.name, number, scope: 'personal' }, existing.etag);
      return { text: existing.name === saved.name ? `${saved.display} is already saved as ${saved.name}.` : `Renamed ${saved.display} from ${existing.name} to ${saved.name}.` };
    }
  } catch (error) {
    return { text: `I couldn't save that contact: ${explain(error)}` };
  }
}
