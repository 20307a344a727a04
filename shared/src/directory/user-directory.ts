import type { Readable } from 'node:stream';
import { z } from 'zod';
import { actorOf, type Principal } from '../access/principal';
import { requireAdminOf } from '../access/policy';
import type { ActivityLog } from '../audit/activity';
import type { EnterpriseRepository } from '../enterprises/repository';
import type { Enterprise } from '../enterprises/schema';
import { ConflictError, NotFoundError } from '../errors';
import type { Stored } from '../store/repository';
import { exportFileName, usersCsv } from './export';
import { describeTagChange, removeTagFrom, renameTagIn, sameTags, validateTags, type TagChangeResult, type TagCount } from './tags';
import { chatAccessValues, type ChatAccess, type DirectoryUser } from './user';
import { tagKey, type QueryContext, type UserFilter, type UserQuery } from './user-query';
import type { UserRepository } from './user-repository';
import { UserSnapshot } from './user-snapshot';
import { toUserRow, userLabel, type GroupNumberSource, type GroupOwnedNumber, type UserPage, type UserRow } from './user-view';
import { SnapshotCache, type SnapshotCacheOptions } from '../store/snapshot-cache';

export const chatAccessBodySchema = z
  .object({
    access: z
      .enum(chatAccessValues)
      .describe("inherit: follow the enterprise's Chat setting; allow: Chat on for this user; deny: Chat off for this user."),
  })
  .strict()
  .meta({ id: 'UserChatAccess' });

export const purgeUsersBodySchema = z
  .object({ scope: z.literal('outside-selection').describe('Delete the users outside the sync group selection.') })
  .strict()
  .meta({ id: 'PurgeUsers' });

export const purgeResultSchema = z
  .object({
    purged: z.number().int().describe('Users deleted.'),
    kept: z
      .array(z.object({ id: z.string(), username: z.string(), reason: z.string() }))
      .describe('Users outside the selection that were kept, and why (e.g. they hold an SMS number).'),
  })
  .meta({ id: 'PurgeResult' });

export interface PurgeResult {
  purged: number;
  kept: Array<{ id: string; username: string; reason: string }>;
}

export interface UserDirectoryOptions extends SnapshotCacheOptions {
  /** Numbers of the SMS groups each user owns (the SMS groups service), shown as "group owner". */
  groupNumbers?: GroupNumberSource;
  /** Users purged at once. Default 8. */
  bulkConcurrency?: number;
  /** Attempts per user when concurrent writers keep changing it. Default 5. */
  attempts?: number;
  now?: () => Date;
}

/** Users read and written at once by bulk actions. */
const BULK_CHUNK = 500;

/** Runs `task` over `items` with at most `concurrency` at once, results in input order. */
async function mapPool<T, R>(items: readonly T[], concurrency: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index]!);
      }
    }),
  );
  return results;
}

const CHAT_ACCESS_WORDS: Record<ChatAccess, string> = {
  inherit: "to follow the enterprise's Chat setting",
  allow: 'to on',
  deny: 'to off',
};

const listNames = (names: readonly string[], max = 10) =>
  names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;

/**
 * The Users page's service: queries, export, tags, chat access and purge, over an
 * in-memory snapshot per enterprise.
 *
 * The snapshot is loaded on first use (one listing of the enterprise's users), kept
 * up to date by this service's own writes (write-through), and refreshed from
 * storage when it is older than the TTL: the query that notices is answered from
 * the snapshot it has while the refresh runs. Writers outside this service tell it
 * about their changes with `applyUsers` (exact, immediate) or `invalidate` (the
 * next read loads from storage). Bulk actions first make sure the snapshot is
 * within the TTL, then re-read and re-apply each user they change (ETags).
 */
export class UserDirectory {
  private readonly cache: SnapshotCache<DirectoryUser, UserSnapshot>;
  private readonly bulkConcurrency: number;
  private readonly attempts: number;
  private readonly now: () => Date;

