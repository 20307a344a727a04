import type { CountryCode } from 'libphonenumber-js/max';
import { z } from 'zod';
import { actorOf, type Actor, type Principal } from '../access/principal';
import { requireAdminOf } from '../access/policy';
import type { ActivityLog } from '../audit/activity';
import { sameTags, validateTags } from '../directory/tags';
import type { DirectoryUser } from '../directory/user';
import type { UserRepository } from '../directory/user-repository';
import { fold } from '../directory/user-query';
import { userLabel } from '../directory/user-view';
import type { EnterpriseRepository } from '../enterprises/repository';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { formatInternational } from '../rules/phone';
import type { Stored } from '../store/repository';
import { canonicalNumbers, describeHolder, type PhoneNumberEntry } from './number';
import type { NumberCache } from './number-cache';
import { MAX_NUMBERS_PER_TRANSACTION, NumbersChangedError, type NumberRepository } from './number-repository';
import type { DesiredSmsConfig, SmsConfigChange } from './sms-config';
import { numberChangesFor, restoreNumbers, sameNumbers, wantedProblem } from './sms-number-changes';

/** The most numbers one user may hold (the SMS User Configuration dialog's limit too). */
export const MAX_NUMBERS_PER_USER = 20;

/** Told about users whose mirror was written (the Users page snapshot). */
export interface UsersWrittenListener {
  applyUsers(enterpriseId: string, upserted: readonly Stored<DirectoryUser>[]): void;
}

export interface SmsAssignmentsDependencies {
  numbers: NumberRepository;
  cache: NumberCache;
  users: UserRepository;
  enterprises: EnterpriseRepository;
  activity: ActivityLog;
  /** The Users page, so a save shows there at once. */
  listener?: UsersWrittenListener;
  now?: () => Date;
}

export interface ApplyUserConfigOptions {
  /** The user's ETag as the caller read it: a user changed since is a conflict. */
  expectedUserEtag?: string;
  /** Reads numbers written without a country code as numbers of this country. */
  defaultCountry?: CountryCode;
}

export interface SmsNumberItem {
  number: string;
  display: string;
}

/** The "SMS User Configuration" dialog's content. */
export interface SmsUserView {
  userId: string;
  displayName: string;
  username: string;
  /** Teams licence: SMS is used through the Teams client. */
  licensed: boolean;
  /** Why the configuration may not work for this user (no Teams licence, removed), or null. */
  warning: string | null;
  removed: boolean;
  enabled: boolean;
  numbers: SmsNumberItem[];
  tags: string[];
  /** Unassigned SMS-capable numbers (filtered by `search`, at most `limit`), by number. */
  available: Array<SmsNumberItem & { label: string }>;
  /** How many match in all. */
  availableTotal: number;
  /** The user's ETag: send it in If-Match to save. */
  userEtag: string;
  /** The same, so the answer's ETag header carries it. */
  etag: string;
}

export type SmsUserSaveResult = SmsUserView & { change: SmsConfigChange };

export const smsUserQuerySchema = z.object({
  search: z.string().trim().max(100, 'Use at most 100 characters.').optional().describe('Narrows the available numbers: digits of the number (formatting ignored) or words of its label.'),
  limit: z.coerce.number().int('Must be a whole number.').min(0, 'Must be 0 or more.').max(1000, 'At most 1000 available numbers at once.').default(200).describe('Available numbers to list (0 to 1000).'),
});

const numberItemSchema = z.object({ number: z.string().describe('E.164.'), display: z.string().describe('International format, e.g. "+1 415 555 0123".') });

const smsUserViewShape = {
  userId: z.string(),
  displayName: z.string(),
  username: z.string().describe('Teams username (user principal name).'),
  licensed: z.boolean().describe('Has a Teams licence (SMS is used through the Teams client).'),
  warning: z.string().nullable().describe('Why the configuration may not work for this user, e.g. no Teams licence.'),
  removed: z.boolean().describe('Removed from the directory: numbers can be released, not assigned.'),
  enabled: z.boolean().describe('Enable SMS Service.'),
  numbers: z.array(numberItemSchema).describe('Assigned numbers.'),
  tags: z.array(z.string()),
  available: z.array(numberItemSchema.extend({ label: z.string() })).describe('Unassigned SMS-capable numbers (search and limit apply).'),
  availableTotal: z.number().int().describe('Available numbers matching the search, in all.'),
  userEtag: z.string().describe("The user's ETag: send it in If-Match to save."),
  etag: z.string().describe('Same as userEtag.'),
};

