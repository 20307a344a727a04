import {
  Body1,
  Checkbox,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Option,
  Radio,
  RadioGroup,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import { splitFieldIssues } from '../../api/errors';
import type { CarrierConnection, NumbersApi, PhoneNumber, SmsGroup } from '../../api/numbers';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorBar } from '../../components/ErrorBar';
import { FormDialog } from '../../components/FormDialog';
import { useAsyncAction } from '../../hooks/useAsyncAction';
import { extensionProblem, labelProblem, withNumber, withoutNumber, type Capabilities } from './numberRules';
import { CapabilityChecks, CarrierConnectionField } from './NumberFields';
import { UserPicker, type PickedUser } from './UserPicker';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

interface Common {
  api: NumbersApi;
  enterpriseId: string;
  number: PhoneNumber;
  onClose: () => void;
  /** The number changed: reload the list. */
  onChanged: () => void;
}

const conflictText = 'Someone else changed this number since the list was loaded, so nothing was saved. Close, reload the list and try again.';

type EditField = 'label' | 'capabilities' | 'carrierConnectionId' | 'extension';
const EDIT_FIELDS: readonly EditField[] = ['label', 'capabilities', 'carrierConnectionId', 'extension'];

/** Label, capabilities, carrier connection and extension of one number, saved with its ETag. */
export function EditNumberDialog({ api, enterpriseId, number, connections, onClose, onChanged }: Common & { connections: CarrierConnection[] }) {
  const styles = useStyles();
  const [label, setLabel] = useState(number.label);
  const [capabilities, setCapabilities] = useState<Capabilities>(number.capabilities);
  const [connectionId, setConnectionId] = useState(number.carrierConnectionId ?? '');
  const [extension, setExtension] = useState(number.extension ?? '');
  const [errors, setErrors] = useState<Partial<Record<EditField, string>>>({});
  const { run, busy, failure, clearFailure } = useAsyncAction();

  const save = async () => {
    const labelIssue = labelProblem(label);
    const extensionIssue = extensionProblem(extension);
    const found = { ...(labelIssue ? { label: labelIssue } : {}), ...(extensionIssue ? { extension: extensionIssue } : {}) };
    setErrors(found);
    clearFailure();
    if (Object.keys(found).length > 0) return;
    const failed = await run(async () => {
      await api.updateNumber(enterpriseId, number.number, number.etag, {
        label: label.trim(),
        capabilities,
        carrierConnectionId: connectionId || null,
        extension: extension.trim() || null,
      });
      onChanged();
      onClose();
    });
    if (failed) setErrors(splitFieldIssues(failed, EDIT_FIELDS).byField);
  };

  const otherIssues = failure ? splitFieldIssues(failure, EDIT_FIELDS).other : [];
  return (
    <FormDialog title={`Edit ${number.display}`} contentClassName={styles.form} submitLabel="Save" busy={busy} onSubmit={save} onClose={onClose}>
      {failure && <ErrorBar error={failure} title="Couldn't save the number" issues={otherIssues} />}
      {failure && (failure.status === 409 || failure.status === 412) && failure.code !== 'validation_failed' && <Body1>{conflictText}</Body1>}
      <Field label="Label" validationMessage={errors.label}>
        <Input value={label} onChange={(_, d) => setLabel(d.value)} maxLength={120} />
      </Field>
      <CapabilityChecks value={capabilities} onChange={setCapabilities} />
      {errors.capabilities && <Body1 role="alert">{errors.capabilities}</Body1>}
      <CarrierConnectionField connections={connections} value={connectionId} onChange={setConnectionId} error={errors.carrierConnectionId} />
      <Field label="Extension" validationMessage={errors.extension} hint="The PBX extension shown beside the number, if any.">
        <Input value={extension} onChange={(_, d) => setExtension(d.value)} inputMode="numeric" />
      </Field>
    </FormDialog>
  );
}

