import { Card, Tab, TabList, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { useCallback, useRef, useState } from 'react';
import { useMessagesApi } from '../../api/messages';
import type { Conversation } from '../../api/types';
import { useResource } from '../../hooks/useResource';
import { ContactsPanel } from './ContactsPanel';
import { ConversationList } from './ConversationList';
import { NewConversation } from './NewConversation';
import { ThreadView } from './ThreadView';
import { useNarrow } from './useNarrow';
import { usePolled } from './usePolled';

/** New replies show up within this long while the tab is visible. */
const LIST_POLL_MS = 4000;

const useStyles = makeStyles({
  card: { padding: 0, overflow: 'hidden' },
  layout: {
    display: 'grid',
    gridTemplateColumns: 'minmax(260px, 340px) 1fr',
    height: 'calc(100vh - 220px)',
    minHeight: '480px',
  },
  single: { gridTemplateColumns: '1fr', height: 'auto', minHeight: 'calc(100vh - 200px)' },
  list: {
    display: 'flex',
    flexDirection: 'column',
    minHeight: 0,
    borderRight: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  listSingle: { borderRight: 'none' },
  tabs: { padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS} 0`, borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}` },
  detail: { display: 'flex', flexDirection: 'column', minHeight: 0, minWidth: 0, backgroundColor: tokens.colorNeutralBackground2 },
});

export type Selection = { kind: 'conversation'; id: string; preview?: Conversation } | { kind: 'new'; to?: string };

/**
 * Two panes: conversations (or contacts) on the left, the open conversation on the
 * right; one pane at a time when narrow. Drafts are kept per conversation while the
 * page is open, so switching away never loses what was typed.
 */
export function MessagesWorkspace({ enterpriseId }: { enterpriseId: string }) {
  const styles = useStyles();
  const api = useMessagesApi(enterpriseId);
  const narrow = useNarrow();
  const [pane, setPane] = useState<'conversations' | 'contacts'>('conversations');
  const [selection, setSelection] = useState<Selection>();
  const drafts = useRef(new Map<string, string>());

  const conversations = usePolled((signal) => api.listConversations({ signal }), `conversations:${enterpriseId}`, LIST_POLL_MS);
  const numbers = useResource((signal) => api.sendingNumbers(signal), `sending-numbers:${enterpriseId}`);
  const contacts = useResource((signal) => api.listContacts(signal), `contacts:${enterpriseId}`);

  const open = useCallback((conversation: Conversation) => setSelection({ kind: 'conversation', id: conversation.id, preview: conversation }), []);
  const openId = useCallback((id: string) => setSelection({ kind: 'conversation', id }), []);
  const startNew = useCallback((to?: string) => setSelection({ kind: 'new', ...(to ? { to } : {}) }), []);
  const back = useCallback(() => setSelection(undefined), []);

  // A conversation just read: its badge goes at once, the next poll confirms.
  const setConversations = conversations.setData;
  const markedRead = useCallback(
    (read: Conversation) => setConversations((page) => ({ ...(page ?? { items: [] }), items: (page?.items ?? []).map((c) => (c.id === read.id ? { ...c, unreadCount: 0 } : c)) })),
    [setConversations],
  );

  const showList = !narrow || selection === undefined;
  const showDetail = !narrow || selection !== undefined;
  const selectedConversation = selection?.kind === 'conversation' ? (conversations.data?.items.find((c) => c.id === selection.id) ?? selection.preview) : undefined;

  return (
    <Card className={styles.card}>
      <div className={mergeClasses(styles.layout, narrow && styles.single)}>
        {showList && (
          <section className={mergeClasses(styles.list, narrow && styles.listSingle)} aria-label="Conversations and contacts">
            <TabList className={styles.tabs} selectedValue={pane} onTabSelect={(_, data) => setPane(data.value as 'conversations' | 'contacts')} size="small">
              <Tab value="conversations">Conversations</Tab>
              <Tab value="contacts">Contacts</Tab>
            </TabList>
            {pane === 'conversations' ? (
              <ConversationList api={api} conversations={conversations} selectedId={selection?.kind === 'conversation' ? selection.id : undefined} onOpen={open} onOpenId={openId} onNew={() => startNew()} />
            ) : (
              <ContactsPanel api={api} contacts={contacts} onMessage={(number) => startNew(number)} />
            )}
          </section>
        )}
        {showDetail && (
          <section className={styles.detail} aria-label="Conversation">
            {selection?.kind === 'conversation' ? (
              <ThreadView
                key={selection.id}
                api={api}
                conversationId={selection.id}
                conversation={selectedConversation}
                drafts={drafts.current}
                contacts={contacts}
                onBack={narrow ? back : undefined}
                onRead={markedRead}
                onSent={conversations.refresh}
              />
            ) : (
              <NewConversation
                key={selection?.kind === 'new' ? `new:${selection.to ?? ''}` : 'none'}
                api={api}
                numbers={numbers}
                contacts={contacts.data?.items ?? []}
                initialTo={selection?.kind === 'new' ? selection.to : undefined}
                hasConversations={(conversations.data?.items.length ?? 0) > 0}
                drafts={drafts.current}
                onBack={narrow ? back : undefined}
                onStarted={(id) => {
                  conversations.refresh();
                  openId(id);
                }}
              />
            )}
          </section>
        )}
      </div>
    </Card>
  );
}
