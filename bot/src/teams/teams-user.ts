import type { Activity } from 'botbuilder';
import type { Services } from '@switchboard/shared';

/** Who a Teams activity comes from, in Switchboard's terms. */
export type TeamsUser =
  | { kind: 'user'; enterpriseId: string; userId: string; name: string; tenantId: string }
  /** The tenant has no Switchboard enterprise. */
  | { kind: 'unknown-tenant'; tenantId: string | undefined }
  /** The enterprise exists but its directory does not (yet) hold this person. */
  | { kind: 'unknown-user'; enterpriseId: string; tenantId: string };

/** The tenant id Teams puts on an activity (channelData first: the conversation's may be absent). */
export function tenantIdOf(activity: Partial<Activity>): string | undefined {
  const channelData = activity.channelData as { tenant?: { id?: string } } | undefined;
  return (channelData?.tenant?.id ?? activity.conversation?.tenantId)?.toLowerCase();
}

/**
 * Maps the sender of an activity to an enterprise and a directory user: the tenant
 * picks the enterprise, the Entra object id (`from.aadObjectId`) is the user's id.
 */
export async function resolveTeamsUser(services: Services, activity: Partial<Activity>): Promise<TeamsUser> {
  const tenantId = tenantIdOf(activity);
  if (!tenantId) return { kind: 'unknown-tenant', tenantId };
  const enterprise = await services.enterpriseRepository.byTenant(tenantId);
  if (!enterprise) return { kind: 'unknown-tenant', tenantId };
  const enterpriseId = enterprise.value.id;
  const aadObjectId = activity.from?.aadObjectId?.toLowerCase();
  if (!aadObjectId) return { kind: 'unknown-user', enterpriseId, tenantId };
  const found = await services.userRepository.getMany(enterpriseId, [aadObjectId]);
  const user = found.get(aadObjectId)?.value;
  if (!user || user.removed) return { kind: 'unknown-user', enterpriseId, tenantId };
  return { kind: 'user', enterpriseId, userId: user.id, name: user.displayName, tenantId };
}
