import {
  Button,
  Caption1,
  Skeleton,
  SkeletonItem,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Tooltip,
  makeStyles,
  mergeClasses,
  tokens,
  type SortDirection,
} from '@fluentui/react-components';
import { SettingsRegular } from '@fluentui/react-icons';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useRef, type ReactNode } from 'react';
import type { UserSort } from '@switchboard/shared';
import type { UserRow } from '../../api/users';
import { ColumnFilter } from './ColumnFilter';
import { LicenseCell, NumbersCell, ScreenReaderText, ServicesCell, TagsCell } from './UserCells';
import type { UserPages } from './useUserPages';
import { MAX_TAGS_PER_USER, problemAdding } from './tagRules';
import type { UsersFilters } from './usersFilters';

export const ROW_HEIGHT = 52;
const COLUMNS = 'minmax(220px, 2.4fr) minmax(170px, 1.6fr) 96px 130px minmax(160px, 1.8fr) 56px';

const useStyles = makeStyles({
  scroller: {
    position: 'relative',
    overflow: 'auto',
    height: 'max(360px, calc(100vh - 340px))',
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
    ':focus-visible': { outline: `${tokens.strokeWidthThick} solid ${tokens.colorStrokeFocus2}` },
  },
  table: { minWidth: '860px' },
  header: { position: 'sticky', top: 0, zIndex: 1, backgroundColor: tokens.colorNeutralBackground1 },
  row: {
    display: 'grid',
    gridTemplateColumns: COLUMNS,
    alignItems: 'center',
    boxSizing: 'border-box',
  },
  bodyRow: { position: 'absolute', left: 0, right: 0, height: `${ROW_HEIGHT}px` },
  cell: { minWidth: 0, overflow: 'hidden', display: 'flex', alignItems: 'center' },
  headerCell: { minWidth: 0 },
  user: { display: 'flex', flexDirection: 'column', minWidth: 0 },
  username: { fontWeight: tokens.fontWeightSemibold, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  secondary: { color: tokens.colorNeutralForeground2, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  status: { color: tokens.colorPaletteMarigoldForeground2 },
  stale: { opacity: 0.6 },
  placeholder: { width: '100%', display: 'grid', gridTemplateColumns: COLUMNS, gap: tokens.spacingHorizontalM, padding: `0 ${tokens.spacingHorizontalS}` },
});

export interface UsersTableProps {
  pages: UserPages;
  filters: UsersFilters;
  onFiltersChange: (next: UsersFilters) => void;
  /** Opens the SMS User Configuration; undefined when the page is read-only. */
  onConfigure?: (row: UserRow) => void;
  /** Shown instead of the body when nothing matches. */
  empty?: ReactNode;
}

const nextOrder = (filters: UsersFilters, sort: UserSort) => (filters.sort === sort && filters.order === 'asc' ? 'desc' : 'asc');

/**
 * The Users table: Fluent table primitives without native table elements (rows are
 * positioned by the virtualiser), so only the rows on screen exist in the DOM however
 * many users match. Roles and aria-rowcount/rowindex keep it a table for screen readers.
 */
export function UsersTable({ pages, filters, onFiltersChange, onConfigure, empty }: UsersTableProps) {
  const styles = useStyles();
  const scrollerRef = useRef<HTMLDivElement>(null);
  const count = pages.total ?? 0;
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollerRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;

  // Fetch the pages the visible rows need (on scroll, and when a new query arrived).
  useEffect(() => {
    if (count > 0) pages.ensureRange(first, last);
  }, [first, last, count, pages.ensureRange, pages.version]);

  // A new query starts at the top.
  const queryKey = JSON.stringify({ ...filters });
  useEffect(() => {
    scrollerRef.current?.scrollTo({ top: 0 });
  }, [queryKey]);

  const sortHeader = (sort: UserSort) => ({
    sortDirection: (filters.sort === sort ? (filters.order === 'asc' ? 'ascending' : 'descending') : undefined) as SortDirection | undefined,
    onClick: () => onFiltersChange({ ...filters, sort, order: nextOrder(filters, sort) }),
  });

  return (
    <div ref={scrollerRef} className={styles.scroller} role="region" aria-label="Users list" tabIndex={0}>
      <Table noNativeElements sortable aria-label="Users" aria-rowcount={count + 1} className={mergeClasses(styles.table, pages.loading && pages.total !== undefined && styles.stale)}>
        <TableHeader className={styles.header}>
          <TableRow className={styles.row} aria-rowindex={1}>
            <TableHeaderCell
              className={styles.headerCell}
              {...sortHeader('username')}
              aside={
                <ColumnFilter
                  column="Teams username"
                  label="contains"
                  value={filters.username}
                  active={filters.username !== ''}
                  placeholder="e.g. jane"
                  onApply={(username) => onFiltersChange({ ...filters, username })}
                />
              }
            >
              Teams username
            </TableHeaderCell>
            <TableHeaderCell
              className={styles.headerCell}
              {...sortHeader('smsNumbers')}
              aside={
                <ColumnFilter
                  column="SMS numbers"
                  label="contains the digits"
                  value={filters.smsNumber}
                  active={filters.smsNumber !== ''}
                  placeholder="e.g. 425 555"
                  validate={(value) => (value.trim() === '' || /\d/.test(value) ? undefined : 'Give at least one digit of the number.')}
                  onApply={(smsNumber) => onFiltersChange({ ...filters, smsNumber })}
                />
              }
            >
              SMS numbers
            </TableHeaderCell>
            <TableHeaderCell className={styles.headerCell} {...sortHeader('license')}>
              Licenses
            </TableHeaderCell>
            <TableHeaderCell className={styles.headerCell} {...sortHeader('services')}>
              Services
            </TableHeaderCell>
            <TableHeaderCell
              className={styles.headerCell}
              {...sortHeader('tags')}
              aside={
                <ColumnFilter
                  column="User tags"
                  label="has the tag"
                  value=""
                  active={filters.tags.length > 0}
                  placeholder="e.g. Sales"
                  applyLabel="Add filter"
                  validate={(value) => {
                    if (filters.tags.length >= MAX_TAGS_PER_USER) return `A user has at most ${MAX_TAGS_PER_USER} tags: filter by at most ${MAX_TAGS_PER_USER}.`;
                    return problemAdding([], value, true);
                  }}
                  onApply={(tag) => {
                    if (!tag || filters.tags.some((t) => t.toLocaleLowerCase() === tag.toLocaleLowerCase())) return;
                    onFiltersChange({ ...filters, tags: [...filters.tags, tag] });
                  }}
                />
              }
            >
              User tags
            </TableHeaderCell>
            <TableHeaderCell className={styles.headerCell}>
              <ScreenReaderText>Actions</ScreenReaderText>
            </TableHeaderCell>
          </TableRow>
        </TableHeader>
        {pages.total === 0 ? null : pages.total === undefined ? (
          <TableBody>
            <LoadingRows />
          </TableBody>
        ) : (
          <TableBody style={{ position: 'relative', height: `${virtualizer.getTotalSize()}px` }}>
            {items.map((item) => {
              const row = pages.rowAt(item.index);
              return (
                <TableRow
                  key={row?.id ?? `placeholder-${item.index}`}
                  aria-rowindex={item.index + 2}
                  className={mergeClasses(styles.row, styles.bodyRow)}
                  style={{ transform: `translateY(${item.start}px)` }}
                >
                  {row ? <UserCells row={row} onConfigure={onConfigure} /> : <PlaceholderCells />}
                </TableRow>
              );
            })}
          </TableBody>
        )}
      </Table>
      {pages.total === 0 && empty}
    </div>
  );
}

/** One row's cells; memoised, so scrolling and pages arriving re-render only rows that changed. */
const UserCells = memo(function UserCells({ row, onConfigure }: { row: UserRow; onConfigure?: (row: UserRow) => void }) {
  const styles = useStyles();
  const open = onConfigure ? () => onConfigure(row) : undefined;
  const name = row.displayName || row.username;
  const status = row.removed ? 'Removed from the directory' : !row.inSelection ? 'Outside selection' : !row.accountEnabled ? 'Sign-in blocked' : undefined;
  return (
    <>
      <TableCell className={styles.cell}>
        <div className={styles.user}>
          <span className={styles.username} title={row.username}>
            {row.username}
          </span>
          <Caption1 className={styles.secondary}>
            {row.displayName}
            {status && <span className={styles.status}> · {status}</span>}
          </Caption1>
        </div>
      </TableCell>
      <TableCell className={styles.cell}>
        <NumbersCell row={row} onOpen={open} />
      </TableCell>
      <TableCell className={styles.cell}>
        <LicenseCell row={row} />
      </TableCell>
      <TableCell className={styles.cell}>
        <ServicesCell row={row} onOpen={open} />
      </TableCell>
      <TableCell className={styles.cell}>
        <TagsCell row={row} />
      </TableCell>
      <TableCell className={styles.cell}>
        {open && (
          <Tooltip content="Configure SMS and tags" relationship="description">
            <Button appearance="subtle" size="small" icon={<SettingsRegular />} aria-label={`Configure SMS for ${name}`} onClick={open} />
          </Tooltip>
        )}
      </TableCell>
    </>
  );
});

function PlaceholderCells() {
  const styles = useStyles();
  return (
    <TableCell className={styles.cell} aria-label="Loading" style={{ gridColumn: '1 / -1' }}>
      <Skeleton className={styles.placeholder} aria-hidden="true">
        <SkeletonItem size={16} />
        <SkeletonItem size={16} />
        <SkeletonItem size={16} />
        <SkeletonItem size={16} />
        <SkeletonItem size={16} />
      </Skeleton>
    </TableCell>
  );
}

function LoadingRows() {
  const styles = useStyles();
  return (
    <>
      {Array.from({ length: 6 }, (_, i) => (
        <TableRow key={i} className={styles.row} style={{ height: `${ROW_HEIGHT}px` }}>
          <PlaceholderCells />
        </TableRow>
      ))}
    </>
  );
}
