import { TurnContext, type Activity, type ConversationReference, type ConversationParameters } from 'botbuilder';
import type { TeamsAdapter } from '@microsoft/teams-ai';
import type { TeamsReference } from '@switchboard/shared';
import type { ConversationPacer } from './pacer';

/** The part of botframework-connector's ConnectorClient a post uses. */
interface ConversationsClient {
  conversations: { sendToConversation(conversationId: string, activity: Activity): Promise<{ id?: string }> };
}

/** The Bot Framework reference of a stored Teams reference. */
export function conversationReferenceOf(reference: TeamsReference): Partial<ConversationReference> {
  return {
    channelId: 'msteams',
    serviceUrl: reference.serviceUrl,
    conversation: { id: reference.conversationId, conversationType: reference.conversationType, tenantId: reference.tenantId, isGroup: reference.conversationType !== 'personal', name: '' },
    bot: { id: reference.botId, name: reference.botName ?? '' },
    ...(reference.userTeamsId ? { user: { id: reference.userTeamsId, name: '' } } : {}),
  };
}

/** What we keep of the reference of an incoming activity. */
export function teamsReferenceOf(activity: Partial<Activity>, tenantId: string): TeamsReference {
  const reference = TurnContext.getConversationReference(activity);
  const type = reference.conversation?.conversationType;
  const conversationType = type === 'groupChat' || type === 'channel' ? type : 'personal';
  return {
    serviceUrl: reference.serviceUrl ?? '',
    conversationId: reference.conversation?.id ?? '',
    conversationType,
    tenantId,
    botId: reference.bot?.id ?? '',
    ...(reference.bot?.name ? { botName: reference.bot.name } : {}),
    ...(conversationType === 'personal' && reference.user?.id ? { userTeamsId: reference.user.id } : {}),
  };
}

/**
 * Our own pacing and retries decide when to try again; the SDK's built-in retry would
 * send a second request behind the pacer's back (and count against Teams' limits).
 */
function withoutSdkRetries(context: TurnContext): void {
  const key = (context.adapter as unknown as { ConnectorClientKey?: symbol }).ConnectorClientKey;
  const client = key ? (context.turnState.get(key) as { client?: { pipeline?: { removePolicy(options: { name: string }): unknown } } } | undefined) : undefined;
  client?.client?.pipeline?.removePolicy({ name: 'defaultRetryPolicy' });
}

/**
 * Proactive posts and updates through botbuilder's CloudAdapter, each paced within
 * Teams' limits. Without an app id (dev mode) the adapter talks to the connector
 * without a token, as local clients expect.
 */
export class TeamsPoster {
  constructor(private readonly deps: { adapter: TeamsAdapter; botAppId: string; pacer: ConversationPacer }) {}

  get pacer(): ConversationPacer {
    return this.deps.pacer;
  }

  /**
   * Posts into the conversation (POST …/conversations/{id}/activities, not a reply to
   * anything); answers the new activity's id.
   */
  async send(reference: TeamsReference, activity: Partial<Activity>): Promise<string> {
    let id = '';
    const target = conversationReferenceOf(reference);
    await this.proactive(reference, target, async (context) => {
      const outgoing = TurnContext.applyConversationReference({ type: 'message', ...activity }, target, false);
      delete outgoing.replyToId;
      const client = context.turnState.get(this.connectorClientKey) as ConversationsClient;
      id = (await client.conversations.sendToConversation(reference.conversationId, outgoing as Activity)).id ?? '';
    });
    return id;
  }

  /**
   * A proactive turn whose failure reaches the caller: the adapter's turn error handler
   * (the bot's apology to the user) is for turns users started, not for our posts.
   */
  private async proactive(stored: TeamsReference, reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    let failure: { error: unknown } | undefined;
    const done = await this.deps.pacer.reserve(stored.conversationId, stored.tenantId);
    try {
      await this.deps.adapter.continueConversationAsync(this.deps.botAppId, reference, async (context) => {
        withoutSdkRetries(context);
        try {
          await logic(context);
        } catch (error) {
          failure = { error };
        }
      });
    } finally {
      done();
    }
    if (failure) throw failure.error;
  }

  private get connectorClientKey(): symbol {
    return (this.deps.adapter as unknown as { ConnectorClientKey: symbol }).ConnectorClientKey;
  }

  /** Replaces an activity the bot posted earlier (PUT …/activities/{id}). */
  async update(reference: TeamsReference, activityId: string, activity: Partial<Activity>): Promise<void> {
    await this.proactive(reference, conversationReferenceOf(reference), async (context) => {
      await context.updateActivity({ ...activity, id: activityId, conversation: context.activity.conversation });
    });
  }

  /**
   * Creates the 1:1 chat of the bot with a user (Teams answers the existing one when
   * there is one) and answers its reference. `member` is the user's Teams id or Entra object id.
   */
  async createPersonalChat(target: { serviceUrl: string; tenantId: string; botId: string; member: string }): Promise<TeamsReference> {
    const parameters = {
      isGroup: false,
      bot: { id: target.botId, name: '' },
      members: [{ id: target.member, name: '' }],
      tenantId: target.tenantId,
      channelData: { tenant: { id: target.tenantId } },
    } as unknown as ConversationParameters;
    let conversationId = '';
    // No audience: the configured cloud's token scope applies (an empty string would be taken as the scope).
    const audience = undefined as unknown as string;
    await this.deps.adapter.createConversationAsync(this.deps.botAppId, 'msteams', target.serviceUrl, audience, parameters, async (context) => {
      conversationId = context.activity.conversation.id;
    });
    if (!conversationId) throw new Error('Teams created the chat but answered no conversation id.');
    return { serviceUrl: target.serviceUrl, conversationId, conversationType: 'personal', tenantId: target.tenantId, botId: target.botId, ...(target.member.startsWith('29:') ? { userTeamsId: target.member } : {}) };
  }
}