  constructor(
    private readonly users: UserRepository,
    private readonly enterprises: EnterpriseRepository,
    private readonly activity: ActivityLog,
    private readonly options: UserDirectoryOptions = {},
  ) {
    this.cache = new SnapshotCache((enterpriseId, startedAt) => this.load(enterpriseId, startedAt), options);
    this.bulkConcurrency = options.bulkConcurrency ?? 8;
    this.attempts = options.attempts ?? 5;
    this.now = options.now ?? (() => new Date());
  }

  // ---------------------------------------------------------------- cache hooks

  /** Forgets the enterprise's snapshot: the next read loads the users from storage. */
  invalidate(enterpriseId: string): void {
    this.cache.invalidate(enterpriseId);
  }

  /**
   * Tells the snapshot about users written (created or updated, as stored, with their
   * new ETags) and deleted by someone else, e.g. the directory sync. A no-op when the
   * enterprise has no snapshot yet; changes arriving during a load are replayed on it.
   */
  applyUsers(enterpriseId: string, upserted: readonly Stored<DirectoryUser>[], deletedIds: readonly string[] = []): void {
    this.cache.apply(enterpriseId, upserted, deletedIds);
  }

  /** The enterprise's snapshot; `fresh` waits for a reload when the one in memory is older than the TTL. */
  snapshot(enterpriseId: string, mode: 'serve-stale' | 'fresh' = 'serve-stale'): Promise<UserSnapshot> {
    return this.cache.get(enterpriseId, mode);
  }

  private async load(enterpriseId: string, startedAt: number): Promise<UserSnapshot> {
    const groups = this.options.groupNumbers ? await this.options.groupNumbers.groupOwnerNumbers(enterpriseId) : new Map<string, readonly GroupOwnedNumber[]>();
    const snapshot = new UserSnapshot(enterpriseId, groups, startedAt);
    for await (const stored of this.users.listAll(enterpriseId)) snapshot.load(stored);
    // The username order is the default and the base every other order is built from.
    snapshot.sorted('username', 'asc', { enterpriseChatEnabled: true });
    return snapshot;
  }


  // ---------------------------------------------------------------- reads

  private async adminOf(principal: Principal, enterpriseId: string, action: string): Promise<Enterprise> {
    const stored = await this.enterprises.byId(enterpriseId);
    return requireAdminOf(principal, stored?.value, enterpriseId, action);
  }

  private context(enterprise: Enterprise): QueryContext {
    return { enterpriseChatEnabled: enterprise.settings.chatEnabled };
  }

  /** One page of the Users page. */
  async query(principal: Principal, enterpriseId: string, query: Partial<UserQuery>): Promise<UserPage> {
    const enterprise = await this.adminOf(principal, enterpriseId, 'see the users');
    const context = this.context(enterprise);
    const result = (await this.snapshot(enterpriseId)).query(query, context);
    return {
      items: result.items.map((entry) => toUserRow({ value: entry.user, etag: entry.etag }, { enterpriseChatEnabled: context.enterpriseChatEnabled, groupNumbers: entry.groupNumbers })),
      total: result.total,
      offset: result.offset,
      limit: result.limit,
    };
  }

  /** One user, read from storage (so its ETag is current). */
  async get(principal: Principal, enterpriseId: string, userId: string): Promise<UserRow> {
    const enterprise = await this.adminOf(principal, enterpriseId, 'see the users');
    const stored = await this.requireUser(enterprise, userId);
    this.applyUsers(enterpriseId, [stored]);
    return this.row(enterprise, stored);
  }

  /** The enterprise's tags with how many users have each, for suggestions. */
  async tags(principal: Principal, enterpriseId: string): Promise<TagCount[]> {
    await this.adminOf(principal, enterpriseId, 'see the users');
    return (await this.snapshot(enterpriseId)).tagCounts();
  }

