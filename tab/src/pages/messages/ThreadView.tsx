import { Button, Caption1, Spinner, Subtitle2, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowLeftRegular, PersonAddRegular } from '@fluentui/react-icons';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { toApiError, type ApiError } from '../../api/errors';
import type { MessagesApi } from '../../api/messages';
import type { ContactList, Conversation, SmsMessage } from '../../api/types';
import { ErrorBar } from '../../components/ErrorBar';
import type { Resource } from '../../hooks/useResource';
import { Composer } from './Composer';
import { ContactDialog } from './ContactDialog';
import { MessageBubble } from './MessageBubble';
import { displayNumber } from '../../format/phone';
import { conversationTitle, mergeMessages } from './thread';
import { usePolled } from './usePolled';
import { pane, paneHeader } from './paneStyles';

/** An open conversation shows new messages and status changes within this long. */
const THREAD_POLL_MS = 3000;

const useStyles = makeStyles({
  root: pane,
  header: paneHeader,
  titles: { display: 'flex', flexDirection: 'column', flexGrow: 1, minWidth: 0 },
  title: { margin: 0 },
  muted: { color: tokens.colorNeutralForeground3 },
  log: { flexGrow: 1, overflowY: 'auto', minHeight: '200px', padding: tokens.spacingHorizontalM, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  older: { alignSelf: 'center' },
  centered: { display: 'flex', justifyContent: 'center', padding: tokens.spacingVerticalXXL },
  errors: { padding: tokens.spacingHorizontalS },
});

export interface ThreadViewProps {
  api: MessagesApi;
  conversationId: string;
  /** What the list knows of it, shown while the thread loads. */
  conversation?: Conversation;
  drafts: Map<string, string>;
  contacts: Resource<ContactList>;
  onBack?: () => void;
  onRead: (conversation: Conversation) => void;
  onSent: () => void;
}

/** One conversation: messages oldest first with their delivery status, marked read when seen, and the reply composer. */
export function ThreadView({ api, conversationId, conversation: known, drafts, contacts, onBack, onRead, onSent }: ThreadViewProps) {
  const styles = useStyles();
  const history = usePolled((signal) => api.history(conversationId, { signal }), `history:${conversationId}`, THREAD_POLL_MS);
  const [older, setOlder] = useState<{ items: SmsMessage[]; token?: string; loading: boolean; error?: ApiError }>({ items: [], loading: false });
  const [sent, setSent] = useState<SmsMessage[]>([]);
  const [addingContact, setAddingContact] = useState(false);
  const logRef = useRef<HTMLDivElement>(null);
  const stuckToBottom = useRef(true);

  const conversation = history.data?.conversation ?? known;
  const messages = mergeMessages(mergeMessages(older.items, sent), history.data?.items ?? []);
  const nextToken = older.token ?? (older.items.length === 0 ? history.data?.continuationToken : undefined);

  // Reading the thread reads its messages: mark it once per batch of unread ones.
  const unread = history.data?.conversation.unreadCount ?? 0;
  const lastId = messages[messages.length - 1]?.id;
  useEffect(() => {
    if (unread === 0) return;
    api.markRead(conversationId).then(onRead, () => undefined);
  }, [api, conversationId, unread, lastId, onRead]);

  // Follow new messages when the reader is at the bottom; leave them where they are when scrolled up.
  useLayoutEffect(() => {
    const log = logRef.current;
    if (log && stuckToBottom.current) log.scrollTop = log.scrollHeight;
  }, [messages.length, lastId]);

  const loadOlder = async () => {
    if (!nextToken) return;
    setOlder((o) => ({ ...o, loading: true, error: undefined }));
    try {
      const page = await api.history(conversationId, { continuationToken: nextToken });
      stuckToBottom.current = false;
      setOlder((o) => ({ items: mergeMessages(o.items, page.items), ...(page.continuationToken ? { token: page.continuationToken } : {}), loading: false }));
    } catch (error) {
      setOlder((o) => ({ ...o, loading: false, error: toApiError(error) }));
    }
  };

  const title = conversation ? conversationTitle(conversation) : 'Conversation';
  return (
    <div className={styles.root}>
      <div className={styles.header}>
        {onBack && <Button appearance="subtle" icon={<ArrowLeftRegular />} onClick={onBack} aria-label="Back to conversations" />}
        <div className={styles.titles}>
          <Subtitle2 as="h2" className={styles.title}>
            {title}
          </Subtitle2>
          {conversation && (
            <Caption1 className={styles.muted}>
              {conversation.contactName ? `${displayNumber(conversation.externalNumber)} · ` : ''}on {displayNumber(conversation.enterpriseNumber)}
            </Caption1>
          )}
        </div>
        {conversation && !conversation.contactName && (
          <Button appearance="subtle" icon={<PersonAddRegular />} onClick={() => setAddingContact(true)}>
            Add contact
          </Button>
        )}
      </div>
      {history.error && (
        <div className={styles.errors}>
          <ErrorBar error={history.error} title={history.data ? "Couldn't refresh this conversation" : "Couldn't load this conversation"} onRetry={history.refresh} />
        </div>
      )}
      <div
        ref={logRef}
        className={styles.log}
        role="log"
        aria-label={`Messages with ${title}`}
        tabIndex={0}
        onScroll={(event) => {
          const el = event.currentTarget;
          stuckToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
        }}
      >
        {history.loading && !history.data ? (
          <div className={styles.centered}>
            <Spinner size="small" label="Loading messages…" />
          </div>
        ) : (
          <>
            {nextToken && (
              <Button className={styles.older} size="small" onClick={() => void loadOlder()} disabledFocusable={older.loading}>
                {older.loading ? 'Loading…' : 'Load older messages'}
              </Button>
            )}
            {older.error && <ErrorBar error={older.error} title="Couldn't load older messages" onRetry={() => void loadOlder()} />}
            {messages.length === 0 && history.data && <Caption1 className={styles.muted}>No messages yet.</Caption1>}
            {messages.map((m) => (
              <MessageBubble key={m.id} message={m} />
            ))}
          </>
        )}
      </div>
      {conversation && (
        <Composer
          api={api}
          to={conversation.externalNumber}
          from={conversation.enterpriseNumber}
          draftKey={conversationId}
          drafts={drafts}
          onSent={(message) => {
            stuckToBottom.current = true;
            setSent((s) => [...s, message]);
            history.refresh();
            onSent();
          }}
        />
      )}
      {conversation && (
        <ContactDialog
          open={addingContact}
          api={api}
          initialNumber={conversation.externalNumber}
          onOpenChange={setAddingContact}
          onSaved={() => {
            contacts.reload();
            history.refresh();
            onSent();
          }}
        />
      )}
    </div>
  );
}
