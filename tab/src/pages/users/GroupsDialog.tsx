import {
  Button,
  Caption1,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  SearchBox,
  Spinner,
  Tag,
  TagGroup,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import type { AdminApi } from '../../api/admin';
import { isAbort, toApiError, type ApiError } from '../../api/errors';
import type { DirectoryGroup, SelectionResult, UsersApi } from '../../api/users';
import { ErrorBar } from '../../components/ErrorBar';

const useStyles = makeStyles({
  surface: { maxWidth: '640px', width: 'calc(100vw - 32px)' },
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  notes: { margin: 0, paddingLeft: tokens.spacingHorizontalL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  list: {
    height: '200px',
    overflowY: 'auto',
    display: 'flex',
    flexDirection: 'column',
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
    padding: tokens.spacingHorizontalS,
  },
  muted: { color: tokens.colorNeutralForeground3 },
  heading: { margin: 0, fontSize: tokens.fontSizeBase300, fontWeight: tokens.fontWeightSemibold },
});

export interface GroupsDialogProps {
  api: UsersApi;
  admin: AdminApi;
  enterpriseId: string;
  /** The enterprise's ETag as the page has it; the selection is an enterprise setting. */
  enterpriseEtag: string;
  onClose: () => void;
  /** The selection was saved; the enterprise has a new ETag. */
  onSaved: (result: SelectionResult) => void;
}

/** "Manage User Groups": which Microsoft 365 groups' members are synced, with what that means. */
export function GroupsDialog({ api, admin, enterpriseId, enterpriseEtag, onClose, onSaved }: GroupsDialogProps) {
  const styles = useStyles();
  const [selected, setSelected] = useState<Map<string, string>>();
  const [search, setSearch] = useState('');
  const [groups, setGroups] = useState<{ items: DirectoryGroup[]; truncated: boolean }>();
  const [error, setError] = useState<ApiError>();
  const [saving, setSaving] = useState(false);
  const [etag, setEtag] = useState(enterpriseEtag);
  const [result, setResult] = useState<SelectionResult>();
  const [conflict, setConflict] = useState(false);

  // The current selection (ids from the sync status, names from the group list).
  useEffect(() => {
    const controller = new AbortController();
    Promise.all([api.getDirectorySync(enterpriseId, controller.signal), api.listDirectoryGroups(enterpriseId, '', controller.signal)]).then(
      ([status, list]) => {
        const names = new Map(list.items.map((g) => [g.id.toLowerCase(), g.displayName]));
        setSelected(new Map(status.groupIds.map((id) => [id.toLowerCase(), names.get(id.toLowerCase()) ?? id])));
      },
      (failure: unknown) => {
        if (!isAbort(failure)) setError(toApiError(failure));
      },
    );
    return () => controller.abort();
  }, [api, enterpriseId]);

  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api.listDirectoryGroups(enterpriseId, search.trim(), controller.signal).then(setGroups, (failure: unknown) => {
        if (!isAbort(failure)) setError(toApiError(failure));
      });
    }, 200);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [api, enterpriseId, search]);

  const toggle = (group: DirectoryGroup, on: boolean) =>
    setSelected((current) => {
      const next = new Map(current);
      if (on) next.set(group.id.toLowerCase(), group.displayName);
      else next.delete(group.id.toLowerCase());
      return next;
    });

  const update = async () => {
    if (!selected) return;
    setSaving(true);
    setError(undefined);
    setConflict(false);
    try {
      const saved = await api.setDirectorySelection(enterpriseId, etag, [...selected.keys()]);
      setEtag(saved.etag);
      setResult(saved);
      onSaved(saved);
    } catch (failure) {
      const apiError = toApiError(failure);
      setError(apiError);
      if (apiError.status === 409 || apiError.status === 412) {
        // Keep the choice made here; the next Update applies it over the latest version.
        admin.getEnterprise(enterpriseId).then((latest) => setEtag(latest.etag), () => undefined);
        setConflict(true);
      }
    } finally {
      setSaving(false);
    }
  };

  return (
    <Dialog open modalType="modal" onOpenChange={(_, data) => !data.open && !saving && onClose()}>
      <DialogSurface className={styles.surface} aria-describedby={undefined}>
        <DialogBody>
          <DialogTitle>Manage User Groups</DialogTitle>
          <DialogContent className={styles.content}>
            <MessageBar intent="info" layout="multiline">
              <MessageBarBody>
                <ul className={styles.notes}>
                  <li>
                    <strong>No group selected:</strong> everyone in your Microsoft 365 directory is synced. Unless you must limit who is managed here, leave the
                    selection empty.
                  </li>
                  <li>
                    <strong>Groups selected:</strong> only their members (including members of nested groups) are synced. Reading group members from Microsoft
                    makes each sync slower.
                  </li>
                  <li>
                    People synced before who are not in the selected groups stay in the list, marked "Outside selection", with their numbers and tags, until
                    you purge them.
                  </li>
                  <li>The user list changes once the sync that starts when you update the groups has finished.</li>
                </ul>
              </MessageBarBody>
            </MessageBar>
            {error && (
              <ErrorBar
                error={error}
                title={conflict ? 'Someone else changed the settings of this enterprise meanwhile' : "Couldn't update the groups"}
                issues={error.details}
              />
            )}
            {conflict && <Caption1>Your choice of groups is still here: check it and select Update Groups again.</Caption1>}
            {result && (
              <MessageBar intent="success" layout="multiline" politeness="polite">
                <MessageBarBody>
                  <MessageBarTitle>Groups updated</MessageBarTitle>
                  {result.notice} {result.syncStarted ? 'A sync of Teams users has started.' : 'A sync of Teams users is already running; it picks up the new selection next time.'}
                </MessageBarBody>
              </MessageBar>
            )}
            <h3 className={styles.heading}>Enterprise Groups</h3>
            {selected === undefined && !error && <Spinner size="tiny" label="Loading the current selection" />}
            {selected && (
              <>
                {selected.size === 0 ? (
                  <Caption1 className={styles.muted}>No group selected: everyone is synced.</Caption1>
                ) : (
                  <TagGroup aria-label="Selected groups" onDismiss={(_, data) => toggle({ id: String(data.value), displayName: '' }, false)}>
                    {[...selected].map(([id, name]) => (
                      <Tag key={id} value={id} dismissible dismissIcon={{ 'aria-label': `Remove ${name}` }} size="small" shape="circular">
                        {name}
                      </Tag>
                    ))}
                  </TagGroup>
                )}
                <SearchBox placeholder="Search groups by name" aria-label="Search groups" value={search} onChange={(_, data) => setSearch(data.value)} />
                <div className={styles.list} role="group" aria-label="Enterprise groups">
                  {groups === undefined && <Spinner size="tiny" label="Loading groups" />}
                  {groups?.items.length === 0 && <span className={styles.muted}>No group starts with "{search}".</span>}
                  {groups?.items.map((group) => (
                    <Checkbox
                      key={group.id}
                      label={group.displayName}
                      checked={selected.has(group.id.toLowerCase())}
                      onChange={(_, data) => toggle(group, data.checked === true)}
                    />
                  ))}
                  {groups?.truncated && <Caption1 className={styles.muted}>More groups match: type more of the name.</Caption1>}
                </div>
              </>
            )}
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose} disabled={saving}>
              {result ? 'Close' : 'Cancel'}
            </Button>
            <Button appearance="primary" onClick={update} disabled={!selected || saving} icon={saving ? <Spinner size="tiny" /> : undefined}>
              {saving ? 'Updating…' : 'Update Groups'}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
