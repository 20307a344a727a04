import { ConfigurationServiceClientCredentialFactory } from 'botbuilder';
import { TeamsAdapter } from '@microsoft/teams-ai';
import type { Config } from '../config';

/**
 * botbuilder's CloudAdapter (as teams-ai's TeamsAdapter). Without a BOT_ID (local
 * development only) it accepts unauthenticated activities, as the Bot Framework
 * emulator and the Agents Playground expect; with one, every inbound activity's
 * token is validated against the Bot Framework and Entra.
 */
export function createTeamsAdapter(config: Config): TeamsAdapter {
  const credentials = {
    MicrosoftAppId: config.bot.appId ?? '',
    MicrosoftAppPassword: config.bot.password ?? '',
    MicrosoftAppType: config.bot.type,
    MicrosoftAppTenantId: config.bot.tenantId ?? '',
  };
  return new TeamsAdapter({}, new ConfigurationServiceClientCredentialFactory(credentials));
}