export const smsUserViewSchema = z.object(smsUserViewShape).meta({ id: 'SmsUserConfig' });

export const smsConfigChangeSchema = z
  .object({
    userId: z.string(),
    added: z.array(z.string()).describe('Numbers newly assigned.'),
    removed: z.array(z.string()).describe('Numbers released.'),
    enabledBefore: z.boolean(),
    enabledAfter: z.boolean(),
    tagsChanged: z.boolean(),
    unchanged: z.boolean().describe('Nothing needed to change.'),
  })
  .meta({ id: 'SmsConfigChange' });

export const smsUserSaveResultSchema = z.object({ ...smsUserViewShape, change: smsConfigChangeSchema }).meta({ id: 'SmsUserConfigSaved' });

/** A save that lost a race on a number is tried again from fresh reads this many times. */
const ATTEMPTS = 4;


/** True when the SMS part of the user (or its removal) differs between two reads. */
function smsPartChanged(before: DirectoryUser, after: DirectoryUser): boolean {
  return before.sms.enabled !== after.sms.enabled || !sameNumbers(before.sms.numbers, after.sms.numbers) || !sameTags(before.tags, after.tags) || before.removed !== after.removed;
}

const listDisplay = (numbers: readonly string[]) => numbers.map(formatInternational).join(', ');

/**
 * Which numbers a user holds, and whether SMS is on for them. The numbers table is
 * the truth: a save claims and releases numbers in ONE conditional transaction on
 * the enterprise's numbers partition (all or nothing), then mirrors the result on
 * the user (`user.sms`) for the Users page. Nothing here scans all users or all
 * numbers: a save is a few point reads and two writes.
 */
export class SmsAssignments {
  private readonly now: () => Date;

  constructor(private readonly deps: SmsAssignmentsDependencies) {
    this.now = deps.now ?? (() => new Date());
  }

  private async adminOf(principal: Principal, enterpriseId: string, action: string) {
    const stored = await this.deps.enterprises.byId(enterpriseId);
    return requireAdminOf(principal, stored?.value, enterpriseId, action);
  }

  private async requireUser(enterpriseId: string, userId: string): Promise<Stored<DirectoryUser>> {
    const stored = await this.deps.users.get(enterpriseId, userId);
    if (!stored) throw new NotFoundError(`No user with id "${userId}" in this enterprise.`);
    return stored;
  }

  // ---------------------------------------------------------------- API

  /** The dialog: the user's configuration, a licence warning, and the numbers that can be assigned. */
  async view(principal: Principal, enterpriseId: string, userId: string, query: Partial<z.output<typeof smsUserQuerySchema>> = {}): Promise<SmsUserView> {
    await this.adminOf(principal, enterpriseId, 'see SMS configurations');
    return this.viewOf(await this.requireUser(enterpriseId, userId), query);
  }

  /** Saves the dialog: all or nothing, provided the user is still as the caller read it (`etag`). */
  async save(principal: Principal, enterpriseId: string, userId: string, etag: string, desired: DesiredSmsConfig): Promise<SmsUserSaveResult> {
    await this.adminOf(principal, enterpriseId, 'configure SMS for users');
    const { change, user } = await this.apply(enterpriseId, userId, desired, actorOf(principal), { expectedUserEtag: etag });
    return { ...(await this.viewOf(user, { limit: 0 })), change };
  }

  /** "Remove All": releases every number of the user (SMS stays as it was). */
  async removeAll(principal: Principal, enterpriseId: string, userId: string, etag: string): Promise<SmsUserSaveResult> {
    await this.adminOf(principal, enterpriseId, 'configure SMS for users');
    const current = await this.requireUser(enterpriseId, userId);
    const { change, user } = await this.apply(enterpriseId, userId, { enabled: current.value.sms.enabled, numbers: [] }, actorOf(principal), { expectedUserEtag: etag });
    return { ...(await this.viewOf(user, { limit: 0 })), change };
  }

