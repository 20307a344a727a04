import { Field, Input, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { splitFieldIssues } from '../../api/errors';
import type { MessagesApi } from '../../api/messages';
import type { Contact } from '../../api/types';
import { ErrorBar } from '../../components/ErrorBar';
import { FormDialog } from '../../components/FormDialog';
import { useAsyncAction } from '../../hooks/useAsyncAction';

const FIELDS = ['name', 'number'] as const;
type ContactField = (typeof FIELDS)[number];

const useStyles = makeStyles({
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
});

export interface ContactDialogProps {
  open: boolean;
  api: MessagesApi;
  /** Editing: the contact to rename (its number is its identity). Else a new personal contact. */
  contact?: Contact;
  initialNumber?: string;
  onOpenChange: (open: boolean) => void;
  onSaved: (contact: Contact) => void;
}

/** Adds a personal contact, or renames one. Errors sit next to their field; what was typed stays when a save fails. */
export function ContactDialog({ open, api, contact, initialNumber, onOpenChange, onSaved }: ContactDialogProps) {
  const styles = useStyles();
  const [name, setName] = useState('');
  const [number, setNumber] = useState('');
  const [errors, setErrors] = useState<Partial<Record<ContactField, string>>>({});
  const { run, busy: saving, failure, clearFailure } = useAsyncAction();

  useEffect(() => {
    if (!open) return;
    setName(contact?.name ?? '');
    setNumber(contact?.display ?? initialNumber ?? '');
    setErrors({});
    clearFailure();
  }, [open, contact, initialNumber, clearFailure]);

  const submit = async () => {
    if (saving) return;
    const missing: Partial<Record<ContactField, string>> = {};
    if (!name.trim()) missing.name = 'Give the contact a name.';
    if (!contact && !number.trim()) missing.number = 'Give the phone number, e.g. +1 206 555 0100.';
    setErrors(missing);
    clearFailure();
    if (Object.keys(missing).length > 0) return;
    const failed = await run(async () => {
      const saved = contact ? await api.renameContact(contact, name.trim()) : await api.createContact({ scope: 'personal', number: number.trim(), name: name.trim() });
      onSaved(saved);
      onOpenChange(false);
    });
    if (failed) setErrors(splitFieldIssues(failed, FIELDS).byField);
  };

  const others = failure ? splitFieldIssues(failure, FIELDS).other : [];
  const showBar = failure !== undefined && !(failure.details.length > 0 && others.length === 0);

  return (
    <FormDialog title={contact ? 'Edit contact' : 'Add contact'} contentClassName={styles.content} submitLabel="Save contact" busyLabel="Saving…" busy={saving} onSubmit={submit} onClose={() => onOpenChange(false)} open={open}>
      {showBar && failure && (
        <ErrorBar error={failure} title={failure.status === 409 ? (contact ? 'Changed meanwhile' : 'Already a contact') : "Couldn't save the contact"} issues={others} />
      )}
      <Field label="Name" required validationMessage={errors.name}>
        <Input value={name} onChange={(_, d) => setName(d.value)} maxLength={100} autoComplete="off" />
      </Field>
      <Field label="Phone number" required={!contact} validationMessage={errors.number} hint={contact ? 'The number is the contact: to change it, add a new contact.' : 'International form, e.g. +1 206 555 0100.'}>
        <Input value={number} onChange={(_, d) => setNumber(d.value)} readOnly={!!contact} autoComplete="off" inputMode="tel" />
      </Field>
    </FormDialog>
  );
}
