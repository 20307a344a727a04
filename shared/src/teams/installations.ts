import { z } from 'zod';
import type { Principal } from '../access/principal';
import { requireAdminOf } from '../access/policy';
import type { EnterpriseRepository } from '../enterprises/repository';
import type { UserRepository } from '../directory/user-repository';
import { Repository, type RepositoryDefinition, type Stored } from '../store/repository';
import type { TableStore } from '../store/table-store';
import { changeEntity } from './upsert';

export const TEAMS_INSTALLATIONS_TABLE = 'teamsinstallations';
export const UNREACHABLE_INDEX = 'unreachable';

/** Where a proactive message goes: the parts of a Bot Framework ConversationReference we need. */
export interface TeamsReference {
  serviceUrl: string;
  conversationId: string;
  conversationType: 'personal' | 'groupChat' | 'channel';
  tenantId: string;
  botId: string;
  botName?: string;
  /** Personal chats: the user's Teams id (`29:…`), the chat's other member. */
  userTeamsId?: string;
}

export type InstallationScope = 'personal' | 'groupChat' | 'team';

/**
 * The app in one place: a user's personal scope (key `user:{userId}`), or a group chat
 * or team (key `conversation:{conversationId}`). Partition = enterprise.
 */
export interface TeamsInstallation {
  enterpriseId: string;
  key: string;
  scope: InstallationScope;
  /** Personal scope: the directory user. */
  userId: string | null;
  /** Null until Teams told us (install, or a chat we created). */
  reference: TeamsReference | null;
  installed: boolean;
  installedAt: string | null;
  uninstalledAt: string | null;
  /** Set when Teams refused to deliver (403: the user blocked or removed the app); cleared by a new install. */
  unreachableSince: string | null;
  unreachableReason: string | null;
  lastDeliveredAt: string | null;
  updatedAt: string;
}

export const personalKey = (userId: string) => `user:${userId}`;
export const conversationKey = (conversationId: string) => `conversation:${conversationId}`;

const optionalString = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

const definition: RepositoryDefinition<TeamsInstallation> = {
  table: TEAMS_INSTALLATIONS_TABLE,
  entityName: 'Teams installation',
  partitionOf: (i) => i.enterpriseId,
  idOf: (i) => i.key,
  toEntity: ({ enterpriseId: _e, key: _k, reference, ...rest }) => ({ ...rest, userId: rest.userId ?? '', reference: reference ? JSON.stringify(reference) : '' }),
  fromEntity: (p, keys) => ({
    enterpriseId: keys.partition,
    key: keys.id,
    scope: p.scope === 'groupChat' || p.scope === 'team' ? p.scope : 'personal',
    userId: optionalString(p.userId),
    reference: typeof p.reference === 'string' && p.reference !== '' ? (JSON.parse(p.reference) as TeamsReference) : null,
    installed: p.installed === true,
    installedAt: optionalString(p.installedAt),
    uninstalledAt: optionalString(p.uninstalledAt),
    unreachableSince: optionalString(p.unreachableSince),
    unreachableReason: optionalString(p.unreachableReason),
    lastDeliveredAt: optionalString(p.lastDeliveredAt),
    updatedAt: String(p.updatedAt),
  }),
  // Unreachable users are listed for admins straight from their index rows.
  indexes: [{ name: UNREACHABLE_INDEX, keys: (i) => (i.unreachableSince && i.userId ? [i.userId] : []), conflictMessage: (key) => `${key} is already listed as unreachable.` }],
};

export const unreachableUserSchema = z
  .object({
    userId: z.string(),
    displayName: z.string().describe('From the directory; the user id when the user is no longer there.'),
    since: z.string().describe('When Teams first refused a message to this user.'),
    reason: z.string().describe('What Teams answered, in words.'),
    installed: z.boolean().describe('False once Teams reported the app removed.'),
  })
  .meta({ id: 'TeamsUnreachableUser' });

export const unreachableUsersSchema = z
  .object({ items: z.array(unreachableUserSchema).describe('Ordered by user id. Their messages wait and are delivered when they install the app again.') })
  .meta({ id: 'TeamsUnreachableUsers' });

function blank(enterpriseId: string, key: string, scope: InstallationScope, userId: string | null, at: string): TeamsInstallation {
  return { enterpriseId, key, scope, userId, reference: null, installed: false, installedAt: null, uninstalledAt: null, unreachableSince: null, unreachableReason: null, lastDeliveredAt: null, updatedAt: at };
}

/** Teams installations and conversation references per enterprise user, group chat and team; reachability. */
export class TeamsInstallations {
  readonly repository: Repository<TeamsInstallation>;

  constructor(
    store: TableStore,
    private readonly deps: { enterprises: EnterpriseRepository; users: UserRepository },
  ) {
    this.repository = new Repository(store, definition);
  }

