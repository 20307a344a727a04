import { MemoryStorage, type TurnContext } from 'botbuilder';
import { Application, type TeamsAdapter, type TurnState } from '@microsoft/teams-ai';
import type { Logger } from 'pino';
import type { Services } from '@switchboard/shared';
import type { Config } from '../config';
import type { TeamsChat } from './delivery';
import { registerInstallHandlers } from './install/install';
import { registerTextCustomer } from './extension/text-customer';
import { registerChat } from './chat/chat';

export const GREETING =
  "Hi, I'm Switchboard. I bring your business texts into Teams: when a customer texts one of your company numbers, the message arrives here, and you can answer right in this chat.";

/** What the bot's handlers need. */
export interface BotDeps {
  adapter: TeamsAdapter;
  config: Config;
  services: Services;
  logger: Logger;
  /** Delivery of SMS into Teams chats, and the sent confirmations (`teamsChat.confirmations.post` after a send). */
  teamsChat: TeamsChat;
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

  registerInstallHandlers(app, { services: deps.services, delivery: deps.teamsChat.delivery, logger });

  registerChat(app, { services: deps.services, config, logger, confirmations: deps.teamsChat.confirmations });

  registerTextCustomer(app, { services: deps.services, logger });

  app.error(async (context: TurnContext, error: Error) => {
    logger.error({ err: error }, 'bot turn failed');
    await context.sendActivity('Sorry, something went wrong on our side. Please try again.');
  });

  return app;
}
