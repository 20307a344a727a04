/**
 * Graph's own shapes, as the simulator serves them. Kept apart from the product's
 * domain types on purpose: the simulator imitates Microsoft Graph, it does not share
 * assumptions with the code under test.
 */

/** Service plan ids in `assignedPlans` (the values Microsoft publishes). */
export const SERVICE_PLANS = {
  teams: { servicePlanId: '57ff2da0-773e-42df-b2af-ffb7a2317929', service: 'TeamspaceAPI' }, // TEAMS1
  teamsPhone: { servicePlanId: '4828c8ec-dc2e-4779-b502-87ac9ce28ab7', service: 'MicrosoftCommunicationsOnline' }, // MCOEV
  exchange: { servicePlanId: 'efb87545-963c-4e0d-99df-69c6916d9eb0', service: 'exchange' }, // EXCHANGE_S_ENTERPRISE
  sharePoint: { servicePlanId: '5dbe027f-2339-4123-9542-606e4d348a72', service: 'SharePoint' }, // SHAREPOINTENTERPRISE
} as const;

export type CapabilityStatus = 'Enabled' | 'Warning' | 'Suspended' | 'Deleted' | 'LockedOut';

export interface AssignedPlan {
  assignedDateTime: string;
  capabilityStatus: CapabilityStatus;
  service: string;
  servicePlanId: string;
}

/** A `microsoft.graph.user` with the properties the simulator knows. */
export interface GraphUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  mail: string | null;
  accountEnabled: boolean;
  userType: 'Member' | 'Guest';
  jobTitle: string | null;
  department: string | null;
  officeLocation: string | null;
  preferredLanguage: string | null;
  mobilePhone: string | null;
  businessPhones: string[];
  assignedPlans: AssignedPlan[];
  createdDateTime: string;
}

/** A `microsoft.graph.group`, plus its direct members (users and nested groups). */
export interface GraphGroup {
  id: string;
  displayName: string;
  description: string | null;
  mail: string | null;
  mailNickname: string;
  mailEnabled: boolean;
  securityEnabled: boolean;
  groupTypes: string[];
  createdDateTime: string;
  /** Direct members that are users. Not a Graph property: read it through `/members`. */
  memberIds: string[];
  /** Direct members that are groups (nesting). Not a Graph property either. */
  groupIds: string[];
}

/** What a demo tenant is generated from; the same seed always gives the same tenant. */
export interface TenantSeed {
  /** Number of users to generate (default 250; 0 for an empty directory). */
  users?: number;
  /** PRNG seed; defaults to a hash of the tenant id. */
  seed?: number;
  /** Default domain, e.g. `contoso.onmicrosoft.com` (default derived from displayName). */
  domain?: string;
  /** Organization name (default `Contoso`). */
  displayName?: string;
}

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v1.0/users/delta`. */
  path: string;
  /** The query string, decoded, without `?` (e.g. `$deltatoken=...`): easy to assert with `includes`. */
  query: string;
  /** The same, parsed (last value wins). */
  params: Record<string, string>;
  /** The tenant the request was for (from the URL on Entra routes, from the token on Graph routes). */
  tenantId: string | null;
  status: number;
  /** `entra` = discovery and token endpoints; `graph` = everything under /v1.0. */
  kind: 'entra' | 'graph' | 'other';
}
