import {
  Body1,
  Button,
  Caption1,
  Card,
  CardHeader,
  Checkbox,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Subtitle2,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { SearchRegular } from '@fluentui/react-icons';
import { useEffect, useMemo, useState } from 'react';
import { useAdminApi, useApiClient } from '../../api/ApiContext';
import { settingsApi, type SyncGroup } from '../../api/settings';
import type { Enterprise } from '../../api/types';
import { ErrorBar } from '../../components/ErrorBar';
import { useAsyncAction } from '../../hooks/useAsyncAction';
import { useResource } from '../../hooks/useResource';

const useStyles = makeStyles({
  card: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  search: { maxWidth: '360px' },
  list: { listStyle: 'none', margin: 0, padding: 0, maxHeight: '240px', overflowY: 'auto', border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`, borderRadius: tokens.borderRadiusMedium },
  footer: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
  muted: { color: tokens.colorNeutralForeground3 },
});

export interface SyncGroupsCardProps {
  enterprise: Enterprise;
  readOnly: boolean;
  /** Unsaved edits in the settings form: saving groups would replace the enterprise under them. */
  formDirty: boolean;
  onChange: (enterprise: Enterprise) => void;
}

/** Which Microsoft 365 groups the users sync reads (none: everyone), with the server's notice of what a change means. */
export function SyncGroupsCard({ enterprise, readOnly, formDirty, onChange }: SyncGroupsCardProps) {
  const styles = useStyles();
  const client = useApiClient();
  const admin = useAdminApi();
  const api = useMemo(() => settingsApi(client), [client]);
  const [search, setSearch] = useState('');
  const [debounced, setDebounced] = useState('');
  const saved = enterprise.settings.syncGroupIds;
  const [chosen, setChosen] = useState<string[]>(saved);
  const [names, setNames] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<string>();
  const { run, busy, failure } = useAsyncAction();

  useEffect(() => {
    const timer = setTimeout(() => setDebounced(search.trim()), 300);
    return () => clearTimeout(timer);
  }, [search]);
  const groups = useResource((signal) => api.listGroups(enterprise.id, debounced, signal), `sync-groups:${enterprise.id}:${debounced}`);
  useEffect(() => {
    if (groups.data) setNames((known) => ({ ...known, ...Object.fromEntries(groups.data!.items.map((g: SyncGroup) => [g.id.toLowerCase(), g.displayName])) }));
  }, [groups.data]);

  const changed = chosen.length !== saved.length || chosen.some((id) => !saved.includes(id));
  const toggle = (id: string, on: boolean) => setChosen((current) => (on ? [...current, id] : current.filter((c) => c !== id)));

  const save = () =>
    run(async () => {
      const result = await api.setSyncGroups(enterprise.id, enterprise.etag, chosen);
      setNotice(result.notice);
      onChange(await admin.getEnterprise(enterprise.id));
    });

  // The server answers 409 when it has no Microsoft Graph credentials.
  const notConfigured = groups.error?.status === 409;
  return (
    <Card className={styles.card}>
      <CardHeader
        header={<Subtitle2 as="h2">Sync groups</Subtitle2>}
        description={<Caption1>Sync only the members of these Microsoft 365 groups (and of groups nested in them). Choose none to sync everyone.</Caption1>}
      />
      {notice && (
        <MessageBar intent="info" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>Sync groups saved</MessageBarTitle>
            {notice}
          </MessageBarBody>
        </MessageBar>
      )}
      {failure && <ErrorBar error={failure} title="Couldn't save the sync groups" />}
      <Body1>
        {chosen.length === 0 ? 'Everyone in the directory is synced.' : `Selected: ${chosen.map((id) => names[id.toLowerCase()] ?? id).join(', ')}.`}
      </Body1>
      <Input className={styles.search} contentBefore={<SearchRegular />} placeholder="Start of a group's display name" aria-label="Search Microsoft 365 groups" value={search} onChange={(_, d) => setSearch(d.value)} disabled={readOnly} />
      {groups.error && !notConfigured && <ErrorBar error={groups.error} title="Couldn't list the groups" onRetry={groups.reload} />}
      {notConfigured && <Body1>{groups.error?.message}</Body1>}
      {!groups.data && groups.loading && <Spinner size="small" label="Loading groups" />}
      {groups.data && (
        <ul className={styles.list} aria-label="Microsoft 365 groups">
          {groups.data.items.length === 0 && (
            <li>
              <Caption1 className={styles.muted}>No group starts with “{debounced}”.</Caption1>
            </li>
          )}
          {groups.data.items.map((group) => (
            <li key={group.id}>
              <Checkbox label={group.displayName} checked={chosen.includes(group.id.toLowerCase()) || chosen.includes(group.id)} disabled={readOnly} onChange={(_, d) => toggle(group.id.toLowerCase(), d.checked === true)} />
            </li>
          ))}
        </ul>
      )}
      {groups.data?.truncated && <Caption1 className={styles.muted}>More groups match: type more of the name.</Caption1>}
      {!readOnly && (
        <div className={styles.footer}>
          <Button appearance="primary" disabledFocusable={!changed || busy || formDirty} onClick={() => void save()} icon={busy ? <Spinner size="tiny" /> : undefined}>
            Apply the groups and sync
          </Button>
          <Button disabledFocusable={!changed || busy} onClick={() => setChosen(saved)}>
            Undo
          </Button>
          {formDirty && changed && <Caption1 className={styles.muted}>Save or discard the settings above first.</Caption1>}
        </div>
      )}
    </Card>
  );
}
