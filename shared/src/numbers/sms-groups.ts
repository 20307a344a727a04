import { randomUUID } from 'node:crypto';
import type { CountryCode } from 'libphonenumber-js/max';
import { actorOf, type Principal } from '../access/principal';
import { requireAdminOf } from '../access/policy';
import type { ActivityLog } from '../audit/activity';
import { changes } from '../audit/diff';
import type { DirectoryUser } from '../directory/user';
import type { UserRepository } from '../directory/user-repository';
import { fold } from '../directory/user-query';
import { userLabel, type GroupNumberSource, type GroupOwnedNumber } from '../directory/user-view';
import type { EnterpriseRepository } from '../enterprises/repository';
import type { Enterprise } from '../enterprises/schema';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { digitsOf, formatInternational } from '../rules/phone';
import type { Stored } from '../store/repository';
import { canonicalNumber, describeHolder, type NumberHolder, type PhoneNumberEntry } from './number';
import type { NumberCache } from './number-cache';
import { NumbersChangedError, type NumberRepository } from './number-repository';
import { groupNameKey, MAX_GROUP_MEMBERS, MAX_GROUP_NAME_LENGTH, MAX_GROUP_OWNERS, type CreateSmsGroup, type SmsGroup, type SmsGroupMember, type SmsGroupRepository, type SmsGroupView, type UpdateSmsGroup } from './sms-group';

/** Told when group ownership or a group's number changes (the Users page shows owners' group numbers). */
export interface GroupOwnershipListener {
  invalidate(enterpriseId: string): void;
}

export interface SmsGroupsDependencies {
  groups: SmsGroupRepository;
  numbers: NumberRepository;
  cache: NumberCache;
  users: UserRepository;
  enterprises: EnterpriseRepository;
  activity: ActivityLog;
  now?: () => Date;
}

/** Attempts when a number changes under a group save. */
const ATTEMPTS = 4;

const unique = (ids: readonly string[]) => [...new Set(ids)];
const sameIds = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((id, i) => id === b[i]);

/** The group numbers each user owns, from the enterprise's groups: what the Users page shows as "group owner". */
export class SmsGroupOwnerNumbers implements GroupNumberSource {
  constructor(private readonly groups: SmsGroupRepository) {}

  async groupOwnerNumbers(enterpriseId: string): Promise<ReadonlyMap<string, readonly GroupOwnedNumber[]>> {
    const byOwner = new Map<string, GroupOwnedNumber[]>();
    for await (const { value: group } of this.groups.all(enterpriseId)) {
      if (!group.number) continue;
      for (const ownerId of group.ownerIds) byOwner.set(ownerId, [...(byOwner.get(ownerId) ?? []), { number: group.number, groupId: group.id }]);
    }
    for (const list of byOwner.values()) list.sort((a, b) => (a.number < b.number ? -1 : a.number > b.number ? 1 : 0));
    return byOwner;
  }
}

/**
 * SMS groups: create, rename, members and owners, the shared number, delete. The
 * number is claimed through the numbers table first (conditional transaction: the
 * same holder rules as a user's numbers), then the group is written with its ETag;
 * when that fails, the number is given back.
 */
export class SmsGroups implements GroupNumberSource {
  private readonly now: () => Date;
  private readonly ownerNumbers: SmsGroupOwnerNumbers;
  private listener?: GroupOwnershipListener;

  constructor(private readonly deps: SmsGroupsDependencies) {
    this.now = deps.now ?? (() => new Date());
    this.ownerNumbers = new SmsGroupOwnerNumbers(deps.groups);
  }

  /** The Users page, told when ownership or a group number changes. */
  setOwnershipListener(listener: GroupOwnershipListener): void {
    this.listener = listener;
  }

  groupOwnerNumbers(enterpriseId: string): Promise<ReadonlyMap<string, readonly GroupOwnedNumber[]>> {
    return this.ownerNumbers.groupOwnerNumbers(enterpriseId);
  }

