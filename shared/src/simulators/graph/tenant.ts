import { Random } from './random';
import { buildUser, generateDirectory, plan, type UserContext } from './seed';
import { SERVICE_PLANS, type GraphGroup, type GraphUser, type TenantSeed } from './types';

/** What tests and the dev server do to a simulated directory between Graph reads. */
export interface SimulatedTenant {
  readonly id: string;
  readonly displayName: string;
  readonly domain: string;
  /** Live users (not removed), in creation order; copies. */
  users(): GraphUser[];
  user(id: string): GraphUser | undefined;
  groups(): GraphGroup[];
  group(id: string): GraphGroup | undefined;
  /** Adds a user; missing fields are generated (name, UPN, id ...). Throws on a taken UPN or id. */
  addUser(partial?: Partial<GraphUser>): GraphUser;
  /** Changes a live user's properties (not its id). */
  updateUser(id: string, patch: Partial<Omit<GraphUser, 'id'>>): GraphUser;
  /**
   * Deletes a user. Delta then reports `{ id, '@removed': { reason } }`: Graph says
   * `changed` for a soft delete (recycle bin) and `deleted` for a permanent one.
   */
  removeUser(id: string, options?: { reason?: 'deleted' | 'changed' }): void;
  /**
   * Assigns (true) or removes (false) the Teams / Teams Phone plan; undefined leaves it.
   * Removing keeps the `assignedPlans` entry with capabilityStatus `Deleted`, as Graph does.
   */
  setLicense(id: string, licenses: { teams?: boolean; teamsPhone?: boolean }): GraphUser;
  /** `memberIds` may hold user or group ids; `groupIds` only group ids (nesting). */
  addGroup(group: { displayName: string; memberIds?: string[]; groupIds?: string[]; description?: string; id?: string }): GraphGroup;
  /** Replaces a group's direct members; `memberIds` may hold user and group ids alike. */
  setGroupMembers(groupId: string, memberIds: string[]): GraphGroup;
  /**
   * Every delta link and delta skip token issued so far fails from now on: with 410
   * `resyncRequired` (default), or with what Graph answers for an identity delta link
   * older than 7 days, 400 `syncStateNotFound`. Either way the client must start over.
   */
  expireDeltaTokens(options?: { error?: DeltaExpiry }): void;
  /** Increases with every change; delta tokens remember it. */
  readonly sequence: number;
}

/** A user and its history, in creation order. Removed users stay as tombstones. */
export interface UserRecord {
  user: GraphUser;
  removed: { seq: number; reason: 'deleted' | 'changed' } | null;
  /** Sequence number of this user's latest change-log entry (0 before any). */
  lastChangeSeq: number;
}

/** One user change; `previousSeq` lets a delta round keep only a user's first entry cheaply. */
export interface ChangeEntry {
  seq: number;
  userId: string;
  previousSeq: number;
}

export type DeltaExpiry = 'resyncRequired' | 'syncStateNotFound';

const clone = <T>(value: T): T => structuredClone(value);

/** Users are read in bulk (50,000 at a time): a shallow copy of their two arrays is enough and fast. */
const cloneUser = (user: GraphUser): GraphUser => ({ ...user, businessPhones: [...user.businessPhones], assignedPlans: user.assignedPlans.map((p) => ({ ...p })) });

/**
 * A tenant's directory. Users live in an append-only array in creation order, so a
 * full enumeration can page by position against a snapshot (positions never move);
 * changes go to a log ordered by sequence, so a delta round reads only what changed,
 * and every page costs O(page size), whatever the directory size.
 */
export class TenantState implements SimulatedTenant {
  readonly records: UserRecord[] = [];
  readonly changes: ChangeEntry[] = [];
  private readonly byId = new Map<string, UserRecord>();
  /** UPNs in use, lower case. */
  private readonly upns: Set<string>;
  private readonly upnCounters: Map<string, number>;
  private readonly groupList: GraphGroup[] = [];
  private readonly groupsById = new Map<string, GraphGroup>();
  private readonly transitiveCache = new Map<string, { seq: number; userIds: string[]; groupIds: string[] }>();
  private readonly rng: Random;
  private seq = 0;
  /** Bumped by expireDeltaTokens(); tokens carry the epoch they were issued in. */
  epoch = 0;
  /** How tokens from an earlier epoch are refused. */
  expiry: DeltaExpiry = 'resyncRequired';
  readonly displayName: string;
  readonly domain: string;

