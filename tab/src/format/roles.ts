import type { Role } from '../api/types';

const labels: Record<Role, string> = {
  'provider-admin': 'Provider admin',
  'global-admin': 'Global admin',
  'enterprise-admin': 'Enterprise admin',
  user: 'User',
};

/** Human label for a role; unknown roles (from the activity feed) are shown as sent. */
export const roleLabel = (role: string): string => labels[role as Role] ?? role.charAt(0).toUpperCase() + role.slice(1);

export const isEnterpriseAdmin = (role: Role): boolean => role === 'global-admin' || role === 'enterprise-admin';