  private async viewOf(stored: Stored<DirectoryUser>, query: Partial<z.output<typeof smsUserQuerySchema>>): Promise<SmsUserView> {
    const user = stored.value;
    const limit = query.limit ?? 200;
    const available: SmsUserView['available'] = [];
    let availableTotal = 0;
    if (limit > 0 || query.search) {
      const snapshot = await this.deps.cache.snapshot(user.enterpriseId);
      const search = query.search?.trim() ?? '';
      const digits = /\d/.test(search) && /^[+\d\s().\-/]*$/.test(search) ? search.replace(/\D/g, '') : '';
      const words = digits ? [] : fold(search).split(/\s+/).filter(Boolean);
      for (const entry of snapshot.sorted('number', 'asc')) {
        const n = entry.stored.value;
        if (n.holder || !n.capabilities.sms) continue;
        if (digits && !entry.digits.includes(digits)) continue;
        if (words.length > 0 && !words.every((word) => entry.text.includes(word))) continue;
        availableTotal++;
        if (available.length < limit) available.push({ number: n.number, display: entry.display, label: n.label });
      }
    }
    return {
      userId: user.id,
      displayName: user.displayName,
      username: user.userPrincipalName,
      licensed: user.teamsLicensed,
      warning: this.warningFor(user),
      removed: user.removed,
      enabled: user.sms.enabled,
      numbers: user.sms.numbers.map((number) => ({ number, display: formatInternational(number) })),
      tags: [...user.tags],
      available,
      availableTotal,
      userEtag: stored.etag,
      etag: stored.etag,
    };
  }

  private warningFor(user: DirectoryUser): string | null {
    const name = userLabel(user);
    if (user.removed) return `${name} was removed from the Microsoft 365 directory: numbers can be released, not assigned.`;
    if (!user.teamsLicensed) return `${name} has no Teams license and cannot use SMS until licensed.`;
    return null;
  }

  // ---------------------------------------------------------------- the save

  /**
   * Brings one user to the desired SMS configuration, all or nothing, and records it
   * in the activity feed. Does not check access (callers do). Idempotent: when the
   * user already has exactly this configuration, nothing is written and the answer
   * says `unchanged: true`.
   *
   * Refused, changing nothing: an invalid number (ValidationError naming
   * `numbers.N`), a number not in the inventory or without SMS (ValidationError), a
   * number held by another user or group (ConflictError naming the number and its
   * holder), a user changed since `expectedUserEtag` (ConflictError), a removed user
   * being given numbers or SMS (ConflictError), an unknown user (NotFoundError).
   */
  async applyUserConfig(enterpriseId: string, userId: string, desired: DesiredSmsConfig, actor: Actor, options: ApplyUserConfigOptions = {}): Promise<SmsConfigChange> {
    return (await this.apply(enterpriseId, userId, desired, actor, options)).change;
  }

