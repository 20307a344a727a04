import { z } from 'zod';

/** The Send / Cancel buttons of the card that asks before texting a new recipient. */
export const CONFIRM_SEND_ACTION = 'confirmSend';

export const confirmSendActionSchema = z.object({
  switchboard: z.literal(CONFIRM_SEND_ACTION),
  pendingId: z.string().min(1),
  answer: z.enum(['send', 'cancel']),
});
export type ConfirmSendAction = z.infer<typeof confirmSendActionSchema>;
