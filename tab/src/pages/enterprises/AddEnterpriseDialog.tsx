import { Body1, Field, Input, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import { useAdminApi } from '../../api/ApiContext';
import { splitFieldIssues, toApiError, type ApiError } from '../../api/errors';
import type { Enterprise } from '../../api/types';
import { ErrorBar } from '../../components/ErrorBar';
import { FormDialog } from '../../components/FormDialog';
import {
  NEW_ENTERPRISE_FIELDS,
  normaliseNewEnterprise,
  validateNewEnterprise,
  type NewEnterpriseField,
  type NewEnterpriseValues,
} from './newEnterprise';

const useStyles = makeStyles({
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  intro: { color: tokens.colorNeutralForeground2 },
  tenant: { fontFamily: tokens.fontFamilyMonospace },
});

const EMPTY: NewEnterpriseValues = { name: '', tenantId: '' };

export interface AddEnterpriseDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onCreated: (enterprise: Enterprise) => void;
}

/** Registers a Microsoft 365 organization the provider serves: a name and its tenant id. */
export function AddEnterpriseDialog({ open, onOpenChange, onCreated }: AddEnterpriseDialogProps) {
  const styles = useStyles();
  const api = useAdminApi();
  const [values, setValues] = useState<NewEnterpriseValues>(EMPTY);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<NewEnterpriseField, string>>>({});
  const [failure, setFailure] = useState<ApiError>();
  const [submitting, setSubmitting] = useState(false);
  const inputs = { name: useRef<HTMLInputElement>(null), tenantId: useRef<HTMLInputElement>(null) };

  // Each opening starts clean; a cancelled attempt should not linger.
  useEffect(() => {
    if (!open) return;
    setValues(EMPTY);
    setFieldErrors({});
    setFailure(undefined);
    setSubmitting(false);
  }, [open]);

  const focusFirst = (errors: Partial<Record<NewEnterpriseField, string>>) => {
    const first = NEW_ENTERPRISE_FIELDS.find((f) => errors[f]);
    if (first) inputs[first].current?.focus();
  };

  const edit = (field: NewEnterpriseField, value: string) => {
    setValues((v) => ({ ...v, [field]: value }));
    setFieldErrors((e) => ({ ...e, [field]: undefined }));
  };

  const submit = async () => {
    if (submitting) return;
    const errors = validateNewEnterprise(values);
    setFieldErrors(errors);
    setFailure(undefined);
    if (Object.keys(errors).length > 0) return focusFirst(errors);
    setSubmitting(true);
    try {
      onCreated(await api.createEnterprise(normaliseNewEnterprise(values)));
      onOpenChange(false);
    } catch (error) {
      const apiError = toApiError(error);
      const { byField } = splitFieldIssues(apiError, NEW_ENTERPRISE_FIELDS);
      setFieldErrors(byField);
      setFailure(apiError);
      focusFirst(byField);
    } finally {
      setSubmitting(false);
    }
  };

  const others = failure ? splitFieldIssues(failure, NEW_ENTERPRISE_FIELDS).other : [];
  // A 400 whose every issue sits next to its field needs no extra bar.
  const showBar = failure !== undefined && !(failure.status === 400 && failure.details.length > 0 && others.length === 0);

  return (
    <FormDialog title="Add enterprise" contentClassName={styles.content} submitLabel="Add enterprise" busyLabel="Adding…" busy={submitting} onSubmit={submit} onClose={() => onOpenChange(false)} open={open}>
      <Body1 className={styles.intro}>
        Add a Microsoft 365 organization you serve. Its global admin then decides whether you may manage it.
      </Body1>
      {showBar && failure && (
        <ErrorBar error={failure} title={failure.status === 409 ? 'Already added' : "Couldn't add the enterprise"} issues={others} />
      )}
      <Field label="Name" required validationMessage={fieldErrors.name}>
        <Input ref={inputs.name} value={values.name} onChange={(_, d) => edit('name', d.value)} autoComplete="organization" maxLength={200} />
      </Field>
      <Field
        label="Microsoft tenant ID"
        required
        validationMessage={fieldErrors.tenantId}
        hint="A GUID. The enterprise's admin finds it in the Microsoft Entra admin center, on the Overview page."
      >
        <Input
          ref={inputs.tenantId}
          className={styles.tenant}
          value={values.tenantId}
          onChange={(_, d) => edit('tenantId', d.value)}
          placeholder="00000000-0000-0000-0000-000000000000"
          autoComplete="off"
          spellCheck={false}
        />
      </Field>
    </FormDialog>
  );
}
