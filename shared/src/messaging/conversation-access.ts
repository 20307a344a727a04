import type { Principal } from '../access/principal';
import { requireAdminOf, visibleEnterprise } from '../access/policy';
import type { EnterpriseRepository } from '../enterprises/repository';
import type { NumberCache } from '../numbers/number-cache';
import type { NumberRepository } from '../numbers/number-repository';
import type { SmsGroupRepository } from '../numbers/sms-group';

export interface ConversationAccessDeps {
  enterprises: EnterpriseRepository;
  numbers: NumberRepository;
  numberCache: NumberCache;
  groups: SmsGroupRepository;
}

/** What a caller may read of an enterprise's conversations. */
export interface ConversationReader {
  principal: Principal;
  enterpriseId: string;
  /** Administrators (and provider admins the enterprise allows) read every conversation. */
  admin: boolean;
}

/**
 * Who sees which conversations: people see those of the enterprise numbers they hold,
 * directly or through an SMS group they belong to; the enterprise's administrators
 * see all. Other enterprises do not exist for the caller (404).
 */
export class ConversationAccess {
  constructor(private readonly deps: ConversationAccessDeps) {}

  async reader(principal: Principal, enterpriseId: string, action: string): Promise<ConversationReader> {
    const stored = await this.deps.enterprises.byId(enterpriseId);
    const enterprise = visibleEnterprise(principal, stored?.value, enterpriseId);
    if (principal.role === 'user') return { principal, enterpriseId, admin: false };
    // Provider admins only where the enterprise allows management by its provider (403 otherwise).
    requireAdminOf(principal, enterprise, enterpriseId, action);
    return { principal, enterpriseId, admin: true };
  }

  /**
   * The numbers the caller holds, directly or through their SMS groups. From the shared
   * number snapshot (write-through here, other processes' changes within its TTL): lists
   * are cheap, and single conversations are checked against storage (`holds`).
   */
  async numbersOf(enterpriseId: string, userId: string): Promise<string[]> {
    const snapshot = await this.deps.numberCache.snapshot(enterpriseId);
    const numbers = new Set(snapshot.heldBy('user', userId));
    for await (const { value: group } of this.deps.groups.all(enterpriseId)) {
      if (group.memberIds.includes(userId)) for (const number of snapshot.heldBy('group', group.id)) numbers.add(number);
    }
    return [...numbers].sort();
  }

  /** Whether the user holds the number now, directly or as a member of the SMS group holding it (read from storage). */
  async holds(enterpriseId: string, userId: string, number: string): Promise<boolean> {
    const holder = (await this.deps.numbers.get(enterpriseId, number))?.value.holder;
    if (!holder) return false;
    if (holder.type === 'user') return holder.id === userId;
    const group = await this.deps.groups.get(enterpriseId, holder.id);
    return group?.value.memberIds.includes(userId) ?? false;
  }
}
