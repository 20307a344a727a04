import {
  Button,
  Caption1,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { DeleteRegular, EditRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import type { TagChangeResult, UsersApi } from '../../api/users';
import { ErrorBar } from '../../components/ErrorBar';
import { useAsyncAction } from '../../hooks/useAsyncAction';
import { useResource } from '../../hooks/useResource';
import { lengthHint, problemRenaming } from './tagRules';

const useStyles = makeStyles({
  surface: { maxWidth: '560px', width: 'calc(100vw - 32px)' },
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  list: { listStyleType: 'none', margin: 0, padding: 0, maxHeight: '320px', overflowY: 'auto', display: 'flex', flexDirection: 'column' },
  row: {
    display: 'grid',
    gridTemplateColumns: '1fr auto auto',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalXS} 0`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  editor: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-end', padding: `${tokens.spacingVerticalS} 0` },
  grow: { flexGrow: 1 },
  muted: { color: tokens.colorNeutralForeground3 },
});

type Editing = { kind: 'rename'; tag: string; draft: string } | { kind: 'remove'; tag: string } | undefined;

export interface TagsDialogProps {
  api: UsersApi;
  enterpriseId: string;
  onClose: () => void;
  /** Users' tags changed: the table shows them again. */
  onChanged: () => void;
}

/** "Manage tags": every tag of the enterprise with how many users have it; rename or remove one for all of them. */
export function TagsDialog({ api, enterpriseId, onClose, onChanged }: TagsDialogProps) {
  const styles = useStyles();
  const tags = useResource((signal) => api.listTags(enterpriseId, signal), `tags:${enterpriseId}`);
  const [editing, setEditing] = useState<Editing>();
  const [outcome, setOutcome] = useState<{ text: string; result: TagChangeResult }>();
  const action = useAsyncAction();
  const others = (tags.data?.items ?? []).map((item) => item.tag);
  const problem = editing?.kind === 'rename' ? problemRenaming(editing.tag, editing.draft) : undefined;

  const apply = (change: () => Promise<TagChangeResult>, done: (result: TagChangeResult) => string) =>
    action.run(async () => {
      const result = await change();
      setOutcome({ text: done(result), result });
      setEditing(undefined);
      tags.reload();
      onChanged();
    });
  const users = (n: number) => (n === 1 ? '1 user' : `${n.toLocaleString('en-US')} users`);

  return (
    <Dialog open onOpenChange={(_, data) => !data.open && !action.busy && onClose()}>
      <DialogSurface className={styles.surface}>
        <DialogBody>
          <DialogTitle>Manage tags</DialogTitle>
          <DialogContent className={styles.content}>
            <Caption1 className={styles.muted}>Renaming or removing a tag changes it for every user who has it. A user who already has the new name keeps one.</Caption1>
            {outcome && (
              <MessageBar intent={outcome.result.failed.length > 0 ? 'warning' : 'success'}>
                <MessageBarBody>
                  {outcome.text}
                  {outcome.result.failed.length > 0 &&
                    ` ${users(outcome.result.failed.length)} could not be changed (${outcome.result.failed.map((f) => f.username).join(', ')}): they changed meanwhile. Do it again for them.`}
                </MessageBarBody>
              </MessageBar>
            )}
            {action.failure && <ErrorBar error={action.failure} title="The tag was not changed" />}
            {tags.error && <ErrorBar error={tags.error} title="Couldn't load the tags" onRetry={tags.reload} />}
            {tags.loading && !tags.data && <Spinner size="small" label="Loading tags…" />}
            {tags.data && tags.data.items.length === 0 && <Text>No user has a tag yet. Tags are given in each user's SMS User Configuration or by an import.</Text>}
            {tags.data && tags.data.items.length > 0 && (
              <ul className={styles.list} aria-label="Tags">
                {tags.data.items.map(({ tag, count }) => (
                  <li key={tag}>
                    <div className={styles.row}>
                      <Text>
                        {tag} <span className={styles.muted}>· {users(count)}</span>
                      </Text>
                      <Button size="small" appearance="subtle" icon={<EditRegular />} aria-label={`Rename ${tag}`} disabled={action.busy} onClick={() => setEditing({ kind: 'rename', tag, draft: tag })} />
                      <Button size="small" appearance="subtle" icon={<DeleteRegular />} aria-label={`Remove ${tag}`} disabled={action.busy} onClick={() => setEditing({ kind: 'remove', tag })} />
                    </div>
                    {editing?.kind === 'rename' && editing.tag === tag && (
                      <div className={styles.editor}>
                        <Field
                          className={styles.grow}
                          label={`New name for ${tag}`}
                          validationState={problem ? 'error' : 'none'}
                          validationMessage={problem ?? `${lengthHint(editing.draft).text}${others.some((o) => o.toLowerCase() === editing.draft.trim().toLowerCase() && o !== tag) ? ' · merges with the existing tag' : ''}`}
                        >
                          <Input value={editing.draft} onChange={(_, data) => setEditing({ ...editing, draft: data.value })} autoFocus />
                        </Field>
                        <Button appearance="primary" disabled={problem !== undefined || action.busy} onClick={() => void apply(() => api.renameTag(enterpriseId, tag, editing.draft), (r) => `Renamed ${tag} to ${editing.draft.trim()} for ${users(r.updated)}.`)}>
                          Rename
                        </Button>
                        <Button onClick={() => setEditing(undefined)}>Cancel</Button>
                      </div>
                    )}
                    {editing?.kind === 'remove' && editing.tag === tag && (
                      <div className={styles.editor}>
                        <Text className={styles.grow}>
                          Remove {tag} from {users(count)}?
                        </Text>
                        <Button appearance="primary" disabled={action.busy} onClick={() => void apply(() => api.removeTag(enterpriseId, tag), (r) => `Removed ${tag} from ${users(r.updated)}.`)}>
                          Remove
                        </Button>
                        <Button onClick={() => setEditing(undefined)}>Cancel</Button>
                      </div>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose} disabled={action.busy}>
              Close
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
