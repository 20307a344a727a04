import { Button, Caption1, Field, Select, Spinner, Textarea, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { SendRegular } from '@fluentui/react-icons';
import { useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { toApiError } from '../../api/errors';
import type { MessagesApi } from '../../api/messages';
import type { SendingNumber, SmsMessage } from '../../api/types';
import { displayNumber } from '../../format/phone';
import { isSendShortcut, placeSendError, segmentCounter, type ComposeField } from './compose';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalM,
    borderTop: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-end' },
  body: { flexGrow: 1, minWidth: 0 },
  footer: { display: 'flex', justifyContent: 'space-between', gap: tokens.spacingHorizontalS, flexWrap: 'wrap', color: tokens.colorNeutralForeground3 },
  over: { color: tokens.colorPaletteRedForeground1 },
  general: { color: tokens.colorPaletteRedForeground1 },
});

export interface ComposerProps {
  api: MessagesApi;
  /** The recipient as typed or as the conversation has it. */
  to: string;
  /** A fixed sending number (a reply goes out from the conversation's number). */
  from?: string;
  /** Numbers to pick from when starting a conversation; a picker shows when there are several. */
  fromOptions?: SendingNumber[];
  /** Where a draft lives while the page is open. */
  draftKey: string;
  drafts: Map<string, string>;
  /** The recipient's own field shows recipient errors; without it, they show here. */
  onRecipientError?: (message: string | undefined) => void;
  /** Checked before sending: a message to show next to the recipient, or undefined. */
  checkRecipient?: () => string | undefined;
  onSent: (message: SmsMessage) => void;
}

/**
 * Text, a live segment counter from the shared rule ("2 segments · GSM-7 · 23 left"),
 * Send (or Ctrl+Enter). The 10-segment limit is enforced before the server sees it;
 * errors sit next to the field they name, and a failed send keeps the text.
 */
export function Composer({ api, to, from, fromOptions = [], draftKey, drafts, onRecipientError, checkRecipient, onSent }: ComposerProps) {
  const styles = useStyles();
  const [text, setText] = useState(() => drafts.get(draftKey) ?? '');
  const [picked, setPicked] = useState(() => fromOptions[0]?.number ?? '');
  const [errors, setErrors] = useState<Partial<Record<ComposeField, string>>>({});
  const [general, setGeneral] = useState<string>();
  const [sending, setSending] = useState(false);
  const textRef = useRef<HTMLTextAreaElement>(null);

  const counter = segmentCounter(text);
  const sendFrom = from ?? (fromOptions.length > 0 ? picked : undefined);
  const empty = text.trim() === '';

  const edit = (value: string) => {
    setText(value);
    drafts.set(draftKey, value);
    if (errors.body) setErrors((e) => ({ ...e, body: undefined }));
  };

  const showErrors = (byField: Partial<Record<ComposeField, string>>, message?: string) => {
    setErrors(byField);
    setGeneral(onRecipientError ? message : [byField.to, message].filter(Boolean).join(' ') || undefined);
    onRecipientError?.(byField.to);
  };

  const send = async (event?: FormEvent) => {
    event?.preventDefault();
    if (sending) return;
    const recipientProblem = checkRecipient?.();
    if (recipientProblem) return showErrors({ to: recipientProblem });
    if (empty) return showErrors({ body: 'Write a message before sending.' });
    if (counter.tooLong) return showErrors({ body: counter.problem });
    showErrors({});
    setSending(true);
    try {
      const sent = await api.send({ to: to.trim(), body: text, ...(sendFrom ? { from: sendFrom } : {}) });
      setText('');
      drafts.delete(draftKey);
      onSent(sent);
      textRef.current?.focus();
    } catch (error) {
      const placed = placeSendError(toApiError(error));
      showErrors(placed.byField, placed.general);
      if (placed.byField.body) textRef.current?.focus();
    } finally {
      setSending(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (isSendShortcut(event)) {
      event.preventDefault();
      void send();
    }
  };

  return (
    <form className={styles.root} onSubmit={(event) => void send(event)} noValidate aria-label="Write a message">
      {fromOptions.length > 1 && !from && (
        <Field label="From" validationMessage={errors.from}>
          <Select value={picked} onChange={(_, data) => setPicked(data.value)}>
            {fromOptions.map((n) => (
              <option key={n.number} value={n.number}>
                {n.display}
                {n.via === 'group' ? ' (SMS group)' : ''}
              </option>
            ))}
          </Select>
        </Field>
      )}
      {errors.from && (fromOptions.length <= 1 || from) && <Caption1 className={styles.general}>{errors.from}</Caption1>}
      <div className={styles.row}>
        <Field
          className={styles.body}
          label="Message"
          validationMessage={errors.body ?? (counter.tooLong ? counter.problem : undefined)}
          hint={{ children: counter.label, className: mergeClasses(counter.tooLong && styles.over) }}
        >
          <Textarea
            ref={textRef}
            value={text}
            onChange={(_, data) => edit(data.value)}
            onKeyDown={onKeyDown}
            resize="vertical"
            rows={3}
            placeholder="Type a text message (Ctrl+Enter sends)"
          />
        </Field>
        <Button type="submit" appearance="primary" icon={sending ? <Spinner size="tiny" /> : <SendRegular />} disabledFocusable={sending || counter.tooLong}>
          {sending ? 'Sending…' : 'Send'}
        </Button>
      </div>
      {sendFrom && !(fromOptions.length > 1 && !from) && <Caption1 className={styles.footer}>From {fromOptions.find((n) => n.number === sendFrom)?.display ?? displayNumber(sendFrom)}</Caption1>}
      {general && (
        <Caption1 role="alert" className={styles.general}>
          {general}
        </Caption1>
      )}
    </form>
  );
}
