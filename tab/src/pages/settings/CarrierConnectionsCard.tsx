import {
  Body1,
  Button,
  Caption1,
  Card,
  CardHeader,
  Dropdown,
  Field,
  Input,
  Option,
  Spinner,
  Subtitle2,
  Switch,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { AddRegular, CopyRegular, PlugConnectedRegular } from '@fluentui/react-icons';
import { useMemo, useState } from 'react';
import { useApiClient } from '../../api/ApiContext';
import { splitFieldIssues } from '../../api/errors';
import { numbersApi, type CarrierConnection, type CarrierType, type NumbersApi } from '../../api/numbers';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBar } from '../../components/ErrorBar';
import { FormDialog } from '../../components/FormDialog';
import { useNotify } from '../../components/notify';
import { useAsyncAction } from '../../hooks/useAsyncAction';
import { useResource } from '../../hooks/useResource';
import { CARRIER_NAMES, CREDENTIAL_FIELDS, credentialState, credentialsFrom } from './carrierFields';

const useStyles = makeStyles({
  card: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  list: { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column' },
  item: { display: 'flex', gap: tokens.spacingHorizontalM, alignItems: 'flex-start', justifyContent: 'space-between', padding: `${tokens.spacingVerticalM} 0`, borderTop: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`, flexWrap: 'wrap' },
  details: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, minWidth: 0 },
  meta: { color: tokens.colorNeutralForeground2, wordBreak: 'break-all' },
  actions: { display: 'flex', gap: tokens.spacingHorizontalXS },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

/** The enterprise's carrier accounts. Secrets go in and never come back: the list only says whether each is set. */
export function CarrierConnectionsCard({ enterpriseId, readOnly }: { enterpriseId: string; readOnly: boolean }) {
  const styles = useStyles();
  const client = useApiClient();
  const api = useMemo(() => numbersApi(client), [client]);
  const notify = useNotify();
  const [version, setVersion] = useState(0);
  const list = useResource((signal) => api.listCarrierConnections(enterpriseId, signal), `carrier-connections:${enterpriseId}:${version}`);
  const [editing, setEditing] = useState<CarrierConnection | 'new'>();
  const [deleting, setDeleting] = useState<CarrierConnection>();
  const reload = () => setVersion((n) => n + 1);
  const items = list.data?.items;

  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      notify('Webhook URL copied');
    } catch {
      notify("Couldn't copy: select the URL and copy it yourself", 'warning');
    }
  };

  return (
    <Card className={styles.card}>
      <CardHeader
        header={<Subtitle2 as="h2">Carrier connections</Subtitle2>}
        description={<Caption1>The SMS carrier accounts your numbers send and receive through.</Caption1>}
        action={
          !readOnly ? (
            <Button icon={<AddRegular />} onClick={() => setEditing('new')}>
              Add connection
            </Button>
          ) : undefined
        }
      />
      {list.error && <ErrorBar error={list.error} title="Couldn't load the carrier connections" onRetry={list.reload} />}
      {!items && list.loading && <Spinner size="small" label="Loading carrier connections" />}
      {items && items.length === 0 && (
        <EmptyState icon={<PlugConnectedRegular />} title="No carrier connection yet." description="Add your Twilio, Telnyx or Azure Communication Services account, then point its webhooks at the URL shown here." />
      )}
      {items && items.length > 0 && (
        <ul className={styles.list} aria-label="Carrier connections">
          {items.map((connection) => (
            <li key={connection.id} className={styles.item}>
              <div className={styles.details}>
                <Body1>
                  <strong>{connection.name}</strong> · {CARRIER_NAMES[connection.type]}
                </Body1>
                {CREDENTIAL_FIELDS[connection.type].map((field) => (
                  <Caption1 key={field.name} className={styles.meta}>
                    {field.label}: {credentialState(field, connection.credentials)}
                  </Caption1>
                ))}
                <Caption1 className={styles.meta}>Webhook URL: {connection.webhookUrl}</Caption1>
              </div>
              <div className={styles.actions}>
                <Button appearance="subtle" icon={<CopyRegular />} onClick={() => void copy(connection.webhookUrl)} aria-label={`Copy the webhook URL of ${connection.name}`} />
                {!readOnly && (
                  <>
                    <Button appearance="subtle" onClick={() => setEditing(connection)} aria-label={`Edit ${connection.name}`}>
                      Edit
                    </Button>
                    <Button appearance="subtle" onClick={() => setDeleting(connection)} aria-label={`Delete ${connection.name}`}>
                      Delete
                    </Button>
                  </>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      {editing && (
        <ConnectionDialog
          api={api}
          enterpriseId={enterpriseId}
          connection={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
          onSaved={(saved) => {
            reload();
            notify(`Carrier connection ${saved.name} saved`);
          }}
        />
      )}
      {deleting && <DeleteConnectionDialog api={api} enterpriseId={enterpriseId} connection={deleting} onClose={() => setDeleting(undefined)} onDeleted={reload} />}
    </Card>
  );
}

function ConnectionDialog({ api, enterpriseId, connection, onClose, onSaved }: { api: NumbersApi; enterpriseId: string; connection?: CarrierConnection; onClose: () => void; onSaved: (saved: CarrierConnection) => void }) {
  const styles = useStyles();
  const [type, setType] = useState<CarrierType>(connection?.type ?? 'twilio');
  const [label, setLabel] = useState(connection?.name ?? '');
  // Identifiers start as stored; secrets always start empty (they are never sent to the browser).
  const initial = () => Object.fromEntries(CREDENTIAL_FIELDS[type].filter((f) => !f.secret).map((f) => [f.name, connection?.credentials[f.name] ?? '']));
  const [values, setValues] = useState<Record<string, string>>(initial);
  const [replace, setReplace] = useState(!connection);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const { run, busy, failure, clearFailure } = useAsyncAction();
  const fields = CREDENTIAL_FIELDS[type];
  const paths = ['name', 'type', 'credentials', ...fields.map((f) => `credentials.${f.name}`)];

  const save = async () => {
    const found: Record<string, string> = {};
    if (!label.trim()) found.name = 'Give the connection a name.';
    const { credentials, missing } = credentialsFrom(type, values);
    if (replace) Object.assign(found, missing);
    setErrors(found);
    clearFailure();
    if (Object.keys(found).length > 0) return;
    const failed = await run(async () => {
      const saved = connection
        ? await api.updateCarrierConnection(enterpriseId, connection.id, connection.etag, { ...(label.trim() !== connection.name ? { name: label.trim() } : {}), ...(replace ? { credentials } : {}) })
        : await api.createCarrierConnection(enterpriseId, { type, name: label.trim(), credentials });
      onSaved(saved);
      onClose();
    });
    if (failed) setErrors(splitFieldIssues(failed, paths).byField as Record<string, string>);
  };

  const otherIssues = failure ? splitFieldIssues(failure, paths).other : [];
  return (
    <FormDialog title={connection ? `Edit ${connection.name}` : 'Add a carrier connection'} contentClassName={styles.form} submitLabel={connection ? 'Save' : 'Add connection'} busy={busy} onSubmit={save} onClose={onClose} autoComplete="off">
      {failure && <ErrorBar error={failure} title="Couldn't save the connection" issues={otherIssues} />}
      <Field label="Carrier" validationMessage={errors.type} hint={connection ? 'The carrier of a connection cannot change.' : undefined}>
        <Dropdown
          value={CARRIER_NAMES[type]}
          selectedOptions={[type]}
          disabled={Boolean(connection)}
          onOptionSelect={(_, d) => {
            setType(d.optionValue as CarrierType);
            setValues({});
            setErrors({});
          }}
        >
          {(Object.keys(CARRIER_NAMES) as CarrierType[]).map((carrier) => (
            <Option key={carrier} value={carrier}>
              {CARRIER_NAMES[carrier]}
            </Option>
          ))}
        </Dropdown>
      </Field>
      <Field label="Connection label" required validationMessage={errors.name} hint="How people in Switchboard recognise it, e.g. Twilio US.">
        <Input value={label} onChange={(_, d) => { setLabel(d.value); setErrors((e) => ({ ...e, name: '' })); }} maxLength={100} />
      </Field>
      {connection && (
        <Switch label="Replace the credentials" checked={replace} onChange={(_, d) => setReplace(d.checked)} />
      )}
      {replace &&
        fields.map((field) => {
          const path = `credentials.${field.name}`;
          const isSet = Boolean(connection?.credentials[field.name]);
          return (
            <Field
              key={field.name}
              label={field.label}
              required={!field.optional}
              validationMessage={errors[path] || undefined}
              hint={field.secret && isSet ? `Set. Type the new ${field.label.toLowerCase()}; the current one is never shown.` : field.hint}
            >
              <Input
                type={field.secret ? 'password' : 'text'}
                autoComplete={field.secret ? 'new-password' : 'off'}
                value={values[field.name] ?? ''}
                onChange={(_, d) => {
                  setValues((v) => ({ ...v, [field.name]: d.value }));
                  setErrors((e) => ({ ...e, [path]: '' }));
                }}
              />
            </Field>
          );
        })}
    </FormDialog>
  );
}

function DeleteConnectionDialog({ api, enterpriseId, connection, onClose, onDeleted }: { api: NumbersApi; enterpriseId: string; connection: CarrierConnection; onClose: () => void; onDeleted: () => void }) {
  const remove = async () => {
    await api.deleteCarrierConnection(enterpriseId, connection.id, connection.etag);
    onDeleted();
    onClose();
  };
  return (
    <ConfirmDialog title={`Delete ${connection.name}?`} confirmLabel="Delete" failureTitle="The connection was not deleted" onConfirm={remove} onClose={onClose} refusalIsFinal>
      <Body1>Its credentials are deleted. Numbers still using it must be moved to another connection first.</Body1>
    </ConfirmDialog>
  );
}