  /** The filtered, sorted Users page as a CSV stream, and the file name to save it under. */
  async export(principal: Principal, enterpriseId: string, filter: Partial<UserFilter>): Promise<{ fileName: string; stream: Readable; count: number }> {
    const enterprise = await this.adminOf(principal, enterpriseId, 'export the users');
    const context = this.context(enterprise);
    const snapshot = await this.snapshot(enterpriseId);
    let count = 0;
    for (const _ of snapshot.matching(filter, context)) count++;
    const fileName = exportFileName(enterprise, this.now());
    const rows = (function* () {
      for (const entry of snapshot.matching(filter, context)) {
        yield toUserRow({ value: entry.user, etag: entry.etag }, { enterpriseChatEnabled: context.enterpriseChatEnabled, groupNumbers: entry.groupNumbers });
      }
    })();
    await this.activity.record({
      scope: enterpriseId,
      actor: actorOf(principal),
      action: 'users.exported',
      entity: { type: 'enterprise', id: enterpriseId, name: enterprise.name },
      summary: `Exported ${count} user${count === 1 ? '' : 's'} to ${fileName}.`,
      after: { fileName, count, filter },
    });
    return { fileName, stream: usersCsv(rows), count };
  }

  // ---------------------------------------------------------------- single-user writes

  /** Replaces the user's tags, provided the user is still as the caller read it (`etag`). */
  async setTags(principal: Principal, enterpriseId: string, userId: string, etag: string, tags: readonly string[]): Promise<UserRow> {
    const enterprise = await this.adminOf(principal, enterpriseId, 'change user tags');
    const next = validateTags(tags);
    const current = await this.requireUser(enterprise, userId, etag);
    const before = current.value.tags;
    if (sameTags(before, next)) return this.row(enterprise, current);
    const saved = await this.save(current, { ...current.value, tags: next });
    await this.activity.record({
      scope: enterpriseId,
      actor: actorOf(principal),
      action: 'user.tags.updated',
      entity: { type: 'user', id: userId, name: userLabel(saved.value) },
      summary: `Changed the tags of ${userLabel(saved.value)}: ${describeTagChange(before, next)}.`,
      before: { tags: before },
      after: { tags: next },
    });
    return this.row(enterprise, saved);
  }

  /** Sets whether Chat follows the enterprise switch, or is on or off for this user. */
  async setChatAccess(principal: Principal, enterpriseId: string, userId: string, etag: string, access: ChatAccess): Promise<UserRow> {
    const enterprise = await this.adminOf(principal, enterpriseId, 'change chat access');
    const current = await this.requireUser(enterprise, userId, etag);
    const before = current.value.chatAccess;
    if (before === access) return this.row(enterprise, current);
    const saved = await this.save(current, { ...current.value, chatAccess: access });
    const effective = this.row(enterprise, saved);
    await this.activity.record({
      scope: enterpriseId,
      actor: actorOf(principal),
      action: 'user.chat-access.updated',
      entity: { type: 'user', id: userId, name: userLabel(saved.value) },
      summary: `Set Chat for ${userLabel(saved.value)} ${CHAT_ACCESS_WORDS[access]} (Chat is now ${effective.services.chat} for them).`,
      before: { chatAccess: before },
      after: { chatAccess: access },
    });
    return effective;
  }

  // ---------------------------------------------------------------- bulk writes

  /** Renames a tag (any case) for every user who has it; users who already have the new name keep one. */
  async renameTag(principal: Principal, enterpriseId: string, from: string, to: string): Promise<TagChangeResult> {
    const enterprise = await this.adminOf(principal, enterpriseId, 'rename tags');
    const [fromTag, toTag] = [from.trim(), to.trim()];
    const result = await this.changeTagEverywhere(enterprise, fromTag, (tags) => renameTagIn(tags, fromTag, toTag));
    if (result.updated > 0) {
      await this.activity.record({
        scope: enterpriseId,
        actor: actorOf(principal),
        action: 'tags.renamed',
        entity: { type: 'tag', id: fromTag, name: fromTag },
        summary: `Renamed the tag ${fromTag} to ${toTag} for ${result.updated} user${result.updated === 1 ? '' : 's'}.`,
        before: { tag: fromTag },
        after: { tag: toTag, users: result.updated },
      });
    }
    return result;
  }