  constructor(readonly id: string, seed: TenantSeed = {}) {
    const directory = generateDirectory(id, seed);
    this.displayName = directory.displayName;
    this.domain = directory.domain;
    this.rng = directory.rng;
    this.upns = directory.upns;
    this.upnCounters = directory.upnCounters;
    // The seeded directory is the state before the first change: sequence 0, no log.
    // Generated ids and UPNs are unique and lower case already: no checks needed.
    for (const user of directory.users) {
      const record: UserRecord = { user, removed: null, lastChangeSeq: 0 };
      this.records.push(record);
      this.byId.set(user.id, record);
    }
    for (const group of directory.groups) this.insertGroup(group);
  }

  get sequence(): number {
    return this.seq;
  }

  // --- reads ---

  record(id: string): UserRecord | undefined {
    return this.byId.get(id.toLowerCase());
  }

  /** A live user by id or UPN (Graph accepts either in /users/{id}). */
  liveRecord(idOrUpn: string): UserRecord | undefined {
    const byId = this.record(idOrUpn);
    if (byId) return byId.removed ? undefined : byId;
    const upn = idOrUpn.toLowerCase();
    return this.records.find((r) => !r.removed && r.user.userPrincipalName.toLowerCase() === upn);
  }

  users(): GraphUser[] {
    return this.records.filter((r) => !r.removed).map((r) => cloneUser(r.user));
  }

  user(id: string): GraphUser | undefined {
    const record = this.record(id);
    return record && !record.removed ? cloneUser(record.user) : undefined;
  }

  groups(): GraphGroup[] {
    return this.groupList.map((g) => this.groupView(g));
  }

  group(id: string): GraphGroup | undefined {
    const group = this.groupsById.get(id.toLowerCase());
    return group && this.groupView(group);
  }

  /** Groups in creation order, live objects: for the server only. */
  get groupRecords(): readonly GraphGroup[] {
    return this.groupList;
  }

  groupRecord(id: string): GraphGroup | undefined {
    return this.groupsById.get(id.toLowerCase());
  }

  /** A group as callers see it: members that were deleted meanwhile are gone. */
  private groupView(group: GraphGroup): GraphGroup {
    return { ...clone(group), memberIds: group.memberIds.filter((id) => this.isLiveUser(id)) };
  }

  private isLiveUser(id: string): boolean {
    const record = this.record(id);
    return record !== undefined && !record.removed;
  }

  /**
   * Users and groups reachable from the group through nesting, each once, in discovery
   * order (direct members first). Cached until the next change, so paging a big group
   * stays cheap.
   */
  transitiveMembers(groupId: string): { userIds: string[]; groupIds: string[] } {
    const key = groupId.toLowerCase();
    const cached = this.transitiveCache.get(key);
    if (cached && cached.seq === this.seq) return cached;
    const seenGroups = new Set<string>();
    const seenUsers = new Set<string>();
    const queue = [key];
    while (queue.length > 0) {
      const group = this.groupsById.get(queue.shift()!.toLowerCase());
      if (!group || seenGroups.has(group.id)) continue; // cycles are legal in Entra: visit each group once
      seenGroups.add(group.id);
      for (const userId of group.memberIds) if (this.isLiveUser(userId)) seenUsers.add(userId);
      queue.push(...group.groupIds);
    }
    const root = this.groupsById.get(key);
    if (root) seenGroups.delete(root.id);
    const members = { seq: this.seq, userIds: [...seenUsers], groupIds: [...seenGroups] };
    this.transitiveCache.set(key, members);
    return members;
  }

  /** Index of the first change-log entry after `seq` (binary search: the log is ordered). */
  firstChangeAfter(seq: number): number {
    let low = 0;
    let high = this.changes.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.changes[mid]!.seq <= seq) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  // --- changes ---

  private bump(): number {
    return ++this.seq;
  }

  private logChange(record: UserRecord): void {
    const seq = this.bump();
    this.changes.push({ seq, userId: record.user.id, previousSeq: record.lastChangeSeq });
    record.lastChangeSeq = seq;
  }

  private insert(user: GraphUser): UserRecord {
    const key = user.id.toLowerCase();
    if (this.byId.has(key) || this.groupsById.has(key)) throw new Error(`Object id ${user.id} already exists in tenant ${this.id}.`);
    const upn = user.userPrincipalName.toLowerCase();
    if (this.upns.has(upn)) throw new Error(`Another user already has the userPrincipalName ${user.userPrincipalName}.`);
    const record: UserRecord = { user, removed: null, lastChangeSeq: 0 };
    this.records.push(record);
    this.byId.set(key, record);
    this.upns.add(upn);
    return record;
  }

  private liveOrThrow(id: string): UserRecord {
    const record = this.record(id);
    if (!record || record.removed) throw new Error(`No user ${id} in tenant ${this.id}.`);
    return record;
  }

