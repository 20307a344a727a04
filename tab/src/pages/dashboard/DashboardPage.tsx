import type { Enterprise, Me } from '../../api/types';

export interface DashboardPageProps {
  enterprise: Enterprise;
  me: Me;
  readOnly: boolean;
}

/** The enterprise's dashboard page. */
export function DashboardPage(_props: DashboardPageProps) {
  return null;
}
