import { Body1, Button, Combobox, Field, Option, Spinner, Subtitle2, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowLeftRegular, PhoneRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import type { MessagesApi } from '../../api/messages';
import type { Contact, SendingNumber } from '../../api/types';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBar } from '../../components/ErrorBar';
import type { Resource } from '../../hooks/useResource';
import { Composer } from './Composer';
import { conversationIdOf } from './sharedRules';
import { recipientProblem } from './compose';
import { pane, paneHeader } from './paneStyles';

const useStyles = makeStyles({
  root: pane,
  header: paneHeader,
  title: { margin: 0 },
  body: { flexGrow: 1, padding: tokens.spacingHorizontalM, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  muted: { color: tokens.colorNeutralForeground2 },
  centered: { display: 'flex', justifyContent: 'center', padding: tokens.spacingVerticalXXL },
});

export interface NewConversationProps {
  api: MessagesApi;
  numbers: Resource<{ numbers: SendingNumber[] }>;
  contacts: Contact[];
  initialTo?: string;
  hasConversations: boolean;
  drafts: Map<string, string>;
  onBack?: () => void;
  onStarted: (conversationId: string) => void;
}

/** Start a conversation: a number or a contact, the sending number when you have several, and the first message. */
export function NewConversation({ api, numbers, contacts, initialTo, hasConversations, drafts, onBack, onStarted }: NewConversationProps) {
  const styles = useStyles();
  const [to, setTo] = useState(() => contacts.find((c) => c.number === initialTo)?.name ?? initialTo ?? '');
  const [toError, setToError] = useState<string>();

  // A contact picked by name sends to its number; anything else is taken as typed.
  const recipient = contacts.find((c) => c.name === to || c.display === to)?.number ?? to;
  const query = to.trim().toLowerCase();
  const suggestions = contacts.filter((c) => !query || c.name.toLowerCase().includes(query) || c.number.includes(query.replace(/\D/g, '') || '\u0000')).slice(0, 20);
  const own = numbers.data?.numbers ?? [];

  return (
    <div className={styles.root}>
      <div className={styles.header}>
        {onBack && <Button appearance="subtle" icon={<ArrowLeftRegular />} onClick={onBack} aria-label="Back to conversations" />}
        <Subtitle2 as="h2" className={styles.title}>
          New conversation
        </Subtitle2>
      </div>
      {numbers.error ? (
        <div className={styles.body}>
          <ErrorBar error={numbers.error} title="Couldn't load your SMS numbers" onRetry={numbers.reload} />
        </div>
      ) : !numbers.data ? (
        <div className={styles.centered}>
          <Spinner size="small" label="Loading your numbers…" />
        </div>
      ) : own.length === 0 ? (
        <EmptyState
          icon={<PhoneRegular />}
          title="You have no SMS number yet."
          description="Ask your Switchboard admin to assign you one (Users page, SMS User Configuration). Then you can text customers from here."
        />
      ) : (
        <>
          <div className={styles.body}>
            {!hasConversations && !initialTo && <Body1 className={styles.muted}>Text a customer: enter their number or pick a contact, then write your message.</Body1>}
            <Field label="To" required validationMessage={toError} hint="A phone number in international form (+1 206 555 0100), or a contact's name.">
              <Combobox
                freeform
                value={to}
                placeholder="Number or contact"
                onChange={(event) => {
                  setTo(event.target.value);
                  setToError(undefined);
                }}
                onOptionSelect={(_, data) => {
                  if (data.optionText) setTo(data.optionText);
                  setToError(undefined);
                }}
              >
                {suggestions.map((c) => (
                  <Option key={`${c.scope}:${c.number}`} value={c.number} text={c.name}>
                    {c.name} · {c.display}
                  </Option>
                ))}
              </Combobox>
            </Field>
          </div>
          <Composer
            api={api}
            to={recipient}
            fromOptions={own}
            draftKey="new"
            drafts={drafts}
            checkRecipient={() => recipientProblem(recipient)}
            onRecipientError={setToError}
            onSent={(message) => {
              drafts.delete('new');
              onStarted(conversationIdOf(message.from, message.to));
            }}
          />
        </>
      )}
    </div>
  );
}