  /** Removes a tag (any case) from every user. */
  async removeTag(principal: Principal, enterpriseId: string, tag: string): Promise<TagChangeResult> {
    const enterprise = await this.adminOf(principal, enterpriseId, 'remove tags');
    const target = tag.trim();
    const result = await this.changeTagEverywhere(enterprise, target, (tags) => removeTagFrom(tags, target));
    if (result.updated > 0) {
      await this.activity.record({
        scope: enterpriseId,
        actor: actorOf(principal),
        action: 'tags.removed',
        entity: { type: 'tag', id: target, name: target },
        summary: `Removed the tag ${target} from ${result.updated} user${result.updated === 1 ? '' : 's'}.`,
        before: { tag: target, users: result.updated },
        after: null,
      });
    }
    return result;
  }

  private async changeTagEverywhere(enterprise: Enterprise, tag: string, change: (tags: readonly string[]) => string[]): Promise<TagChangeResult> {
    const snapshot = await this.snapshot(enterprise.id, 'fresh');
    const key = tagKey(tag);
    const candidates = [...snapshot.values()].filter((entry) => entry.tagKeys.includes(key)).map((entry) => entry.user);
    const usernames = new Map(candidates.map((user) => [user.id, user.userPrincipalName]));
    const { updated, failed } = await this.rewriteMany(
      enterprise.id,
      candidates.map((user) => user.id),
      (current) => {
        const next = change(current.tags);
        return sameTags(current.tags, next) ? undefined : { ...current, tags: next };
      },
    );
    return { updated, failed: failed.map(({ id, reason }) => ({ id, username: usernames.get(id) ?? id, reason })) };
  }

  /**
   * Deletes the users outside the sync group selection, except those holding SMS
   * numbers (own or as an SMS group owner): deleting them would strand the number.
   */
  async purge(principal: Principal, enterpriseId: string): Promise<PurgeResult> {
    const enterprise = await this.adminOf(principal, enterpriseId, 'purge users');
    const snapshot = await this.snapshot(enterpriseId, 'fresh');
    const candidates = [...snapshot.values()].filter((entry) => !entry.user.inSelection).map((entry) => entry.user.id);
    const kept: PurgeResult['kept'] = [];
    const purged: Array<{ id: string; username: string }> = [];
    await mapPool(candidates, this.bulkConcurrency, async (id) => {
      for (let attempt = 1; attempt <= this.attempts; attempt++) {
        const current = await this.users.get(enterpriseId, id);
        if (!current || current.value.inSelection) return; // gone, or back in the selection
        const user = current.value;
        const reason = this.holdingReason(user, snapshot.groupNumbersOf(id));
        if (reason) {
          kept.push({ id, username: user.userPrincipalName, reason });
          return;
        }
        try {
          await this.users.delete(current);
          this.applyUsers(enterpriseId, [], [id]);
          purged.push({ id, username: user.userPrincipalName });
          return;
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error;
        }
      }
      kept.push({ id, username: snapshot.get(id)?.user.userPrincipalName ?? id, reason: 'It kept changing while being purged; try again.' });
    });
    kept.sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
    if (purged.length > 0) {
      const names = purged.map((user) => user.username).sort();
      await this.activity.record({
        scope: enterpriseId,
        actor: actorOf(principal),
        action: 'users.purged',
        entity: { type: 'enterprise', id: enterpriseId, name: enterprise.name },
        summary:
          `Purged ${purged.length} user${purged.length === 1 ? '' : 's'} outside the group selection: ${listNames(names)}.` +
          (kept.length > 0 ? ` Kept ${kept.length} who hold SMS numbers.` : ''),
        before: { count: purged.length, users: purged.slice(0, 200) },
        after: null,
      });
    }
    return { purged: purged.length, kept };
  }