  /** The users who receive inbound messages to `number` when a group holds it (every member); [] otherwise. */
  async membersOf(enterpriseId: string, number: string): Promise<string[]> {
    const entry = await this.deps.numbers.get(enterpriseId, number);
    const holder = entry?.value.holder;
    if (!holder || holder.type !== 'group') return [];
    const group = await this.deps.groups.get(enterpriseId, holder.id);
    return group ? [...group.value.memberIds] : [];
  }

  // ---------------------------------------------------------------- reads

  private async adminOf(principal: Principal, enterpriseId: string, action: string): Promise<Enterprise> {
    const stored = await this.deps.enterprises.byId(enterpriseId);
    return requireAdminOf(principal, stored?.value, enterpriseId, action);
  }

  private async requireGroup(enterpriseId: string, groupId: string, etag?: string): Promise<Stored<SmsGroup>> {
    const stored = await this.deps.groups.get(enterpriseId, groupId);
    if (!stored) throw new NotFoundError(`No SMS group with id "${groupId}".`);
    if (etag !== undefined && stored.etag !== etag) {
      throw new ConflictError(`The SMS group ${stored.value.name} was changed by someone else since you loaded it. Reload it and apply your change again.`);
    }
    return stored;
  }

  async list(principal: Principal, enterpriseId: string, query: { search?: string } = {}): Promise<{ items: SmsGroupView[] }> {
    await this.adminOf(principal, enterpriseId, 'see SMS groups');
    const search = query.search?.trim() ?? '';
    const digits = /\d/.test(search) && /^[+\d\s().\-/]*$/.test(search) ? digitsOf(search) : '';
    const groups: Stored<SmsGroup>[] = [];
    for await (const stored of this.deps.groups.all(enterpriseId)) {
      const g = stored.value;
      if (search !== '' && !fold(g.name).includes(fold(search)) && !(digits && g.number && digitsOf(g.number).includes(digits))) continue;
      groups.push(stored);
    }
    groups.sort((a, b) => fold(a.value.name).localeCompare(fold(b.value.name)) || a.value.id.localeCompare(b.value.id));
    const users = await this.deps.users.getMany(enterpriseId, unique(groups.flatMap((g) => g.value.memberIds)));
    return { items: groups.map((stored) => this.viewOf(stored, users)) };
  }

  async get(principal: Principal, enterpriseId: string, groupId: string): Promise<SmsGroupView> {
    await this.adminOf(principal, enterpriseId, 'see SMS groups');
    return this.view(await this.requireGroup(enterpriseId, groupId));
  }

  private async view(stored: Stored<SmsGroup>): Promise<SmsGroupView> {
    return this.viewOf(stored, await this.deps.users.getMany(stored.value.enterpriseId, stored.value.memberIds));
  }

  private viewOf(stored: Stored<SmsGroup>, users: ReadonlyMap<string, Stored<DirectoryUser>>): SmsGroupView {
    const g = stored.value;
    const owners = new Set(g.ownerIds);
    const members = g.memberIds.map((id): SmsGroupMember => {
      const user = users.get(id)?.value;
      return user
        ? { id, displayName: user.displayName, username: user.userPrincipalName, owner: owners.has(id), licensed: user.teamsLicensed, removed: user.removed }
        : { id, displayName: '', username: '', owner: owners.has(id), licensed: false, removed: true };
    });
    members.sort((a, b) => Number(b.owner) - Number(a.owner) || fold(a.displayName || a.username || a.id).localeCompare(fold(b.displayName || b.username || b.id)));
    return {
      id: g.id,
      name: g.name,
      number: g.number,
      display: g.number ? formatInternational(g.number) : null,
      members,
      ownerIds: [...g.ownerIds],
      memberIds: [...g.memberIds],
      createdAt: g.createdAt,
      updatedAt: g.updatedAt,
      etag: stored.etag,
    };
  }

  // ---------------------------------------------------------------- writes

