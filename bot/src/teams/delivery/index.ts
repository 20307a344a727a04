import type { TeamsAdapter } from '@microsoft/teams-ai';
import type { Logger } from 'pino';
import type { Services } from '@switchboard/shared';
import { ConversationPacer } from './pacer';
import { SentConfirmations } from './sent-confirmations';
import { TeamsDelivery } from './teams-delivery';
import { TeamsPoster } from './teams-poster';

export { SentConfirmations, type ConfirmationRecipient } from './sent-confirmations';
export { TeamsDelivery } from './teams-delivery';
export { TeamsPoster, teamsReferenceOf, conversationReferenceOf } from './teams-poster';
export { ConversationPacer } from './pacer';

/** The Teams chat side of SMS: delivery of inbound messages and group replies, sent confirmations. */
export interface TeamsChat {
  delivery: TeamsDelivery;
  confirmations: SentConfirmations;
  start(): void;
  stop(): Promise<void>;
}

export function createTeamsChat(deps: { adapter: TeamsAdapter; botAppId?: string; services: Services; logger: Logger; defaultServiceUrl: string }): TeamsChat {
  const botAppId = deps.botAppId ?? '';
  // One pacer for everything this process posts, so proactive cards and in-turn confirmations share Teams' limits.
  const poster = new TeamsPoster({ adapter: deps.adapter, botAppId, pacer: new ConversationPacer() });
  const delivery = new TeamsDelivery({ services: deps.services, poster, logger: deps.logger }, { defaultServiceUrl: deps.defaultServiceUrl, botId: `28:${botAppId || 'switchboard'}` });
  const confirmations = new SentConfirmations({ services: deps.services, poster, logger: deps.logger });
  return {
    delivery,
    confirmations,
    start() {
      delivery.start();
      confirmations.start();
    },
    async stop() {
      await delivery.stop();
      await confirmations.settleAll();
    },
  };
}
