import type { Enterprise, Me } from '../../api/types';

export interface NumbersPageProps {
  enterprise: Enterprise;
  me: Me;
  readOnly: boolean;
}

/** The enterprise's numbers page. */
export function NumbersPage(_props: NumbersPageProps) {
  return null;
}
