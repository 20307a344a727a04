import {
  Button,
  Caption1,
  Dropdown,
  Option,
  ProgressBar,
  SearchBox,
  Tag,
  TagGroup,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ArrowDownloadRegular, ArrowUploadRegular, DismissRegular, PeopleSearchRegular, PeopleTeamRegular, TagMultipleRegular } from '@fluentui/react-icons';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useAdminApi, useApiClient } from '../../api/ApiContext';
import { toApiError, type ApiError } from '../../api/errors';
import type { Enterprise, Me } from '../../api/types';
import { saveFile, usersApi, type UserRow } from '../../api/users';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBar } from '../../components/ErrorBar';
import { useNotify } from '../../components/notify';
import { hashFilters } from '../../routing/routes';
import { GroupsDialog } from './GroupsDialog';
import { ImportDialog } from './ImportDialog';
import { SmsConfigDialog } from './SmsConfigDialog';
import { TagsDialog } from './TagsDialog';
import { UsersTable } from './UsersTable';
import { useUserPages } from './useUserPages';
import {
  LICENSE_OPTIONS,
  SERVICE_OPTIONS,
  STATUS_OPTIONS,
  activeChips,
  countLabel,
  isFiltered,
  filtersFromLink,
  resetFilters,
  toQuery,
  withoutChip,
  type UsersFilters,
} from './usersFilters';

const useStyles = makeStyles({
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  toolbar: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', justifyContent: 'space-between', flexWrap: 'wrap' },
  filters: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
  search: { width: '280px', maxWidth: '100%' },
  dropdown: { minWidth: '190px' },
  summary: { display: 'flex', gap: tokens.spacingHorizontalM, alignItems: 'center', flexWrap: 'wrap', minHeight: '32px', flexGrow: 1 },
  count: { color: tokens.colorNeutralForeground2, fontVariantNumeric: 'tabular-nums' },
  progress: { height: '2px' },
});

export interface UsersPageProps {
  enterprise: Enterprise;
  me: Me;
  readOnly: boolean;
}

/** How long typing pauses before the search is sent: short, so each keystroke still shows rows fast. */
const SEARCH_PAUSE_MS = 20;

type OpenDialog = { kind: 'sms'; row: UserRow } | { kind: 'groups' } | { kind: 'tags' } | { kind: 'import' } | undefined;

/**
 * The enterprise's users: quick search, column filters that stack, licence and
 * services filters, sort, and a virtualised table over the server's paged query.
 * From here: the SMS User Configuration, Manage User Groups, Manage tags, Import and Export.
 */