  async create(principal: Principal, enterpriseId: string, input: CreateSmsGroup): Promise<SmsGroupView> {
    await this.adminOf(principal, enterpriseId, 'create SMS groups');
    const name = input.name.trim();
    const ownerIds = unique(input.ownerIds);
    const memberIds = unique([...ownerIds, ...(input.memberIds ?? [])]);
    const number = input.number ? canonicalNumber(input.number, 'number', input.defaultCountry as CountryCode | undefined) : null;
    this.checkShape(name, ownerIds, memberIds);
    await this.checkUsers(enterpriseId, { ownerIds, memberIds: input.memberIds ?? [] });
    const taken = await this.deps.groups.byName(enterpriseId, name);
    if (taken) throw this.nameTaken(name, taken.value.name);

    const at = this.now().toISOString();
    const group: SmsGroup = { enterpriseId, id: randomUUID(), name, number, ownerIds, memberIds, createdAt: at, updatedAt: at };
    const moved = await this.moveNumber(group, null, number);
    let saved: Stored<SmsGroup>;
    try {
      saved = await this.deps.groups.create(group);
    } catch (error) {
      await this.undoMove(enterpriseId, moved);
      throw error;
    }
    if (number && ownerIds.length > 0) this.listener?.invalidate(enterpriseId);
    await this.deps.activity.record({
      scope: enterpriseId,
      actor: actorOf(principal),
      action: 'smsgroup.created',
      entity: { type: 'smsgroup', id: group.id, name },
      summary: `Created the SMS group ${name}${number ? ` on ${formatInternational(number)}` : ''} with ${memberIds.length} member${memberIds.length === 1 ? '' : 's'}.`,
      after: { name, number, ownerIds, memberIds },
    });
    return this.view(saved);
  }

  async update(principal: Principal, enterpriseId: string, groupId: string, etag: string, patch: UpdateSmsGroup): Promise<SmsGroupView> {
    await this.adminOf(principal, enterpriseId, 'change SMS groups');
    const current = await this.requireGroup(enterpriseId, groupId, etag);
    const before = current.value;
    const name = patch.name?.trim() ?? before.name;
    const ownerIds = patch.ownerIds ? unique(patch.ownerIds) : before.ownerIds;
    const memberIds = unique([...ownerIds, ...(patch.memberIds ?? before.memberIds)]);
    const number = patch.number === undefined ? before.number : patch.number === null ? null : canonicalNumber(patch.number, 'number', patch.defaultCountry as CountryCode | undefined);
    this.checkShape(name, ownerIds, memberIds);
    const next: SmsGroup = { ...before, name, ownerIds, memberIds, number };
    const diff = changes({ name: before.name, number: before.number, ownerIds: before.ownerIds, memberIds: before.memberIds }, { name, number, ownerIds, memberIds });
    if (Object.keys(diff.after).length === 0) return this.view(current);

    // Only people joining are checked: a member removed from the directory later does not block a rename.
    await this.checkUsers(enterpriseId, {
      ownerIds: ownerIds.filter((id) => !before.memberIds.includes(id)),
      memberIds: (patch.memberIds ?? []).filter((id) => !before.memberIds.includes(id)),
    });
    if (groupNameKey(name) !== groupNameKey(before.name)) {
      const taken = await this.deps.groups.byName(enterpriseId, name);
      if (taken && taken.value.id !== groupId) throw this.nameTaken(name, taken.value.name);
    }

    next.updatedAt = this.now().toISOString();
    const moved = await this.moveNumber(next, before.number, number);
    let saved: Stored<SmsGroup>;
    try {
      saved = await this.deps.groups.update(current, next);
    } catch (error) {
      await this.undoMove(enterpriseId, moved);
      throw error;
    }
    if (before.number !== number || (number && !sameIds([...before.ownerIds].sort(), [...ownerIds].sort()))) this.listener?.invalidate(enterpriseId);
    await this.deps.activity.record({
      scope: enterpriseId,
      actor: actorOf(principal),
      action: 'smsgroup.updated',
      entity: { type: 'smsgroup', id: groupId, name },
      summary: `Changed the SMS group ${name}: ${this.describeChange(before, next)}.`,
      ...diff,
    });
    return this.view(saved);
  }