  async personal(enterpriseId: string, userId: string): Promise<TeamsInstallation | undefined> {
    return (await this.repository.get(enterpriseId, personalKey(userId)))?.value;
  }

  async conversation(enterpriseId: string, conversationId: string): Promise<TeamsInstallation | undefined> {
    return (await this.repository.get(enterpriseId, conversationKey(conversationId)))?.value;
  }

  /** The app was installed (or the chat exists again): reference stored, reachable again. */
  async recordInstall(enterpriseId: string, scope: InstallationScope, userId: string | null, reference: TeamsReference): Promise<TeamsInstallation> {
    const key = scope === 'personal' && userId ? personalKey(userId) : conversationKey(reference.conversationId);
    const at = new Date().toISOString();
    const saved = await changeEntity(this.repository, enterpriseId, key, (current) => ({
      ...(current ?? blank(enterpriseId, key, scope, userId, at)),
      reference,
      installed: true,
      installedAt: at,
      unreachableSince: null,
      unreachableReason: null,
      updatedAt: at,
    }));
    return saved!.value;
  }

  /** A 1:1 chat we created: its reference, without claiming an install Teams did not report. */
  async recordReference(enterpriseId: string, userId: string, reference: TeamsReference): Promise<TeamsInstallation> {
    const key = personalKey(userId);
    const at = new Date().toISOString();
    const saved = await changeEntity(this.repository, enterpriseId, key, (current) => ({ ...(current ?? blank(enterpriseId, key, 'personal', userId, at)), reference, updatedAt: at }));
    return saved!.value;
  }

  async recordUninstall(enterpriseId: string, scope: InstallationScope, userId: string | null, conversationId: string): Promise<void> {
    const key = scope === 'personal' && userId ? personalKey(userId) : conversationKey(conversationId);
    const at = new Date().toISOString();
    await changeEntity(this.repository, enterpriseId, key, (current) => (current ? { ...current, installed: false, uninstalledAt: at, updatedAt: at } : undefined));
  }

  /** Teams refused a message to this user for good (blocked or removed the app). */
  async markUnreachable(enterpriseId: string, userId: string, reason: string): Promise<TeamsInstallation> {
    const key = personalKey(userId);
    const at = new Date().toISOString();
    const saved = await changeEntity(this.repository, enterpriseId, key, (current) => {
      const base = current ?? blank(enterpriseId, key, 'personal', userId, at);
      if (base.unreachableSince) return undefined;
      return { ...base, unreachableSince: at, unreachableReason: reason, updatedAt: at };
    });
    return saved!.value;
  }

  /** Teams no longer knows the chat (404): forget it, so the next delivery creates it again. */
  async forgetReference(enterpriseId: string, userId: string, conversationId: string): Promise<void> {
    const at = new Date().toISOString();
    await changeEntity(this.repository, enterpriseId, personalKey(userId), (current) => (current?.reference?.conversationId === conversationId ? { ...current, reference: null, updatedAt: at } : undefined));
  }

  async markDelivered(enterpriseId: string, userId: string, at: string): Promise<void> {
    await changeEntity(this.repository, enterpriseId, personalKey(userId), (current) => (current ? { ...current, lastDeliveredAt: at, updatedAt: at } : undefined));
  }

  /** A service URL Teams used for this enterprise's tenant (from any install), for creating chats. */
  async knownServiceUrl(enterpriseId: string): Promise<{ serviceUrl: string; botId: string } | undefined> {
    const page = await this.repository.listPage(enterpriseId, { pageSize: 20 });
    const found = page.items.find((stored) => stored.value.reference)?.value.reference;
    return found ? { serviceUrl: found.serviceUrl, botId: found.botId } : undefined;
  }

  /** Users Teams refused messages for (admins): their messages wait for a new install. */
  async unreachableUsers(principal: Principal, enterpriseId: string): Promise<z.input<typeof unreachableUsersSchema>> {
    requireAdminOf(principal, (await this.deps.enterprises.byId(enterpriseId))?.value, enterpriseId, 'see which users Teams cannot reach');
    const userIds: string[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.repository.listIndex(enterpriseId, UNREACHABLE_INDEX, { pageSize: 500, ...(continuationToken ? { continuationToken } : {}) });
      userIds.push(...page.items.map((entry) => entry.key));
      continuationToken = page.continuationToken;
    } while (continuationToken);
    const [installs, users] = await Promise.all([
      this.repository.getMany(enterpriseId, userIds.map(personalKey)),
      this.deps.users.getMany(enterpriseId, userIds),
    ]);
    const items = userIds.flatMap((userId) => {
      const install: Stored<TeamsInstallation> | undefined = installs.get(personalKey(userId));
      if (!install?.value.unreachableSince) return [];
      return [{ userId, displayName: users.get(userId)?.value.displayName ?? userId, since: install.value.unreachableSince, reason: install.value.unreachableReason ?? '', installed: install.value.installed }];
    });
    return { items };
  }
}
