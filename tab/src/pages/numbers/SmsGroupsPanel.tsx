import {
  Badge,
  Body1,
  Button,
  Card,
  Field,
  Input,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { AddRegular, PeopleTeamRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import { splitFieldIssues, type ApiError } from '../../api/errors';
import type { NumbersApi, SmsGroup } from '../../api/numbers';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBar } from '../../components/ErrorBar';
import { FormDialog } from '../../components/FormDialog';
import { useNotify } from '../../components/notify';
import { useAsyncAction } from '../../hooks/useAsyncAction';
import { numberProblem } from './numberRules';
import { UserPicker, type PickedUser } from './UserPicker';

const useStyles = makeStyles({
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  toolbar: { display: 'flex', justifyContent: 'flex-end' },
  card: { padding: 0, overflowX: 'auto' },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  people: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS },
  muted: { color: tokens.colorNeutralForeground3 },
});

export interface SmsGroupsPanelProps {
  api: NumbersApi;
  enterpriseId: string;
  readOnly: boolean;
  groups: SmsGroup[] | undefined;
  loading: boolean;
  error: ApiError | undefined;
  onRetry: () => void;
  /** A group was created, changed or deleted. */
  onChanged: () => void;
}

/** SMS groups: several Teams users sharing one number, with owners who manage it. */
export function SmsGroupsPanel({ api, enterpriseId, readOnly, groups, loading, error, onRetry, onChanged }: SmsGroupsPanelProps) {
  const styles = useStyles();
  const [editing, setEditing] = useState<SmsGroup | 'new'>();
  const [deleting, setDeleting] = useState<SmsGroup>();

  return (
    <div className={styles.stack}>
      {!readOnly && (
        <div className={styles.toolbar}>
          <Button appearance="primary" icon={<AddRegular />} onClick={() => setEditing('new')}>
            New SMS group
          </Button>
        </div>
      )}
      {error && <ErrorBar error={error} title="Couldn't load the SMS groups" onRetry={onRetry} />}
      {!groups && loading && <Spinner label="Loading SMS groups" />}
      {groups && groups.length === 0 && (
        <Card>
          <EmptyState icon={<PeopleTeamRegular />} title="No SMS groups yet." description="An SMS group shares one number among several people: texts to it reach every member, and any member can answer." />
        </Card>
      )}
      {groups && groups.length > 0 && (
        <Card className={styles.card}>
          <Table aria-label="SMS groups" size="small">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Name</TableHeaderCell>
                <TableHeaderCell>Number</TableHeaderCell>
                <TableHeaderCell>Owners</TableHeaderCell>
                <TableHeaderCell>Members</TableHeaderCell>
                <TableHeaderCell>
                  <span className={styles.muted}>Actions</span>
                </TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {groups.map((group) => (
                <TableRow key={group.id}>
                  <TableCell>{group.name}</TableCell>
                  <TableCell>{group.display ?? <Badge appearance="outline" color="warning">No number</Badge>}</TableCell>
                  <TableCell>{group.members.filter((m) => m.owner).map((m) => m.displayName).join(', ')}</TableCell>
                  <TableCell>
                    <span title={group.members.map((m) => m.displayName).join(', ')}>
                      {group.members.length} {group.members.length === 1 ? 'member' : 'members'}
                    </span>
                    {group.members.some((m) => !m.licensed || m.removed) && (
                      <>
                        {' '}
                        <Badge appearance="tint" color="warning">
                          {group.members.filter((m) => !m.licensed || m.removed).length} can't receive
                        </Badge>
                      </>
                    )}
                  </TableCell>
                  <TableCell>
                    {!readOnly && (
                      <>
                        <Button appearance="subtle" onClick={() => setEditing(group)} aria-label={`Edit ${group.name}`}>
                          Edit
                        </Button>
                        <Button appearance="subtle" onClick={() => setDeleting(group)} aria-label={`Delete ${group.name}`}>
                          Delete
                        </Button>
                      </>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Card>
      )}
      {editing && <SmsGroupDialog api={api} enterpriseId={enterpriseId} group={editing === 'new' ? undefined : editing} onClose={() => setEditing(undefined)} onSaved={onChanged} />}
      {deleting && <DeleteGroupDialog api={api} enterpriseId={enterpriseId} group={deleting} onClose={() => setDeleting(undefined)} onDeleted={onChanged} />}
    </div>
  );
}

type GroupField = 'name' | 'number' | 'ownerIds' | 'memberIds';
const GROUP_FIELDS: readonly GroupField[] = ['name', 'number', 'ownerIds', 'memberIds'];

const toPicked = (group: SmsGroup | undefined, owners: boolean): PickedUser[] =>
  (group?.members ?? []).filter((m) => (owners ? m.owner : !m.owner)).map((m) => ({ id: m.id, displayName: m.displayName, username: m.username }));

/** Create or change a group: name, number, owners and members. Only what changed is sent. */
function SmsGroupDialog({ api, enterpriseId, group, onClose, onSaved }: { api: NumbersApi; enterpriseId: string; group?: SmsGroup; onClose: () => void; onSaved: () => void }) {
  const styles = useStyles();
  const notify = useNotify();
  const [name, setName] = useState(group?.name ?? '');
  const [number, setNumber] = useState(group?.number ?? '');
  const [owners, setOwners] = useState<PickedUser[]>(toPicked(group, true));
  const [members, setMembers] = useState<PickedUser[]>(toPicked(group, false));
  const [errors, setErrors] = useState<Partial<Record<GroupField, string>>>({});
  const { run, busy, failure, clearFailure } = useAsyncAction();

  const save = async () => {
    const found: Partial<Record<GroupField, string>> = {};
    if (!name.trim()) found.name = 'Give the group a name.';
    if (number.trim()) {
      const problem = numberProblem(number);
      if (problem) found.number = problem;
    }
    if (owners.length === 0) found.ownerIds = 'An SMS group needs at least one owner.';
    setErrors(found);
    clearFailure();
    if (Object.keys(found).length > 0) return;
    const ownerIds = owners.map((u) => u.id);
    // Owners are members too; a person listed in both stays an owner.
    const memberIds = [...new Set([...ownerIds, ...members.map((u) => u.id)])];
    const failed = await run(async () => {
      if (!group) {
        await api.createSmsGroup(enterpriseId, { name: name.trim(), ownerIds, memberIds, ...(number.trim() ? { number: number.trim() } : {}) });
        notify(`SMS group ${name.trim()} created`);
      } else {
        const sameNumber = (number.trim() || null) === (group.number ?? null) || (group.display !== null && number.trim() === group.display);
        await api.updateSmsGroup(enterpriseId, group.id, group.etag, {
          ...(name.trim() !== group.name ? { name: name.trim() } : {}),
          ...(sameNumber ? {} : { number: number.trim() || null }),
          ownerIds,
          memberIds,
        });
        notify(`SMS group ${name.trim()} saved`);
      }
      onSaved();
      onClose();
    });
    if (failed) setErrors(splitFieldIssues(failed, GROUP_FIELDS).byField);
  };

  const otherIssues = failure ? splitFieldIssues(failure, GROUP_FIELDS).other : [];
  return (
    <FormDialog title={group ? `Edit ${group.name}` : 'New SMS group'} contentClassName={styles.form} submitLabel={group ? 'Save' : 'Create group'} busy={busy} onSubmit={save} onClose={onClose}>
      {failure && <ErrorBar error={failure} title="Couldn't save the group" issues={otherIssues} />}
      <Field label="Group name" required validationMessage={errors.name}>
        <Input value={name} onChange={(_, d) => { setName(d.value); setErrors((e) => ({ ...e, name: undefined })); }} maxLength={64} />
      </Field>
      <Field label="Number" validationMessage={errors.number} hint="An unassigned number of the inventory with SMS; leave empty to add one later.">
        <Input value={number} onChange={(_, d) => { setNumber(d.value); setErrors((e) => ({ ...e, number: undefined })); }} placeholder="+14155550123" autoComplete="off" />
      </Field>
      <UserPicker api={api} enterpriseId={enterpriseId} label="Owners" multiple required value={owners} onChange={(picked) => { setOwners(picked); setErrors((e) => ({ ...e, ownerIds: undefined })); }} error={errors.ownerIds} hint="Owners manage the group and see its number on the Users page." />
      <UserPicker api={api} enterpriseId={enterpriseId} label="Members" multiple value={members} onChange={setMembers} error={errors.memberIds} hint="Every member receives the group's texts and can answer them." />
    </FormDialog>
  );
}

function DeleteGroupDialog({ api, enterpriseId, group, onClose, onDeleted }: { api: NumbersApi; enterpriseId: string; group: SmsGroup; onClose: () => void; onDeleted: () => void }) {
  const remove = async () => {
    await api.deleteSmsGroup(enterpriseId, group.id, group.etag);
    onDeleted();
    onClose();
  };
  return (
    <ConfirmDialog title={`Delete ${group.name}?`} confirmLabel="Delete" failureTitle="The group was not deleted" onConfirm={remove} onClose={onClose}>
      <Body1>{group.display ? `Its number ${group.display} becomes unassigned. ` : ''}The members keep their own numbers.</Body1>
    </ConfirmDialog>
  );
}