  async delete(principal: Principal, enterpriseId: string, groupId: string, etag: string): Promise<void> {
    await this.adminOf(principal, enterpriseId, 'delete SMS groups');
    const current = await this.requireGroup(enterpriseId, groupId, etag);
    const group = current.value;
    await this.deps.groups.delete(current);
    if (group.number) await this.releaseNumber(enterpriseId, group.id, group.number);
    if (group.number && group.ownerIds.length > 0) this.listener?.invalidate(enterpriseId);
    await this.deps.activity.record({
      scope: enterpriseId,
      actor: actorOf(principal),
      action: 'smsgroup.deleted',
      entity: { type: 'smsgroup', id: groupId, name: group.name },
      summary: `Deleted the SMS group ${group.name}${group.number ? `; released ${formatInternational(group.number)}` : ''}.`,
      before: { name: group.name, number: group.number, ownerIds: group.ownerIds, memberIds: group.memberIds },
      after: null,
    });
  }

  private describeChange(before: SmsGroup, after: SmsGroup): string {
    const parts: string[] = [];
    if (before.name !== after.name) parts.push(`renamed from ${before.name}`);
    if (before.number !== after.number) {
      parts.push(after.number ? `number ${before.number ? `${formatInternational(before.number)} → ` : ''}${formatInternational(after.number)}` : `released ${formatInternational(before.number!)}`);
    }
    const joined = after.memberIds.filter((id) => !before.memberIds.includes(id)).length;
    const left = before.memberIds.filter((id) => !after.memberIds.includes(id)).length;
    if (joined > 0) parts.push(`${joined} member${joined === 1 ? '' : 's'} added`);
    if (left > 0) parts.push(`${left} member${left === 1 ? '' : 's'} removed`);
    if (!sameIds([...before.ownerIds].sort(), [...after.ownerIds].sort())) parts.push('owners changed');
    return parts.join('; ') || 'no visible change';
  }

  private nameTaken(requested: string, existing: string): ConflictError {
    const message = `An SMS group named "${existing}" already exists (names ignore case); choose another name than "${requested}".`;
    return new ConflictError(message, [{ path: 'name', message }]);
  }

  /** The list rules the API schema also states, for callers inside the process. */
  private checkShape(name: string, ownerIds: readonly string[], memberIds: readonly string[]): void {
    const issues: Array<{ path: string; message: string }> = [];
    if (name === '') issues.push({ path: 'name', message: 'Give the group a name.' });
    else if (name.length > MAX_GROUP_NAME_LENGTH) issues.push({ path: 'name', message: `A group name has at most ${MAX_GROUP_NAME_LENGTH} characters.` });
    if (ownerIds.length === 0) issues.push({ path: 'ownerIds', message: 'An SMS group needs at least one owner.' });
    if (ownerIds.length > MAX_GROUP_OWNERS) issues.push({ path: 'ownerIds', message: `An SMS group has at most ${MAX_GROUP_OWNERS} owners.` });
    if (memberIds.length > MAX_GROUP_MEMBERS) issues.push({ path: 'memberIds', message: `An SMS group has at most ${MAX_GROUP_MEMBERS} members, owners included.` });
    if (issues.length > 0) throw new ValidationError(issues.map((issue) => issue.message).join(' '), issues);
  }

  /** Users joining must exist in the directory and not be removed. */
  private async checkUsers(enterpriseId: string, ids: { ownerIds: readonly string[]; memberIds: readonly string[] }): Promise<void> {
    const all = unique([...ids.ownerIds, ...ids.memberIds]);
    if (all.length === 0) return;
    const found = await this.deps.users.getMany(enterpriseId, all);
    const issues: Array<{ path: string; message: string }> = [];
    for (const field of ['ownerIds', 'memberIds'] as const) {
      ids[field].forEach((id, i) => {
        const user = found.get(id)?.value;
        if (!user) issues.push({ path: `${field}.${i}`, message: `No user with id "${id}" in this enterprise's directory.` });
        else if (user.removed) issues.push({ path: `${field}.${i}`, message: `${userLabel(user)} was removed from the Microsoft 365 directory and cannot join an SMS group.` });
      });
    }
    if (issues.length > 0) throw new ValidationError(issues.map((issue) => issue.message).join(' '), issues);
  }

