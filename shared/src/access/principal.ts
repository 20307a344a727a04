/** Who is calling, as established from a validated token. */
export const roles = ['provider-admin', 'global-admin', 'enterprise-admin', 'user'] as const;
export type Role = (typeof roles)[number];

export interface Principal {
  /** Entra object id (`oid`) of the signed-in user. */
  userId: string;
  name: string;
  tenantId: string;
  role: Role;
  /** For provider admins: their provider, identified by the provider's tenant id. */
  providerId?: string;
  /** For everyone else: the enterprise their tenant belongs to. */
  enterpriseId?: string;
}

/** Who did something, as the activity feed records it. */
export interface Actor {
  id: string;
  name: string;
  role: Role | 'system';
}

export function actorOf(principal: Principal): Actor {
  return { id: principal.userId, name: principal.name, role: principal.role };
}

export const systemActor: Actor = { id: 'system', name: 'Switchboard', role: 'system' };
