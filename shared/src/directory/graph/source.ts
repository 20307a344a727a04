import { UpstreamError, UpstreamUnavailableError } from '../../errors';

/**
 * What the directory sync needs from Microsoft Graph, in Graph's own terms. The
 * production implementation is MsGraphDirectory; tests run it against the
 * project's Graph simulator.
 */
export interface GraphAssignedPlan {
  servicePlanId?: string;
  capabilityStatus?: string;
}

export interface GraphUser {
  id: string;
  userPrincipalName?: string;
  displayName?: string | null;
  mail?: string | null;
  accountEnabled?: boolean;
  userType?: string | null;
  assignedPlans?: GraphAssignedPlan[];
  /** Present in delta answers for users deleted from the directory. */
  '@removed'?: { reason?: string };
}

export interface GraphGroup {
  id: string;
  displayName: string;
  description?: string | null;
}

export interface GraphPage<T> {
  items: T[];
  nextLink?: string;
  /** Only on the last page of a delta enumeration: where the next delta starts. */
  deltaLink?: string;
}

export interface DirectorySource {
  /** One page of `/users/delta`: from the start (no link), a nextLink, or a deltaLink. */
  usersDelta(tenantId: string, link?: string): Promise<GraphPage<GraphUser>>;
  /** One page of a group's transitive user members, with the same fields as the delta. */
  groupMembers(tenantId: string, groupId: string, link?: string): Promise<GraphPage<GraphUser>>;
  /** One page of the tenant's groups, optionally those whose name starts with `search`. */
  groups(tenantId: string, options?: { search?: string; link?: string }): Promise<GraphPage<GraphGroup>>;
}

/** Graph said the delta link is no longer valid: the sync must start over with a full read. */
export class DeltaExpiredError extends Error {}

/** Graph (or the network) failed in a way worth retrying later: throttling, 5xx, timeouts. */
export class GraphUnavailableError extends UpstreamUnavailableError {
  constructor(message: string, readonly retryAfterMs?: number) {
    super(message);
  }
}

/** Graph refused the request (credentials, consent, a bad request): retrying will not help. */
export class GraphRequestFailedError extends UpstreamError {}

/** The user properties the sync reads. */
export const USER_SELECT = ['id', 'userPrincipalName', 'displayName', 'mail', 'accountEnabled', 'userType', 'assignedPlans'] as const;
