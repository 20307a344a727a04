import {
  Badge,
  Button,
  Caption1,
  Card,
  Field,
  Input,
  MessageBar,
  Radio,
  RadioGroup,
  Textarea,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Switch,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ArrowUndoRegular, ArrowClockwiseRegular } from '@fluentui/react-icons';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useAdminApi } from '../../api/ApiContext';
import { splitFieldIssues, toApiError, type ApiError } from '../../api/errors';
import type { Enterprise, Me } from '../../api/types';
import { ErrorBar } from '../../components/ErrorBar';
import { useNotify } from '../../components/notify';
import { formatDateTime, formatRelative } from '../../format/dates';
import {
  MAX_COMPLIANCE_REPLY_LENGTH,
  REPLY_FIELDS,
  SETTINGS_FIELDS,
  SYNC_MAX,
  SYNC_MIN,
  buildPatch,
  changedFields,
  draftFrom,
  validateDraft,
  type OptOutScope,
  type SettingsDraft,
  type SettingsField,
} from './settingsForm';
import { CarrierConnectionsCard } from './CarrierConnectionsCard';
import { ChatAccessCard } from './ChatAccessCard';
import { SyncGroupsCard } from './SyncGroupsCard';
import { SettingsSection } from './SettingsSection';
import { TimeZoneField } from './TimeZoneField';

