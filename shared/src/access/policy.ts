import type { Enterprise } from '../enterprises/schema';
import { ForbiddenError, NotFoundError } from '../errors';
import type { Principal, Role } from './principal';

/**
 * The access rules in one place. The guiding rule: a caller learns nothing about
 * enterprises that are not theirs (404, never 403), and is told plainly (403) when
 * they may see something but not do this with it.
 */
export function requireRole(principal: Principal, allowed: readonly Role[], action: string): void {
  if (!allowed.includes(principal.role)) {
    throw new ForbiddenError(`Your role (${principal.role}) cannot ${action}. Ask an administrator of your organisation.`);
  }
}

/** True when the enterprise is within the caller's reach at all. */
export function canSee(principal: Principal, enterprise: Enterprise): boolean {
  if (principal.role === 'provider-admin') return enterprise.providerId === principal.providerId;
  return enterprise.id === principal.enterpriseId;
}

/** Returns the enterprise if the caller may see it; otherwise it does not exist for them. */
export function visibleEnterprise(principal: Principal, enterprise: Enterprise | undefined, id: string): Enterprise {
  if (!enterprise || !canSee(principal, enterprise)) throw new NotFoundError(`No enterprise with id "${id}".`);
  return enterprise;
}

const ENTERPRISE_ADMINS: readonly Role[] = ['provider-admin', 'global-admin', 'enterprise-admin'];

/**
 * Checks that the caller may administer the enterprise: its own admins always,
 * its provider's admins only while the enterprise allows management by its provider.
 */
export function requireAdminOf(principal: Principal, enterprise: Enterprise | undefined, id: string, action = 'administer this enterprise'): Enterprise {
  const visible = visibleEnterprise(principal, enterprise, id);
  requireRole(principal, ENTERPRISE_ADMINS, action);
  if (principal.role === 'provider-admin' && !visible.settings.allowProviderManagement) {
    throw new ForbiddenError(`${visible.name} has not allowed management by its service provider. Its global admin can allow it in Settings.`);
  }
  return visible;
}