  private holdingReason(user: DirectoryUser, groupNumbers: readonly GroupOwnedNumber[]): string | undefined {
    if (user.sms.numbers.length > 0) {
      const plural = user.sms.numbers.length > 1;
      return `Holds SMS number${plural ? 's' : ''} ${user.sms.numbers.join(', ')}; unassign ${plural ? 'them' : 'it'} first.`;
    }
    if (groupNumbers.length > 0) {
      return `Owns the SMS group number${groupNumbers.length > 1 ? 's' : ''} ${groupNumbers.map((g) => g.number).join(', ')}; give the group another owner first.`;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- helpers

  private row(enterprise: Enterprise, stored: Stored<DirectoryUser>): UserRow {
    const groupNumbers = this.cache.peek(enterprise.id)?.groupNumbersOf(stored.value.id) ?? [];
    return toUserRow(stored, { enterpriseChatEnabled: enterprise.settings.chatEnabled, groupNumbers });
  }

  /** The user as stored; with `etag`, only if it is still the version the caller read. */
  private async requireUser(enterprise: Enterprise, userId: string, etag?: string): Promise<Stored<DirectoryUser>> {
    const stored = await this.users.get(enterprise.id, userId);
    if (!stored) throw new NotFoundError(`No user with id "${userId}" in ${enterprise.name}.`);
    if (etag !== undefined && stored.etag !== etag) {
      throw new ConflictError(`${userLabel(stored.value)} was changed since you loaded it (by another admin or the directory sync). Reload the user and apply your change again.`);
    }
    return stored;
  }

  /** Writes the user (conditional on its ETag) and updates the snapshot. */
  private async save(current: Stored<DirectoryUser>, next: DirectoryUser): Promise<Stored<DirectoryUser>> {
    const saved = await this.users.update(current, { ...next, updatedAt: this.now().toISOString() });
    this.applyUsers(next.enterpriseId, [saved]);
    return saved;
  }

  /**
   * Changes many users: reads them in bulk, writes each conditional on the ETag just
   * read (in transactions per shard), and for every user a concurrent writer changed
   * meanwhile reads and applies the change again, up to `attempts` times.
   */
  private async rewriteMany(
    enterpriseId: string,
    userIds: readonly string[],
    change: (user: DirectoryUser) => DirectoryUser | undefined,
  ): Promise<{ updated: number; failed: Array<{ id: string; reason: string }> }> {
    let pending = [...userIds];
    let updated = 0;
    const failed: Array<{ id: string; reason: string }> = [];
    for (let attempt = 1; attempt <= this.attempts && pending.length > 0; attempt++) {
      const again: string[] = [];
      for (let at = 0; at < pending.length; at += BULK_CHUNK) {
        const ids = pending.slice(at, at + BULK_CHUNK);
        const current = await this.users.getMany(enterpriseId, ids);
        const gone = ids.filter((id) => !current.has(id));
        const changes: Array<{ current: Stored<DirectoryUser>; next: DirectoryUser }> = [];
        const updatedAt = this.now().toISOString();
        for (const stored of current.values()) {
          const next = change(stored.value);
          if (next) changes.push({ current: stored, next: { ...next, updatedAt } });
        }
        const saved: Stored<DirectoryUser>[] = [];
        const results = await this.users.updateMany(changes);
        results.forEach((result, i) => {
          const id = changes[i]!.current.value.id;
          if (!(result instanceof Error)) saved.push(result);
          else if (result instanceof ConflictError) again.push(id);
          else if (result instanceof NotFoundError) gone.push(id);
          else failed.push({ id, reason: result.message });
        });
        updated += saved.length;
        this.applyUsers(enterpriseId, saved, gone);
      }
      pending = again;
    }
    for (const id of pending) failed.push({ id, reason: `Changed by someone else on each of ${this.attempts} attempts; run the action again.` });
    return { updated, failed };
  }
}
