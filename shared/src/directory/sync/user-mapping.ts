import type { GraphUser } from '../graph/source';
import { licensesFrom, newDirectoryUser, type DirectoryUser, type GraphOwnedFields } from '../user';



function graphOwned(user: GraphUser): GraphOwnedFields {
  return {
    userPrincipalName: user.userPrincipalName ?? user.id,
    displayName: user.displayName ?? user.userPrincipalName ?? '',
    mail: user.mail ?? null,
    accountEnabled: user.accountEnabled !== false,
    userType: user.userType ?? 'Member',
    ...licensesFrom(user.assignedPlans),
  };
}

const GRAPH_OWNED_KEYS = ['userPrincipalName', 'displayName', 'mail', 'accountEnabled', 'userType', 'teamsLicensed', 'teamsPhoneLicensed'] as const;

const sameGraphFields = (user: DirectoryUser, fields: GraphOwnedFields) => GRAPH_OWNED_KEYS.every((key) => user[key] === fields[key]);

/**
 * Merges a Graph user into what we have. Returns undefined when nothing would
 * change (so an unchanged user costs no write), unless `touch` asks to record that
 * the user was seen in this run.
 */
export function mergeGraphUser(
  existing: DirectoryUser | undefined,
  graphUser: GraphUser,
  context: { enterpriseId: string; now: string; inSelection: boolean; touch: boolean },
): DirectoryUser | undefined {
  const fields = graphOwned(graphUser);
  if (!existing) {
    return newDirectoryUser({ enterpriseId: context.enterpriseId, id: graphUser.id, ...fields }, context.now, { inSelection: context.inSelection });
  }
  const unchanged = sameGraphFields(existing, fields) && !existing.removed && existing.inSelection === context.inSelection;
  if (unchanged && !context.touch) return undefined;
  return { ...existing, ...fields, removed: false, inSelection: context.inSelection, syncedAt: context.now, updatedAt: unchanged ? existing.updatedAt : context.now };
}

/** A user deleted from the directory: kept for the record, its SMS numbers released. */
export function markRemoved(existing: DirectoryUser, now: string): DirectoryUser {
  return { ...existing, removed: true, sms: { enabled: false, numbers: [] }, syncedAt: now, updatedAt: now };
}