/** Gives an unassigned number to a user (added to their numbers) or an SMS group (replacing its number). */
export function AssignNumberDialog({ api, enterpriseId, number, groups, onClose, onChanged }: Common & { groups: SmsGroup[] }) {
  const styles = useStyles();
  const [target, setTarget] = useState<'user' | 'group'>('user');
  const [user, setUser] = useState<PickedUser[]>([]);
  const [groupId, setGroupId] = useState('');
  const [enableSms, setEnableSms] = useState(true);
  const [error, setError] = useState<string>();
  const { run, busy, failure, clearFailure } = useAsyncAction();
  const group = groups.find((g) => g.id === groupId);

  const assign = async () => {
    clearFailure();
    if (target === 'user' && !user[0]) return setError('Choose the person who gets the number.');
    if (target === 'group' && !group) return setError('Choose the SMS group that gets the number.');
    setError(undefined);
    await run(async () => {
      if (target === 'user') {
        // The user's own ETag: a change to them meanwhile is a conflict, never a lost update.
        const current = await api.getUserSms(enterpriseId, user[0]!.id);
        await api.saveUserSms(enterpriseId, user[0]!.id, current.userEtag, {
          enabled: current.enabled || enableSms,
          numbers: withNumber(current.numbers.map((n) => n.number), number.number),
        });
      } else {
        await api.updateSmsGroup(enterpriseId, group!.id, group!.etag, { number: number.number });
      }
      onChanged();
      onClose();
    });
  };

  return (
    <FormDialog title={`Assign ${number.display}`} contentClassName={styles.form} submitLabel="Assign" busy={busy} onSubmit={assign} onClose={onClose}>
      {failure && <ErrorBar error={failure} title="Couldn't assign the number" />}
      <Field label="Assign to">
        <RadioGroup value={target} onChange={(_, d) => { setTarget(d.value as 'user' | 'group'); setError(undefined); }} layout="horizontal">
          <Radio value="user" label="A user" />
          <Radio value="group" label="An SMS group" />
        </RadioGroup>
      </Field>
      {target === 'user' ? (
        <>
          <UserPicker api={api} enterpriseId={enterpriseId} label="User" required value={user} onChange={(picked) => { setUser(picked); setError(undefined); }} error={error} />
          <Checkbox label="Turn SMS on for them" checked={enableSms} onChange={(_, d) => setEnableSms(d.checked === true)} />
        </>
      ) : (
        <Field label="SMS group" required validationMessage={error} hint={group?.display ? `Replaces the group's number ${group.display}, which becomes unassigned.` : undefined}>
          <Dropdown placeholder={groups.length ? 'Choose a group' : 'No SMS groups yet'} value={group?.name ?? ''} selectedOptions={groupId ? [groupId] : []} onOptionSelect={(_, d) => { setGroupId(d.optionValue ?? ''); setError(undefined); }}>
            {groups.map((g) => (
              <Option key={g.id} value={g.id}>
                {g.name}
              </Option>
            ))}
          </Dropdown>
        </Field>
      )}
    </FormDialog>
  );
}

/** Takes a number back from its user or group; it stays in the inventory, unassigned. */
export function ReleaseNumberDialog({ api, enterpriseId, number, groups, onClose, onChanged }: Common & { groups: SmsGroup[] }) {
  const holder = number.holder!;
  const release = async () => {
    if (holder.type === 'user') {
      const current = await api.getUserSms(enterpriseId, holder.id);
      await api.saveUserSms(enterpriseId, holder.id, current.userEtag, { enabled: current.enabled && current.numbers.length > 1, numbers: withoutNumber(current.numbers.map((n) => n.number), number.number) });
    } else {
      const group = groups.find((g) => g.id === holder.id);
      if (!group) throw new Error(`The SMS group ${holder.name} is no longer there. Reload the list.`);
      await api.updateSmsGroup(enterpriseId, group.id, group.etag, { number: null });
    }
    onChanged();
    onClose();
  };
  return (
    <ConfirmDialog title={`Unassign ${number.display}?`} confirmLabel="Unassign" failureTitle="Couldn't unassign the number" onConfirm={release} onClose={onClose}>
      <Body1>
        {holder.type === 'user' ? `${holder.name} will no longer send or receive texts on ${number.display}.` : `The SMS group ${holder.name} will have no number until you give it one.`} The number stays in the inventory.
      </Body1>
    </ConfirmDialog>
  );
}

/** Deleting asks first; a refusal (the number is assigned) is explained in place. */
export function DeleteNumberDialog({ api, enterpriseId, number, onClose, onChanged }: Common) {
  const remove = async () => {
    await api.deleteNumber(enterpriseId, number.number, number.etag);
    onChanged();
    onClose();
  };
  return (
    <ConfirmDialog title={`Delete ${number.display}?`} confirmLabel="Delete" failureTitle="The number was not deleted" onConfirm={remove} onClose={onClose} refusalIsFinal>
      {number.holder ? (
        <MessageBar intent="warning">
          <MessageBarBody>It is assigned, so Switchboard will refuse: unassign it first.</MessageBarBody>
        </MessageBar>
      ) : (
        <Body1>It leaves the inventory. Texts to it will no longer reach anyone in Switchboard.</Body1>
      )}
    </ConfirmDialog>
  );
}
