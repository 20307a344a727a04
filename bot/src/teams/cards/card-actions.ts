import { z } from 'zod';

/**
 * The data our Adaptive Cards' Action.Submit buttons carry back to the bot. The
 * cards that render them and the handlers that receive them both use these schemas,
 * so a button and its handler cannot drift apart. `switchboard` names the action.
 */
export const REPLY_INPUT_ID = 'replyText';
export const CONTACT_NAME_INPUT_ID = 'contactName';

export const replyActionSchema = z.object({
  switchboard: z.literal('reply'),
  /** The enterprise number the conversation is on. */
  enterpriseNumber: z.string(),
  /** The customer's number. */
  externalNumber: z.string(),
  [REPLY_INPUT_ID]: z.string().optional(),
});

export const showConversationActionSchema = z.object({
  switchboard: z.literal('showConversation'),
  enterpriseNumber: z.string(),
  externalNumber: z.string(),
});

export const saveContactActionSchema = z.object({
  switchboard: z.literal('saveContact'),
  externalNumber: z.string(),
  [CONTACT_NAME_INPUT_ID]: z.string().optional(),
});

export const cardActionSchema = z.discriminatedUnion('switchboard', [replyActionSchema, showConversationActionSchema, saveContactActionSchema]);
export type CardAction = z.infer<typeof cardActionSchema>;
