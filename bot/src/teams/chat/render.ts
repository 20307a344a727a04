import { MessageFactory, type TurnContext } from 'botbuilder';
import type { SmsMessage } from '@switchboard/shared';
import type { ActionOutcome } from '../actions';

/** Posts the "Sent to …" card of an accepted message and keeps it updated with its delivery status. */
export interface SentConfirmationPoster {
  post(context: TurnContext, message: SmsMessage, to: { name?: string; number: string }): Promise<void>;
}

/**
 * Shows an action's outcome in the chat: a sent confirmation for a send, else its
 * card, else its text. `withText: false` (the planner path) leaves the words to the model.
 */
export async function showOutcome(context: TurnContext, outcome: ActionOutcome, confirmations: SentConfirmationPoster, options: { withText: boolean }): Promise<void> {
  if (outcome.sent) {
    await confirmations.post(context, outcome.sent.message, outcome.sent.to);
  } else if (outcome.card) {
    const activity = MessageFactory.attachment(outcome.card);
    // The text stands in where cards are not shown (notifications, some clients).
    activity.summary = outcome.text.split('\n')[0];
    await context.sendActivity(activity);
  } else if (options.withText) {
    await context.sendActivity(MessageFactory.text(outcome.text));
  }
}
