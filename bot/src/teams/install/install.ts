import type { Activity, TurnContext } from 'botbuilder';
import type { Application, TurnState } from '@microsoft/teams-ai';
import type { Logger } from 'pino';
import { formatInternational, type InstallationScope, type Services } from '@switchboard/shared';
import type { TeamsDelivery } from '../delivery/teams-delivery';
import { teamsReferenceOf } from '../delivery/teams-poster';
import { resolveTeamsUser, tenantIdOf, type TeamsUser } from '../teams-user';

export interface InstallDeps {
  services: Services;
  delivery: TeamsDelivery;
  logger: Logger;
}

const ABOUT = 'I bring your business texts into Teams: when a customer texts one of your company numbers, the message arrives here, and you can answer right in this chat.';
export const INTRO = `Hi, I'm Switchboard. ${ABOUT}`;

/** "+1 425-555-0100", "+1 425-555-0100 and +44 20 7946 0958", "A, B and C". */
function listOf(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** The personal greeting: which numbers the user texts from, or why they cannot yet. */
export async function greetingFor(services: Services, user: TeamsUser): Promise<string> {
  if (user.kind === 'unknown-tenant') {
    return `${INTRO}\n\nYour organisation does not use Switchboard yet, so there is nothing to text from here. Ask your IT admin to set it up.`;
  }
  if (user.kind === 'unknown-user') {
    return `${INTRO}\n\nI could not find you in your organisation's Switchboard directory yet (it syncs from Microsoft 365 every few minutes). If this persists, ask your admin to check the directory sync.`;
  }
  const numbers = await services.outboundSms.numbersOf(user.enterpriseId, user.userId);
  const first = user.name.split(' ')[0] || user.name;
  if (numbers.length === 0) {
    return `Hi ${first}, I'm Switchboard. ${ABOUT}\n\nYour admin has not given you an SMS number yet, so you cannot text from Teams for now. Once they assign you one, customers' messages will arrive in this chat.`;
  }
  const formatted = listOf(numbers.map(formatInternational));
  const mine = numbers.length === 1 ? `your number ${formatted}` : `your numbers ${formatted}`;
  return `Hi ${first}, I'm Switchboard. ${ABOUT}\n\nYou can text from ${mine}. Texts to ${numbers.length === 1 ? 'it' : 'them'} arrive here, and you can answer them right in this chat.`;
}

function scopeOf(activity: Partial<Activity>): InstallationScope {
  const type = activity.conversation?.conversationType;
  return type === 'groupChat' ? 'groupChat' : type === 'channel' ? 'team' : 'personal';
}

/**
 * The app was installed (or the bot added) here: the conversation reference is stored
 * and the user becomes reachable again. Answers who it was.
 */
export async function recordInstall(deps: InstallDeps, context: TurnContext): Promise<TeamsUser> {
  const user = await resolveTeamsUser(deps.services, context.activity);
  const scope = scopeOf(context.activity);
  const tenantId = tenantIdOf(context.activity);
  if (user.kind === 'unknown-tenant' || !tenantId) return user;
  const enterpriseId = user.enterpriseId;
  const reference = teamsReferenceOf(context.activity, tenantId);
  if (scope === 'personal') {
    if (user.kind !== 'user') return user;
    await deps.services.teams.installations.recordInstall(enterpriseId, 'personal', user.userId, reference);
    deps.delivery.forgetInstall(enterpriseId, user.userId);
  } else {
    await deps.services.teams.installations.recordInstall(enterpriseId, scope, null, reference);
  }
  return user;
}

/** Personal scope: the messages that waited for the user go out now, oldest first. */
async function releaseHeld(deps: InstallDeps, context: TurnContext, user: TeamsUser): Promise<void> {
  if (user.kind !== 'user' || scopeOf(context.activity) !== 'personal') return;
  const released = await deps.delivery.redeliver(user.enterpriseId, user.userId);
  if (released > 0) deps.logger.info({ enterpriseId: user.enterpriseId, userId: user.userId, released }, 'messages that waited for the Teams app are being delivered');
}

async function recordUninstall(deps: InstallDeps, context: TurnContext): Promise<void> {
  const user = await resolveTeamsUser(deps.services, context.activity);
  if (user.kind === 'unknown-tenant') return;
  const scope = scopeOf(context.activity);
  const userId = scope === 'personal' && user.kind === 'user' ? user.userId : null;
  if (scope === 'personal' && !userId) return;
  await deps.services.teams.installations.recordUninstall(user.enterpriseId, scope, userId, context.activity.conversation.id);
  if (userId) deps.delivery.forgetInstall(user.enterpriseId, userId);
}

/**
 * Install and uninstall in every scope. Teams sends both a conversationUpdate (the bot
 * among membersAdded) and an installationUpdate on install: both store the reference
 * (idempotent); the greeting goes with the conversationUpdate only, so it comes once.
 */
export function registerInstallHandlers(app: Application<TurnState>, deps: InstallDeps): void {
  app.conversationUpdate('membersAdded', async (context: TurnContext) => {
    const botId = context.activity.recipient.id;
    const joined = (context.activity.membersAdded ?? []).some((member) => member.id === botId);
    if (!joined) return;
    const user = await recordInstall(deps, context);
    const greeting = scopeOf(context.activity) === 'personal' ? await greetingFor(deps.services, user) : `Hi everyone, I'm Switchboard. ${ABOUT}`;
    await context.sendActivity(greeting);
    // After the greeting, so the chat opens with it.
    await releaseHeld(deps, context, user);
  });

  app.activity('installationUpdate', async (context: TurnContext) => {
    const action = String(context.activity.action ?? '');
    if (action === 'add' || action === 'add-upgrade') await releaseHeld(deps, context, await recordInstall(deps, context));
    else if (action === 'remove' || action === 'remove-upgrade') await recordUninstall(deps, context);
  });
}
