import type { Attachment } from 'botbuilder';
import { countryOf, type Principal, type Services, type SmsMessage } from '@switchboard/shared';

/** The Teams user an action runs for, resolved from the activity (tenant → enterprise, Entra id → user). */
export interface ChatUser {
  enterpriseId: string;
  userId: string;
  name: string;
  tenantId: string;
}

/** What every action gets: the service layer and who asked. */
export interface ActionContext {
  services: Services;
  user: ChatUser;
}

/**
 * What an action did, for the chat to show. `text` always says it in words (the
 * parser path shows it; the planner hands it to the model); `card` is shown as is;
 * `sent` is a message accepted for sending, shown as a sent confirmation that
 * follows its delivery status.
 */
export interface ActionOutcome {
  text: string;
  card?: Attachment;
  sent?: { message: SmsMessage; to: { name?: string; number: string } };
}

/** The services check access against a principal: a Teams user of the enterprise reads as a user, never as an admin. */
export function principalOf(user: ChatUser): Principal {
  return { userId: user.userId, name: user.name, tenantId: user.tenantId, role: 'user', enterpriseId: user.enterpriseId };
}

/** People type national numbers ("425-555-0101"): read them in the country of the user's own number (US when unknown). */
export async function defaultCountryOf(ctx: ActionContext): Promise<NonNullable<ReturnType<typeof countryOf>>> {
  const numbers = await ctx.services.outboundSms.numbersOf(ctx.user.enterpriseId, ctx.user.userId);
  for (const number of numbers) {
    const country = countryOf(number);
    if (country) return country;
  }
  return 'US';
}