export function UsersPage({ enterprise, readOnly }: UsersPageProps) {
  const styles = useStyles();
  const client = useApiClient();
  const admin = useAdminApi();
  const api = useMemo(() => usersApi(client), [client]);
  const notify = useNotify();
  // A link may open the page filtered (a Dashboard task: "SMS on but no Teams licence").
  const [linked] = useState(() => filtersFromLink(hashFilters(window.location.hash)));
  const [filters, setFilters] = useState<UsersFilters>(linked);
  // What the table shows: the filters, with the search applied after a short pause in typing.
  const [applied, setApplied] = useState<UsersFilters>(linked);
  const [dialog, setDialog] = useState<OpenDialog>();
  const [everyone, setEveryone] = useState<number>();
  const [enterpriseEtag, setEnterpriseEtag] = useState(enterprise.etag);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<ApiError>();

  useEffect(() => {
    if (filters.search === applied.search) {
      if (filters !== applied) setApplied(filters);
      return;
    }
    const timer = setTimeout(() => setApplied(filters), SEARCH_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [filters, applied]);

  const query = useMemo(() => toQuery(applied), [applied]);
  const pages = useUserPages(api, enterprise.id, query);

  // "of 50,000 users": the count without filters, once per load of the page's data.
  const [everyoneAttempt, setEveryoneAttempt] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    api.listUsers(enterprise.id, { limit: 1 }, controller.signal).then(
      (page) => setEveryone(page.total),
      () => undefined,
    );
    return () => controller.abort();
  }, [api, enterprise.id, everyoneAttempt]);

  const reloadAll = () => {
    pages.reload();
    setEveryoneAttempt((n) => n + 1);
  };

  const update = (next: UsersFilters) => setFilters(next);
  const configure = useCallback((row: UserRow) => setDialog({ kind: 'sms', row }), []);
  const reset = () => update(resetFilters(filters));
  const chips = activeChips(filters);
  const filtered = isFiltered(applied);

  const exportCsv = async () => {
    setExporting(true);
    setExportError(undefined);
    try {
      saveFile(await api.exportUsers(enterprise.id, query), `users-${enterprise.id}.csv`);
      notify('Export downloaded');
    } catch (error) {
      setExportError(toApiError(error));
    } finally {
      setExporting(false);
    }
  };

  const empty = filtered ? (
    <EmptyState
      icon={<PeopleSearchRegular />}
      title="No users match"
      description="No user matches the search and filters. Change them, or reset the filters to see everyone."
      action={<Button onClick={reset}>Reset filters</Button>}
    />
  ) : (
    <EmptyState
      icon={<PeopleTeamRegular />}
      title="No users yet"
      description="Users come from your Microsoft 365 directory: they appear here after the next sync of Teams users."
    />
  );

  return (
    <div className={styles.stack}>
      <div className={styles.toolbar}>
        <div className={styles.summary}>
          <Caption1 className={styles.count} aria-live="polite">
            {pages.total === undefined ? 'Loading users…' : countLabel(pages.total, everyone)}
          </Caption1>
          {chips.length > 0 && (
            <TagGroup aria-label="Active filters" onDismiss={(_, data) => update(withoutChip(filters, data.value as Parameters<typeof withoutChip>[1]))}>
              {chips.map((chip) => (
                <Tag key={chip.key} value={chip.key} dismissible dismissIcon={{ 'aria-label': `Remove filter ${chip.label}` }} size="small" shape="circular">
                  {chip.label}
                </Tag>
              ))}
            </TagGroup>
          )}
        </div>
        <div className={styles.actions}>
          {!readOnly && (
            <>
              <Button icon={<PeopleTeamRegular />} onClick={() => setDialog({ kind: 'groups' })}>
                Groups
              </Button>
              <Button icon={<TagMultipleRegular />} onClick={() => setDialog({ kind: 'tags' })}>
                Tags
              </Button>
              <Button icon={<ArrowUploadRegular />} onClick={() => setDialog({ kind: 'import' })}>
                Import
              </Button>
            </>
          )}
          <Button icon={<ArrowDownloadRegular />} onClick={exportCsv} disabled={exporting}>
            {exporting ? 'Exporting…' : 'Export'}
          </Button>
        </div>
      </div>
      <div className={styles.toolbar}>
        <div className={styles.filters}>
          <Dropdown
            className={styles.dropdown}
            aria-label="License"
            value={filters.license ? LICENSE_OPTIONS[filters.license] : 'All licenses'}
            selectedOptions={[filters.license || 'all']}
            onOptionSelect={(_, data) => update({ ...filters, license: data.optionValue === 'all' ? '' : (data.optionValue as UsersFilters['license']) })}
          >
            <Option value="all">All licenses</Option>
            <Option value="with">{LICENSE_OPTIONS.with}</Option>
            <Option value="without">{LICENSE_OPTIONS.without}</Option>
          </Dropdown>
          <Dropdown
            className={styles.dropdown}
            aria-label="Services"
            value={filters.services ? SERVICE_OPTIONS[filters.services] : 'All services'}
            selectedOptions={[filters.services || 'all']}
            onOptionSelect={(_, data) => update({ ...filters, services: data.optionValue === 'all' ? '' : (data.optionValue as UsersFilters['services']) })}
          >
            <Option value="all">All services</Option>
            <Option value="sms-enabled">{SERVICE_OPTIONS['sms-enabled']}</Option>
            <Option value="sms-disabled">{SERVICE_OPTIONS['sms-disabled']}</Option>
            <Option value="sms-not-configured">{SERVICE_OPTIONS['sms-not-configured']}</Option>
          </Dropdown>
          <Dropdown
            className={styles.dropdown}
            aria-label="Status"
            value={filters.status ? STATUS_OPTIONS[filters.status] : 'Active users'}
            selectedOptions={[filters.status || 'active']}
            onOptionSelect={(_, data) => update({ ...filters, status: data.optionValue === 'active' ? '' : (data.optionValue as UsersFilters['status']) })}
          >
            <Option value="active">Active users</Option>
            <Option value="outside">{STATUS_OPTIONS.outside}</Option>
            <Option value="removed">{STATUS_OPTIONS.removed}</Option>
          </Dropdown>
          <Button icon={<DismissRegular />} onClick={reset} disabled={!isFiltered(filters)}>
            Reset filters
          </Button>
        </div>
        <SearchBox
          className={styles.search}
          aria-label="Search users"
          dismiss={{ 'aria-label': 'Clear search' }}
          placeholder="Search users, numbers, tags"
          value={filters.search}
          onChange={(_, data) => update({ ...filters, search: data.value })}
        />
      </div>

      {pages.error && <ErrorBar error={pages.error} title="Couldn't load the users" onRetry={reloadAll} />}
      {exportError && <ErrorBar error={exportError} title="Couldn't export the users" onRetry={exportCsv} />}
      <div className={styles.progress}>{pages.loading && pages.total !== undefined && <ProgressBar thickness="medium" aria-label="Updating the list" />}</div>

      <UsersTable
        pages={pages}
        filters={filters}
        onFiltersChange={update}
        onConfigure={readOnly ? undefined : configure}
        empty={empty}
      />

      {dialog?.kind === 'sms' && (
        <SmsConfigDialog
          api={api}
          enterpriseId={enterprise.id}
          userId={dialog.row.id}
          name={dialog.row.displayName || dialog.row.username}
          onClose={() => setDialog(undefined)}
          onSaved={(saved) => {
            setDialog(undefined);
            notify(`SMS configuration of ${saved.displayName || saved.username} saved`);
            pages.reload();
          }}
        />
      )}
      {dialog?.kind === 'groups' && (
        <GroupsDialog
          api={api}
          admin={admin}
          enterpriseId={enterprise.id}
          enterpriseEtag={enterpriseEtag}
          onClose={() => setDialog(undefined)}
          onSaved={(result) => setEnterpriseEtag(result.etag)}
        />
      )}
      {dialog?.kind === 'tags' && <TagsDialog api={api} enterpriseId={enterprise.id} onClose={() => setDialog(undefined)} onChanged={pages.reload} />}
      {dialog?.kind === 'import' && <ImportDialog api={api} enterpriseId={enterprise.id} onClose={() => setDialog(undefined)} onApplied={reloadAll} />}
    </div>
  );
}
