import type { Enterprise, Me } from '../../api/types';

export interface UsersPageProps {
  enterprise: Enterprise;
  me: Me;
  readOnly: boolean;
}

/** The enterprise's users page. */
export function UsersPage(_props: UsersPageProps) {
  return null;
}