  // ---------------------------------------------------------------- the group's number

  /**
   * Claims `to` for the group and releases `from` (or, when they are the same, brings
   * the holder name up to date after a rename): one conditional transaction, tried
   * again from fresh reads when a number changes meanwhile. A number held by someone
   * else is a ConflictError naming them. Answers what to undo if the group write fails.
   */
  private async moveNumber(group: SmsGroup, from: string | null, to: string | null): Promise<Array<{ saved: Stored<PhoneNumberEntry>; previous: PhoneNumberEntry }>> {
    const enterpriseId = group.enterpriseId;
    const holder: NumberHolder = { type: 'group', id: group.id, name: group.name };
    const isOurs = (entry: PhoneNumberEntry | undefined) => entry?.holder?.type === 'group' && entry.holder.id === group.id;
    if (from === null && to === null) return [];
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const read = await this.deps.numbers.read(enterpriseId, [from, to].filter((n): n is string => n !== null));
      const updatedAt = this.now().toISOString();
      const planned: Array<{ current: Stored<PhoneNumberEntry>; next: PhoneNumberEntry }> = [];
      if (to !== null) {
        const target = read.get(to);
        const display = formatInternational(to);
        if (!target) throw new ValidationError(`${display} is not in the number inventory; add it on the Numbers page first.`, [{ path: 'number', message: 'Not in the number inventory.' }]);
        if (target.value.holder && !isOurs(target.value)) {
          const message = `${display} is assigned to ${describeHolder(target.value.holder)}; unassign it first.`;
          throw new ConflictError(message, [{ path: 'number', message }]);
        }
        if (!isOurs(target.value) && !target.value.capabilities.sms) {
          throw new ValidationError(`${display} cannot do SMS; turn SMS on for it on the Numbers page first.`, [{ path: 'number', message: 'Not SMS-capable.' }]);
        }
        if (!isOurs(target.value) || target.value.holder!.name !== group.name) planned.push({ current: target, next: { ...target.value, holder, updatedAt } });
      }
      if (from !== null && from !== to) {
        const old = read.get(from);
        if (old && isOurs(old.value)) planned.push({ current: old, next: { ...old.value, holder: null, updatedAt } });
      }
      try {
        const saved = await this.deps.numbers.transact(planned);
        this.deps.cache.apply(enterpriseId, saved);
        return saved.map((stored, i) => ({ saved: stored, previous: planned[i]!.current.value }));
      } catch (error) {
        if (!(error instanceof NumbersChangedError)) throw error;
      }
    }
    throw new ConflictError('The numbers kept changing while saving the SMS group; reload and try again.');
  }

  private async undoMove(enterpriseId: string, moved: ReadonlyArray<{ saved: Stored<PhoneNumberEntry>; previous: PhoneNumberEntry }>): Promise<void> {
    if (moved.length === 0) return;
    try {
      const restored = await this.deps.numbers.transact(moved.map(({ saved, previous }) => ({ current: saved, next: { ...previous, updatedAt: this.now().toISOString() } })));
      this.deps.cache.apply(enterpriseId, restored);
    } catch {
      this.deps.cache.invalidate(enterpriseId);
    }
  }

  /** Releases the number if (and only if) this group still holds it. */
  private async releaseNumber(enterpriseId: string, groupId: string, number: string): Promise<void> {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const current = await this.deps.numbers.get(enterpriseId, number);
      if (!current || current.value.holder?.type !== 'group' || current.value.holder.id !== groupId) return;
      try {
        const saved = await this.deps.numbers.transact([{ current, next: { ...current.value, holder: null, updatedAt: this.now().toISOString() } }]);
        this.deps.cache.apply(enterpriseId, saved);
        return;
      } catch (error) {
        if (!(error instanceof NumbersChangedError)) throw error;
      }
    }
  }
}

