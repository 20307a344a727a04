import { ActivityTypes, MemoryStorage, type TurnContext } from 'botbuilder';
import { Application, type TeamsAdapter, type TurnState } from '@microsoft/teams-ai';
import type { Logger } from 'pino';
import type { Services } from '@switchboard/shared';
import type { Config } from '../config';

export const GREETING =
  "Hi, I'm Switchboard. I bring your business texts into Teams: when a customer texts one of your company numbers, the message arrives here, and you can answer right in this chat.";

/** What the bot's handlers need. */
export interface BotDeps {
  adapter: TeamsAdapter;
  config: Config;
  services: Services;
  logger: Logger;
}

/** The Teams bot: answers in personal chats, group chats and channels. */
export function createBotApplication(deps: BotDeps): Application<TurnState> {
  const { adapter, config, logger } = deps;
  const app = new Application<TurnState>({
    adapter,
    ...(config.bot.appId ? { botAppId: config.bot.appId } : {}),
    storage: new MemoryStorage(),
    startTypingTimer: false,
    removeRecipientMention: true,
  });

  app.conversationUpdate('membersAdded', async (context: TurnContext) => {
    const botId = context.activity.recipient.id;
    const joined = (context.activity.membersAdded ?? []).some((member) => member.id === botId);
    if (joined) await context.sendActivity(GREETING);
  });

  app.activity(ActivityTypes.Message, async (context: TurnContext) => {
    const name = context.activity.from.name?.split(' ')[0];
    logger.info({ conversationType: context.activity.conversation.conversationType }, 'message received');
    await context.sendActivity(`${name ? `Hi ${name}! ` : ''}${GREETING}`);
  });

  app.error(async (context: TurnContext, error: Error) => {
    logger.error({ err: error }, 'bot turn failed');
    await context.sendActivity('Sorry, something went wrong on our side. Please try again.');
  });

  return app;
}
