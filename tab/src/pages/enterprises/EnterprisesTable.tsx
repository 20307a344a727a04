import {
  Avatar,
  Link,
  Table,
  TableBody,
  TableCell,
  TableCellLayout,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
  type SortDirection,
} from '@fluentui/react-components';
import { useMemo, useState } from 'react';
import type { Enterprise } from '../../api/types';
import { formatDate, formatDateTime } from '../../format/dates';
import { hrefFor } from '../../routing/routes';
import { navigate } from '../../routing/useHashRoute';
import { ConsentBadge } from './ConsentBadge';

const useStyles = makeStyles({
  scroller: { overflowX: 'auto' },
  table: { minWidth: '720px' },
  nameColumn: { width: '28%' },
  tenantColumn: { width: '32%' },
  consentColumn: { width: '24%' },
  row: { cursor: 'pointer' },
  tenant: { whiteSpace: 'nowrap', fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, color: tokens.colorNeutralForeground2 },
  name: { fontWeight: tokens.fontWeightSemibold },
});

type SortKey = 'name' | 'tenantId' | 'consent' | 'createdAt';

const compare: Record<SortKey, (a: Enterprise, b: Enterprise) => number> = {
  name: (a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }),
  tenantId: (a, b) => a.tenantId.localeCompare(b.tenantId),
  consent: (a, b) => Number(b.settings.allowProviderManagement) - Number(a.settings.allowProviderManagement),
  createdAt: (a, b) => a.createdAt.localeCompare(b.createdAt),
};

const settingsHref = (e: Enterprise) => hrefFor({ page: 'settings', enterpriseId: e.id });

/** The provider's enterprises; the name opens the enterprise, headers sort. */
export function EnterprisesTable({ items }: { items: Enterprise[] }) {
  const styles = useStyles();
  const [sort, setSort] = useState<{ key: SortKey; direction: SortDirection }>({ key: 'name', direction: 'ascending' });

  const rows = useMemo(() => {
    const sorted = [...items].sort(compare[sort.key]);
    return sort.direction === 'ascending' ? sorted : sorted.reverse();
  }, [items, sort]);

  const header = (key: SortKey) => ({
    sortDirection: sort.key === key ? sort.direction : undefined,
    onClick: () =>
      setSort((s) => ({ key, direction: s.key === key && s.direction === 'ascending' ? 'descending' : 'ascending' })),
  });

  return (
    <div className={styles.scroller}>
      <Table sortable aria-label="Enterprises" className={styles.table}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell className={styles.nameColumn} {...header('name')}>
              Name
            </TableHeaderCell>
            <TableHeaderCell className={styles.tenantColumn} {...header('tenantId')}>Microsoft tenant ID</TableHeaderCell>
            <TableHeaderCell className={styles.consentColumn} {...header('consent')}>Provider management</TableHeaderCell>
            <TableHeaderCell {...header('createdAt')}>Created</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((enterprise) => (
            // The whole row is a mouse target; keyboard and screen-reader users get the name link.
            <TableRow key={enterprise.id} className={styles.row} onClick={() => navigate(settingsHref(enterprise))}>
              <TableCell>
                <TableCellLayout media={<Avatar name={enterprise.name} shape="square" size={28} aria-hidden="true" />}>
                  <Link href={settingsHref(enterprise)} className={styles.name} onClick={(event) => event.stopPropagation()}>
                    {enterprise.name}
                  </Link>
                </TableCellLayout>
              </TableCell>
              <TableCell>
                <span className={styles.tenant}>{enterprise.tenantId}</span>
              </TableCell>
              <TableCell>
                <ConsentBadge allowed={enterprise.settings.allowProviderManagement} />
              </TableCell>
              <TableCell>
                <time dateTime={enterprise.createdAt} title={formatDateTime(enterprise.createdAt)}>
                  {formatDate(enterprise.createdAt)}
                </time>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
