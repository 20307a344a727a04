import { ActivityTypes, MessageFactory, type TurnContext } from 'botbuilder';
import type { Application, TurnState } from '@microsoft/teams-ai';
import type { Logger } from 'pino';
import { formatInternational, type Services } from '@switchboard/shared';
import type { Config } from '../../config';
import { cardActionSchema } from '../cards/card-actions';
import { resolveTeamsUser } from '../teams-user';
import { cancelPending, confirmPending, confirmSendActionSchema, HELP_TEXT, replyTo, runAction, showHistory, type ActionContext, type ActionOutcome } from '../actions';
import { saveContact } from '../actions/contacts';
import { focusedConversation, labelOf } from '../actions/recipient';
import { parseCommand } from '../parser/parse';
import { ChatPlanner } from '../planner/planner';
import { showOutcome, type SentConfirmationPoster } from './render';

export interface ChatDeps {
  services: Services;
  config: Config;
  logger: Logger;
  /** The sent confirmations ("Sent to Jane Doe +1 …", updated with delivery status). */
  confirmations: SentConfirmationPoster;
}

export const GROUP_CHAT_NOTE =
  "I keep your customers' texts private, so I only handle them in our one-to-one chat: open a chat with me (Switchboard) to text, reply and see your conversations.";
export const UNKNOWN_TENANT_TEXT = "Your organisation doesn't use Switchboard yet, so I can't send or show texts for you. Ask your Microsoft 365 administrator to set it up.";
export const UNKNOWN_USER_TEXT =
  "I can't find you in your organisation's Switchboard directory yet (it is synced from Microsoft 365 every few minutes). If this stays so, ask your Switchboard administrator to check your account.";

export const PARTLY_DONE_TEXT = 'The AI service stopped answering partway through. What was done is shown above; send the rest again if something is missing.';

const YES = /^(?:y|yes|yep|yeah|yup|sure|ok|okay|send|send it|confirm|go ahead|do it)[.!]*$/i;
const NO = /^(?:n|no|nope|cancel|don't|do not|don't send|never mind|nevermind)[.!]*$/i;

function mentionsBot(context: TurnContext): boolean {
  const botId = context.activity.recipient?.id;
  return (context.activity.entities ?? []).some((e) => e.type === 'mention' && (e as { mentioned?: { id?: string } }).mentioned?.id === botId);
}

/**
 * The bot chat: card buttons (Reply, Show conversation, Save contact, Send/Cancel),
 * a yes/no to a pending send, then the message itself: with a model configured the
 * planner reads it, without one the deterministic parser; both run the same actions.
 */
export function registerChat(app: Application<TurnState>, deps: ChatDeps): void {
  const { services, logger, confirmations } = deps;
  const planner = deps.config.ai.provider === 'none' ? undefined : new ChatPlanner(deps.config.ai);
  const show = (context: TurnContext, outcome: ActionOutcome | undefined, withText = true) => (outcome ? showOutcome(context, outcome, confirmations, { withText }) : Promise.resolve());

  app.activity(ActivityTypes.Message, async (context: TurnContext, state: TurnState) => {
    const { activity } = context;
    if (activity.conversation?.conversationType && activity.conversation.conversationType !== 'personal') {
      // Group chats and channels: speak only when spoken to, and never show anyone's texts there.
      if (mentionsBot(context)) await context.sendActivity(GROUP_CHAT_NOTE);
      return;
    }
    const who = await resolveTeamsUser(services, activity);
    if (who.kind === 'unknown-tenant') return void (await context.sendActivity(UNKNOWN_TENANT_TEXT));
    if (who.kind === 'unknown-user') return void (await context.sendActivity(UNKNOWN_USER_TEXT));
    const ctx: ActionContext = { services, user: { enterpriseId: who.enterpriseId, userId: who.userId, name: who.name, tenantId: who.tenantId } };

    if (activity.value !== undefined && activity.value !== null) return handleCardSubmit(context, ctx, activity.value);

    const text = (activity.text ?? '').trim();
    if (text === '') return void (await context.sendActivity(HELP_TEXT));
    if (YES.test(text) || NO.test(text)) {
      const outcome = YES.test(text) ? await confirmPending(ctx) : await cancelPending(ctx);
      if (outcome) return show(context, outcome);
    }

    if (planner && !/^(?:help|\?)$/i.test(text)) {
      const focus = await focusedConversation(ctx);
      const focusText = focus ? labelOf({ number: focus.externalNumber, name: (await services.contacts.nameOf(ctx.user.enterpriseId, ctx.user.userId, focus.externalNumber)) ?? null }) : 'nobody yet (no conversation)';
      try {
        await planner.run(context, state, { ctx, focus: focusText, show: (outcome) => show(context, outcome, false) });
        return;
      } catch (error) {
        if (planner.actionsRan(context) > 0) {
          // Something was done already (maybe a text sent): running the message again another way could do it twice.
          logger.warn({ err: error }, 'the model stopped answering after running actions');
          return void (await context.sendActivity(PARTLY_DONE_TEXT));
        }
        // The model service failed (down, throttled, refused the key): the deterministic parser still serves the user.
        logger.warn({ err: error }, 'the model did not answer; using the built-in parser');
      }
    }
    return runParsed(context, ctx, text);
  });

  async function runParsed(context: TurnContext, ctx: ActionContext, text: string): Promise<void> {
    const parsed = parseCommand(text);
    if (parsed.kind === 'help') return void (await context.sendActivity(parsed.greeting ? `Hi ${ctx.user.name.split(' ')[0]}! ${HELP_TEXT}` : HELP_TEXT));
    if (parsed.kind === 'not-understood') return void (await context.sendActivity(`${parsed.reason}\n\n${HELP_TEXT}`));
    await show(context, await runAction(ctx, parsed.action, parsed.args));
  }

  async function handleCardSubmit(context: TurnContext, ctx: ActionContext, value: unknown): Promise<void> {
    const confirm = confirmSendActionSchema.safeParse(value);
    if (confirm.success) return show(context, confirm.data.answer === 'send' ? await confirmPending(ctx, confirm.data.pendingId) : await cancelPending(ctx, confirm.data.pendingId));
    const parsed = cardActionSchema.safeParse(value);
    if (!parsed.success) return void (await context.sendActivity("That button isn't one of mine any more. Type your request instead, or \"help\"."));
    const action = parsed.data;
    switch (action.switchboard) {
      case 'reply': {
        const text = action.replyText?.trim() ?? '';
        if (text === '') return void (await context.sendActivity(`Write your reply to ${formatInternational(action.externalNumber)} in the box, then press Reply.`));
        return show(context, await replyTo(ctx, action, text));
      }
      case 'showConversation':
        return show(context, await showHistory(ctx, action));
      case 'saveContact': {
        const name = action.contactName?.trim() ?? '';
        if (name === '') return void (await context.sendActivity(`Type a name for ${formatInternational(action.externalNumber)}, then press Save.`));
        return show(context, await saveContact(ctx, { name, number: action.externalNumber }));
      }
    }
  }
}