const useStyles = makeStyles({
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  card: { padding: `0 ${tokens.spacingHorizontalXL}` },
  footer: {
    position: 'sticky',
    bottom: 0,
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
    flexWrap: 'wrap',
    margin: `0 calc(-1 * ${tokens.spacingHorizontalXL})`,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalXL}`,
    backgroundColor: tokens.colorNeutralBackground1,
    borderTop: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderBottomLeftRadius: tokens.borderRadiusMedium,
    borderBottomRightRadius: tokens.borderRadiusMedium,
  },
  status: { marginLeft: 'auto', color: tokens.colorNeutralForeground3 },
  // Fluent's Switch indents its track; pull it back under the field label.
  switch: { marginLeft: `calc(-1 * ${tokens.spacingHorizontalS})` },
});

type FieldErrors = Partial<Record<SettingsField, string>>;

export interface SettingsPageProps {
  enterprise: Enterprise;
  me: Me;
  /** The caller may look but not change anything (a provider without the enterprise's consent). */
  readOnly: boolean;
  /** The enterprise as saved or reloaded, for the rest of the workspace. */
  onChange: (enterprise: Enterprise) => void;
}

/** An enterprise's settings, saved with its ETag so nobody silently overwrites someone else. */
export function SettingsPage({ enterprise, me, readOnly, onChange }: SettingsPageProps) {
  const styles = useStyles();
  const api = useAdminApi();
  const notify = useNotify();
  const [draft, setDraft] = useState<SettingsDraft>(() => draftFrom(enterprise));
  const [draftEtag, setDraftEtag] = useState(enterprise.etag);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<ApiError>();
  const [conflict, setConflict] = useState<ApiError>();
  const [saving, setSaving] = useState(false);
  const [reloading, setReloading] = useState(false);
  const refs = {
    name: useRef<HTMLInputElement>(null),
    'settings.timeZone': useRef<HTMLInputElement>(null),
    'settings.syncIntervalMinutes': useRef<HTMLInputElement>(null),
  };

  // A new version (saved or reloaded) replaces the form; until then the user's edits stay.
  if (enterprise.etag !== draftEtag) {
    setDraftEtag(enterprise.etag);
    setDraft(draftFrom(enterprise));
    setFieldErrors({});
    setConflict(undefined);
  }

  const dirty = changedFields(enterprise, draft).length > 0;
  const canChangeConsent = me.role === 'global-admin' && !readOnly;
  useWarnOnLeave(dirty);

  const edit = <K extends keyof SettingsDraft>(key: K, value: SettingsDraft[K], field: SettingsField) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setFieldErrors((e) => ({ ...e, [field]: undefined }));
  };

  const focusFirst = (errors: FieldErrors) => {
    const first = SETTINGS_FIELDS.find((f) => errors[f] && f in refs);
    if (first) refs[first as keyof typeof refs].current?.focus();
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!dirty || saving || readOnly) return;
    const errors = validateDraft(draft);
    setFieldErrors(errors);
    setFailure(undefined);
    if (Object.keys(errors).length > 0) return focusFirst(errors);
    setSaving(true);
    try {
      const saved = await api.updateEnterprise(enterprise.id, enterprise.etag, buildPatch(enterprise, draft));
      onChange(saved);
      notify('Settings saved');
    } catch (error) {
      const apiError = toApiError(error);
      if (apiError.status === 409 || apiError.status === 412) {
        setConflict(apiError);
      } else {
        const { byField } = splitFieldIssues(apiError, SETTINGS_FIELDS);
        setFieldErrors(byField);
        setFailure(apiError);
        focusFirst(byField);
      }
    } finally {
      setSaving(false);
    }
  };

  const reloadLatest = async () => {
    setReloading(true);
    try {
      const latest = await api.getEnterprise(enterprise.id);
      onChange(latest);
      // Same ETag means nothing changed after all; still honour "reload".
      setDraft(draftFrom(latest));
      setConflict(undefined);
      setFieldErrors({});
      setFailure(undefined);
    } catch (error) {
      setFailure(toApiError(error));
    } finally {
      setReloading(false);
    }
  };

  const discard = () => {
    setDraft(draftFrom(enterprise));
    setFieldErrors({});
    setFailure(undefined);
  };

  const otherIssues = failure ? splitFieldIssues(failure, SETTINGS_FIELDS).other : [];
  const locked = readOnly || saving;

  return (
    <div className={styles.stack}>
      {conflict && (
        <MessageBar intent="warning" layout="multiline" politeness="assertive">
          <MessageBarBody>
            <MessageBarTitle>Someone else changed these settings</MessageBarTitle>
            Someone else changed these settings while you were editing, so yours were not saved. Your edits are still shown below.
            Reload to get the latest settings (this replaces your edits), then make your changes again.
          </MessageBarBody>
          <MessageBarActions>
            <Button icon={reloading ? <Spinner size="tiny" /> : <ArrowClockwiseRegular />} disabledFocusable={reloading} onClick={() => void reloadLatest()}>
              Reload
            </Button>
          </MessageBarActions>
        </MessageBar>
      )}
      {failure && <ErrorBar error={failure} title="Couldn't save the settings" issues={otherIssues} />}
      <form onSubmit={(event) => void save(event)} noValidate aria-label="Enterprise settings">
        <Card className={styles.card}>
          <SettingsSection title="General" description="How this enterprise appears in Switchboard, and the time zone for its timestamps.">
            <Field label="Name" required validationMessage={fieldErrors.name}>
              <Input ref={refs.name} value={draft.name} disabled={locked} onChange={(_, d) => edit('name', d.value, 'name')} maxLength={200} />
            </Field>
            <TimeZoneField
              inputRef={refs['settings.timeZone']}
              value={draft.timeZone}
              disabled={locked}
              error={fieldErrors['settings.timeZone']}
              onChange={(zone) => edit('timeZone', zone, 'settings.timeZone')}
            />
          </SettingsSection>
          <SettingsSection title="Messaging" description="What people in this enterprise can do with Switchboard.">
            <Field
              label="Chat enabled"
              validationMessage={fieldErrors['settings.chatEnabled']}
              hint="Lets people in this enterprise chat with customers on external platforms."
            >
              <Switch className={styles.switch} checked={draft.chatEnabled} disabled={locked} onChange={(_, d) => edit('chatEnabled', d.checked, 'settings.chatEnabled')} />
            </Field>
          </SettingsSection>
          <SettingsSection
            title="Opt-out and help"
            description="What people who text STOP, START or HELP to your numbers get back. Carriers require these answers."
          >
            <Field label="What a STOP blocks" validationMessage={fieldErrors['settings.optOutScope']}>
              <RadioGroup value={draft.optOutScope} disabled={locked} onChange={(_, d) => edit('optOutScope', d.value as OptOutScope, 'settings.optOutScope')}>
                <Radio value="number" label="Only the number it was sent to" />
                <Radio value="enterprise" label="Every number of this enterprise" />
              </RadioGroup>
            </Field>
            {REPLY_FIELDS.map(({ key, field }) => (
              <Field
                key={key}
                label={key === 'optOutReply' ? 'Reply to STOP' : key === 'optInReply' ? 'Reply to START' : 'Reply to HELP'}
                required
                validationMessage={fieldErrors[field]}
                hint={`${draft[key].trim().length} of ${MAX_COMPLIANCE_REPLY_LENGTH} characters.`}
              >
                <Textarea value={draft[key]} disabled={locked} resize="vertical" rows={2} onChange={(_, d) => edit(key, d.value, field)} />
              </Field>
            ))}
          </SettingsSection>
          <SettingsSection title="Directory sync" description="Switchboard keeps its user list in step with Microsoft 365.">
            <Field
              label="Sync every (minutes)"
              required
              validationMessage={fieldErrors['settings.syncIntervalMinutes']}
              hint={`From ${SYNC_MIN} minutes to ${SYNC_MAX} (once a day).`}
            >
              <Input
                ref={refs['settings.syncIntervalMinutes']}
                type="number"
                inputMode="numeric"
                min={SYNC_MIN}
                max={SYNC_MAX}
                step={1}
                value={draft.syncIntervalMinutes}
                disabled={locked}
                contentAfter="minutes"
                onChange={(_, d) => edit('syncIntervalMinutes', d.value, 'settings.syncIntervalMinutes')}
              />
            </Field>
          </SettingsSection>
          <SettingsSection title="Service provider" description="Whether your service provider's admins may configure Switchboard for this enterprise.">
            <Field
              label="Allow management by service provider"
              validationMessage={fieldErrors['settings.allowProviderManagement']}
              hint={canChangeConsent ? "Your provider's admins can change settings, users and numbers while this is on." : "Only the enterprise's global admin can change this."}
            >
              <Switch
                className={styles.switch}
                checked={draft.allowProviderManagement}
                disabled={!canChangeConsent || saving}
                onChange={(_, d) => edit('allowProviderManagement', d.checked, 'settings.allowProviderManagement')}
              />
            </Field>
          </SettingsSection>
          <div className={styles.footer}>
            <Button
              type="submit"
              appearance="primary"
              disabledFocusable={!dirty || locked}
              icon={saving ? <Spinner size="tiny" /> : undefined}
            >
              {saving ? 'Saving…' : 'Save'}
            </Button>
            <Button icon={<ArrowUndoRegular />} disabledFocusable={!dirty || saving} onClick={discard}>
              Discard changes
            </Button>
            {dirty ? (
              <Badge className={styles.status} appearance="tint" color="warning" role="status">
                Unsaved changes
              </Badge>
            ) : (
              <Caption1 className={styles.status} role="status" title={formatDateTime(enterprise.updatedAt)}>
                Last changed {formatRelative(enterprise.updatedAt)}
              </Caption1>
            )}
          </div>
        </Card>
      </form>
      {/* Read-only means the provider lacks the enterprise's consent: the server refuses these, so they are not offered. */}
      {!readOnly && (
        <>
          <CarrierConnectionsCard enterpriseId={enterprise.id} readOnly={readOnly} />
          <ChatAccessCard enterprise={enterprise} readOnly={readOnly} />
          <SyncGroupsCard enterprise={enterprise} readOnly={readOnly} formDirty={dirty} onChange={onChange} />
        </>
      )}
    </div>
  );
}

/** The browser's own "leave site?" prompt while edits are unsaved. */
function useWarnOnLeave(active: boolean): void {
  useEffect(() => {
    if (!active) return undefined;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [active]);
}