  private userContext(): UserContext {
    return { domain: this.domain, rng: this.rng, isUpnTaken: (upn) => this.upns.has(upn.toLowerCase()), upnCounters: this.upnCounters };
  }

  addUser(partial: Partial<GraphUser> = {}): GraphUser {
    const record = this.insert(buildUser(this.userContext(), clone(partial), new Date().toISOString()));
    this.logChange(record);
    return cloneUser(record.user);
  }

  updateUser(id: string, patch: Partial<Omit<GraphUser, 'id'>>): GraphUser {
    const record = this.liveOrThrow(id);
    const { id: _ignored, ...changes } = clone(patch) as Partial<GraphUser>;
    if (changes.userPrincipalName !== undefined && changes.userPrincipalName.toLowerCase() !== record.user.userPrincipalName.toLowerCase()) {
      const upn = changes.userPrincipalName.toLowerCase();
      if (this.upns.has(upn)) throw new Error(`Another user already has the userPrincipalName ${changes.userPrincipalName}.`);
      this.upns.delete(record.user.userPrincipalName.toLowerCase());
      this.upns.add(upn);
    }
    record.user = { ...record.user, ...changes };
    this.logChange(record);
    return cloneUser(record.user);
  }

  removeUser(id: string, options: { reason?: 'deleted' | 'changed' } = {}): void {
    const record = this.liveOrThrow(id);
    this.upns.delete(record.user.userPrincipalName.toLowerCase());
    this.logChange(record);
    record.removed = { seq: record.lastChangeSeq, reason: options.reason ?? 'deleted' };
  }

  setLicense(id: string, licenses: { teams?: boolean; teamsPhone?: boolean }): GraphUser {
    const record = this.liveOrThrow(id);
    const plans = record.user.assignedPlans.map((p) => ({ ...p }));
    const now = new Date().toISOString();
    for (const kind of ['teams', 'teamsPhone'] as const) {
      const wanted = licenses[kind];
      if (wanted === undefined) continue;
      const existing = plans.find((p) => p.servicePlanId === SERVICE_PLANS[kind].servicePlanId);
      if (existing) {
        existing.capabilityStatus = wanted ? 'Enabled' : 'Deleted';
        existing.assignedDateTime = now;
      } else if (wanted) {
        plans.push(plan(kind, 'Enabled', now));
      }
    }
    return this.updateUser(id, { assignedPlans: plans });
  }

  private insertGroup(group: GraphGroup): void {
    const key = group.id.toLowerCase();
    if (this.groupsById.has(key) || this.byId.has(key)) throw new Error(`Object id ${group.id} already exists in tenant ${this.id}.`);
    this.groupList.push(group);
    this.groupsById.set(key, group);
  }

  /** Splits directory object ids into users and groups; unknown ids are an error. */
  private splitMembers(ids: string[]): { memberIds: string[]; groupIds: string[] } {
    const memberIds: string[] = [];
    const groupIds: string[] = [];
    for (const id of ids) {
      const group = this.groupsById.get(id.toLowerCase());
      if (group) groupIds.push(group.id);
      else memberIds.push(this.liveOrThrow(id).user.id);
    }
    return { memberIds: [...new Set(memberIds)], groupIds: [...new Set(groupIds)] };
  }

  addGroup(input: { displayName: string; memberIds?: string[]; groupIds?: string[]; description?: string; id?: string }): GraphGroup {
    const members = this.splitMembers([...(input.memberIds ?? []), ...(input.groupIds ?? [])]);
    const mailNickname = input.displayName.replace(/[^A-Za-z0-9]/g, '') || 'group';
    const group: GraphGroup = {
      id: input.id ?? this.rng.guid(),
      displayName: input.displayName,
      description: input.description ?? null,
      mail: null,
      mailNickname,
      mailEnabled: false,
      securityEnabled: true,
      groupTypes: [],
      createdDateTime: new Date().toISOString(),
      ...members,
    };
    this.insertGroup(group);
    this.bump();
    return this.groupView(group);
  }

  setGroupMembers(groupId: string, memberIds: string[]): GraphGroup {
    const group = this.groupsById.get(groupId.toLowerCase());
    if (!group) throw new Error(`No group ${groupId} in tenant ${this.id}.`);
    Object.assign(group, this.splitMembers(memberIds));
    this.bump(); // membership is not a user property: users/delta does not change, the sequence does
    return this.groupView(group);
  }

  expireDeltaTokens(options: { error?: DeltaExpiry } = {}): void {
    this.epoch++;
    this.expiry = options.error ?? 'resyncRequired';
  }
}