  private async apply(
    enterpriseId: string,
    userId: string,
    desired: DesiredSmsConfig,
    actor: Actor,
    options: ApplyUserConfigOptions,
  ): Promise<{ change: SmsConfigChange; user: Stored<DirectoryUser> }> {
    const wanted: string[] = canonicalNumbers(desired.numbers, 'numbers', options.defaultCountry);
    if (wanted.length > MAX_NUMBERS_PER_USER) {
      throw new ValidationError(`A user can hold at most ${MAX_NUMBERS_PER_USER} numbers.`, [{ path: 'numbers', message: `At most ${MAX_NUMBERS_PER_USER} numbers.` }]);
    }
    const tags = desired.tags === undefined ? undefined : validateTags(desired.tags);
    let baseline: DirectoryUser | undefined;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const user = await this.requireUser(enterpriseId, userId);
      const label = userLabel(user.value);
      if (baseline === undefined) {
        if (options.expectedUserEtag !== undefined && options.expectedUserEtag !== user.etag) {
          throw new ConflictError(`${label} was changed since you loaded them (by another admin or the directory sync). Reload and save again.`);
        }
        baseline = user.value;
      } else if (smsPartChanged(baseline, user.value)) {
        throw this.changedMeanwhile(label);
      }

      // What the user holds now, according to the numbers table (the mirror and the snapshot only say where to look).
      const candidates = new Set<string>([...user.value.sms.numbers, ...wanted, ...(this.deps.cache.peek(enterpriseId)?.heldBy('user', userId) ?? [])]);
      const read = await this.deps.numbers.read(enterpriseId, [...candidates]);
      this.checkWanted(wanted, read, userId);
      const updatedAt = this.now().toISOString();
      const { added, released, changes: numberChanges } = numberChangesFor({ type: 'user', id: userId, name: label }, wanted, read, updatedAt);
      const nextTags = tags ?? user.value.tags;
      const enabledBefore = user.value.sms.enabled;
      if (user.value.removed && (added.length > 0 || (desired.enabled && !enabledBefore))) {
        throw new ConflictError(`${label} was removed from the Microsoft 365 directory: numbers cannot be assigned to them and SMS cannot be turned on. Numbers can still be released.`);
      }
      const tagsChanged = !sameTags(user.value.tags, nextTags);
      const mirrorRight = sameNumbers(user.value.sms.numbers, wanted) && enabledBefore === desired.enabled && !tagsChanged;
      const change: SmsConfigChange = { userId, added, removed: released, enabledBefore, enabledAfter: desired.enabled, tagsChanged, unchanged: false };
      if (added.length === 0 && released.length === 0 && mirrorRight) return { change: { ...change, unchanged: true }, user };
      if (added.length + released.length > MAX_NUMBERS_PER_TRANSACTION) {
        throw new ValidationError(`One save can change at most ${MAX_NUMBERS_PER_TRANSACTION} numbers; release some first.`);
      }

      // 1. The numbers: one transaction, each conditional on the ETag just read.
      let saved: Stored<PhoneNumberEntry>[];
      try {
        saved = await this.deps.numbers.transact(numberChanges);
      } catch (error) {
        if (error instanceof NumbersChangedError) continue; // someone moved first: read again (a taken number is then named)
        throw error;
      }
      this.deps.cache.apply(enterpriseId, saved);

      // 2. The mirror on the user; if that cannot be written, the numbers go back as they were.
      let savedUser: Stored<DirectoryUser>;
      try {
        savedUser = await this.writeMirror(user, baseline, { enabled: desired.enabled, numbers: [...wanted], tags: nextTags });
      } catch (error) {
        await restoreNumbers(this.deps, enterpriseId, saved, numberChanges.map((c) => c.current.value), this.now().toISOString());
        throw error;
      }
      this.deps.listener?.applyUsers(enterpriseId, [savedUser]);
      await this.record(enterpriseId, actor, user.value, savedUser.value, change);
      return { change, user: savedUser };
    }
    throw new ConflictError(`The numbers of ${userId} kept changing while saving; reload and save again.`);
  }

  /** Every wanted number must exist, do SMS (unless already held) and be free or the user's own. */
  private checkWanted(wanted: readonly string[], read: ReadonlyMap<string, Stored<PhoneNumberEntry>>, userId: string): void {
    const issues: Array<{ path: string; message: string }> = [];
    wanted.forEach((number, i) => {
      const problem = wantedProblem(read.get(number)?.value, userId);
      const display = formatInternational(number);
      if (problem === 'missing') issues.push({ path: `numbers.${i}`, message: `${display} is not in the number inventory; add it on the Numbers page first.` });
      else if (problem === 'no-sms') issues.push({ path: `numbers.${i}`, message: `${display} cannot do SMS; turn SMS on for it on the Numbers page first.` });
    });
    if (issues.length > 0) throw new ValidationError(issues.map((issue) => issue.message).join(' '), issues);
    wanted.forEach((number, i) => {
      const holder = read.get(number)!.value.holder;
      if (wantedProblem(read.get(number)!.value, userId) === 'taken' && holder) {
        const message = `${formatInternational(number)} is assigned to ${describeHolder(holder)}; unassign it first.`;
        throw new ConflictError(message, [{ path: `numbers.${i}`, message }]);
      }
    });
  }

  private changedMeanwhile(label: string): ConflictError {
    return new ConflictError(`The SMS configuration of ${label} was changed by someone else meanwhile. Reload it and save again.`);
  }

  /**
   * Writes `user.sms` (and tags) conditional on the ETag. A concurrent change to other
   * fields (the directory sync) is merged by re-reading; a concurrent change to the
   * SMS part means another save raced this one: refused (and the caller rolls back).
   */
  private async writeMirror(current: Stored<DirectoryUser>, baseline: DirectoryUser, next: { enabled: boolean; numbers: string[]; tags: string[] }): Promise<Stored<DirectoryUser>> {
    let base = current;
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        return await this.deps.users.update(base, { ...base.value, sms: { enabled: next.enabled, numbers: next.numbers }, tags: [...next.tags], updatedAt: this.now().toISOString() });
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        const fresh = await this.deps.users.get(current.value.enterpriseId, current.value.id);
        if (!fresh) throw new NotFoundError(`${userLabel(current.value)} was deleted meanwhile.`);
        if (smsPartChanged(baseline, fresh.value)) throw this.changedMeanwhile(userLabel(fresh.value));
        base = fresh;
      }
    }
    throw this.changedMeanwhile(userLabel(current.value));
  }

  private async record(enterpriseId: string, actor: Actor, before: DirectoryUser, after: DirectoryUser, change: SmsConfigChange): Promise<void> {
    const label = userLabel(after);
    const parts: string[] = [];
    if (change.added.length > 0) parts.push(`assigned ${listDisplay(change.added)}`);
    if (change.removed.length > 0) parts.push(`released ${listDisplay(change.removed)}`);
    if (change.enabledBefore !== change.enabledAfter) parts.push(change.enabledAfter ? 'turned SMS on' : 'turned SMS off');
    if (change.tagsChanged) parts.push(`set the tags to ${after.tags.length > 0 ? after.tags.join(', ') : 'none'}`);
    if (parts.length === 0) parts.push('brought the user record in line with the numbers they hold');
    await this.deps.activity.record({
      scope: enterpriseId,
      actor,
      action: 'user.sms.updated',
      entity: { type: 'user', id: after.id, name: label },
      summary: `Changed SMS for ${label}: ${parts.join('; ')}.`,
      before: { enabled: before.sms.enabled, numbers: before.sms.numbers, ...(change.tagsChanged ? { tags: before.tags } : {}) },
      after: { enabled: after.sms.enabled, numbers: after.sms.numbers, ...(change.tagsChanged ? { tags: after.tags } : {}) },
    });
  }

  // ---------------------------------------------------------------- for the directory sync

  /**
   * Releases every number these users hold (read from the numbers table, not a
   * cache), in conditional transactions, retrying numbers that change meanwhile.
   * Answers what was released, per user. The users' mirrors are the caller's.
   */
  async releaseHeldBy(enterpriseId: string, userIds: readonly string[]): Promise<Map<string, string[]>> {
    const released = new Map<string, string[]>();
    if (userIds.length === 0) return released;
    for (let attempt = 1; attempt <= ATTEMPTS + 2; attempt++) {
      const held = await this.deps.numbers.heldBy(enterpriseId, 'user', userIds);
      if (held.length === 0) return released;
      let raced = false;
      for (let at = 0; at < held.length; at += MAX_NUMBERS_PER_TRANSACTION) {
        const chunk = held.slice(at, at + MAX_NUMBERS_PER_TRANSACTION);
        const updatedAt = this.now().toISOString();
        try {
          const saved = await this.deps.numbers.transact(chunk.map((current) => ({ current, next: { ...current.value, holder: null, updatedAt } })));
          this.deps.cache.apply(enterpriseId, saved);
          for (const { value } of chunk) released.set(value.holder!.id, [...(released.get(value.holder!.id) ?? []), value.number]);
        } catch (error) {
          if (!(error instanceof NumbersChangedError)) throw error;
          raced = true;
        }
      }
      if (!raced) return released;
    }
    throw new ConflictError('The numbers of removed users kept changing while being released; the next sync tries again.');
  }
}
