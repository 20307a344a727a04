import { Avatar, Button, Caption1, CounterBadge, SearchBox, Spinner, Text, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { ComposeRegular, ChatMultipleRegular } from '@fluentui/react-icons';
import { useEffect, useState } from 'react';
import { isAbort, toApiError, type ApiError } from '../../api/errors';
import type { MessagesApi } from '../../api/messages';
import type { Conversation, ConversationPage, SearchHit } from '../../api/types';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBar } from '../../components/ErrorBar';
import type { Polled } from './usePolled';
import { displayNumber } from '../../format/phone';
import { conversationTitle, filterConversations, mergeConversations, shortTime } from './thread';
import { visuallyHidden } from '../../components/visuallyHidden';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', minHeight: 0, flexGrow: 1 },
  tools: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', padding: tokens.spacingHorizontalS },
  search: { flexGrow: 1, minWidth: 0, maxWidth: 'none' },
  scroll: { overflowY: 'auto', flexGrow: 1, minHeight: 0 },
  list: { listStyleType: 'none', margin: 0, padding: 0 },
  heading: { display: 'block', padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM} ${tokens.spacingVerticalXS}`, color: tokens.colorNeutralForeground3 },
  item: {
    display: 'grid',
    gridTemplateColumns: 'auto 1fr auto',
    columnGap: tokens.spacingHorizontalS,
    alignItems: 'center',
    width: '100%',
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    border: 'none',
    borderLeft: `${tokens.strokeWidthThicker} solid transparent`,
    background: 'none',
    color: tokens.colorNeutralForeground1,
    textAlign: 'left',
    font: 'inherit',
    cursor: 'pointer',
    ':hover': { backgroundColor: tokens.colorSubtleBackgroundHover },
    ':focus-visible': { outline: `${tokens.strokeWidthThick} solid ${tokens.colorStrokeFocus2}`, outlineOffset: `-${tokens.strokeWidthThick}` },
  },
  selected: { backgroundColor: tokens.colorSubtleBackgroundSelected, borderLeftColor: tokens.colorBrandStroke1 },
  text: { display: 'flex', flexDirection: 'column', minWidth: 0 },
  line: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  unread: { fontWeight: tokens.fontWeightSemibold },
  muted: { color: tokens.colorNeutralForeground3 },
  side: { display: 'flex', flexDirection: 'column', alignItems: 'flex-end', gap: tokens.spacingVerticalXXS },
  centered: { display: 'flex', justifyContent: 'center', padding: tokens.spacingVerticalXXL },
  note: { padding: `0 ${tokens.spacingHorizontalM}`, color: tokens.colorNeutralForeground3 },
  more: { display: 'flex', justifyContent: 'center', padding: tokens.spacingVerticalS },
  errors: { padding: tokens.spacingHorizontalS },
  // Read by screen readers, not shown: the badge says it visually.
  hidden: visuallyHidden,
});

export interface ConversationListProps {
  api: MessagesApi;
  conversations: Polled<ConversationPage>;
  selectedId: string | undefined;
  onOpen: (conversation: Conversation) => void;
  onOpenId: (conversationId: string) => void;
  onNew: () => void;
}

/** Newest first, with unread badges; the search box filters them and finds message text. */
export function ConversationList({ api, conversations, selectedId, onOpen, onOpenId, onNew }: ConversationListProps) {
  const styles = useStyles();
  const [query, setQuery] = useState('');
  const hits = useMessageSearch(api, query);
  const older = useOlderConversations(api, conversations.data);
  const items = filterConversations(mergeConversations(conversations.data?.items ?? [], older.items), query);

  return (
    <div className={styles.root}>
      <div className={styles.tools}>
        <SearchBox className={styles.search} aria-label="Search conversations" placeholder="Search" value={query} onChange={(_, data) => setQuery(data.value)} size="small" />
        <Button appearance="primary" icon={<ComposeRegular />} onClick={onNew} size="small">
          New
        </Button>
      </div>
      {conversations.error && (
        <div className={styles.errors}>
          <ErrorBar error={conversations.error} title={conversations.data ? "Couldn't refresh the conversations" : "Couldn't load your conversations"} onRetry={conversations.refresh} />
        </div>
      )}
      <div className={styles.scroll}>
        {conversations.loading && !conversations.data ? (
          <div className={styles.centered}>
            <Spinner size="small" label="Loading conversations…" />
          </div>
        ) : conversations.data && conversations.data.items.length === 0 ? (
          <EmptyState
            icon={<ChatMultipleRegular />}
            title="No conversations yet."
            description="When a customer texts one of your numbers, the conversation shows up here. Or start one with New."
          />
        ) : (
          <>
            {query.trim() !== '' && items.length === 0 && <Caption1 className={styles.note}>No conversation matches “{query.trim()}”.</Caption1>}
            <ul className={styles.list} aria-label="Conversations">
              {items.map((c) => (
                <li key={c.id}>
                  <ConversationItem conversation={c} selected={c.id === selectedId} onOpen={onOpen} />
                </li>
              ))}
            </ul>
            {older.next && query.trim() === '' && (
              <div className={styles.more}>
                <Button appearance="subtle" size="small" onClick={older.load} disabled={older.loading} icon={older.loading ? <Spinner size="tiny" /> : undefined}>
                  {older.loading ? 'Loading older conversations…' : 'Show older conversations'}
                </Button>
              </div>
            )}
            {older.error && (
              <div className={styles.errors}>
                <ErrorBar error={older.error} title="Couldn't load older conversations" onRetry={older.load} />
              </div>
            )}
            {hits.items.length > 0 && (
              <>
                <Caption1 as="h3" className={styles.heading}>
                  In messages
                </Caption1>
                <ul className={styles.list} aria-label="Messages found">
                  {hits.items.map((hit) => (
                    <li key={hit.message.id}>
                      <button type="button" className={styles.item} onClick={() => onOpenId(hit.conversationId)}>
                        <span />
                        <span className={styles.text}>
                          <Text className={styles.line} weight="semibold">
                            {hit.contactName ?? displayNumber(hit.externalNumber)}
                          </Text>
                          <Caption1 className={mergeClasses(styles.line, styles.muted)}>{hit.message.body || '[media]'}</Caption1>
                        </span>
                        <Caption1 className={styles.muted}>{shortTime(hit.message.createdAt)}</Caption1>
                      </button>
                    </li>
                  ))}
                </ul>
              </>
            )}
            {hits.error && <Caption1 className={styles.note}>{hits.error.message}</Caption1>}
          </>
        )}
      </div>
    </div>
  );
}

function ConversationItem({ conversation: c, selected, onOpen }: { conversation: Conversation; selected: boolean; onOpen: (c: Conversation) => void }) {
  const styles = useStyles();
  const title = conversationTitle(c);
  const unread = c.unreadCount > 0;
  return (
    <button type="button" className={mergeClasses(styles.item, selected && styles.selected)} aria-current={selected ? 'true' : undefined} onClick={() => onOpen(c)}>
      <Avatar name={c.contactName ?? undefined} size={32} aria-hidden="true" color={c.contactName ? 'colorful' : 'neutral'} />
      <span className={styles.text}>
        <Text className={mergeClasses(styles.line, unread && styles.unread)}>{title}</Text>
        <Caption1 className={mergeClasses(styles.line, !unread && styles.muted)}>
          {c.lastDirection === 'outbound' ? 'You: ' : ''}
          {c.lastPreview}
        </Caption1>
        <Caption1 className={mergeClasses(styles.line, styles.muted)}>on {displayNumber(c.enterpriseNumber)}</Caption1>
      </span>
      <span className={styles.side}>
        <Caption1 className={styles.muted}>{shortTime(c.lastMessageAt)}</Caption1>
        {unread && (
          <>
            <CounterBadge count={c.unreadCount} size="small" aria-hidden="true" />
            <span className={styles.hidden}>{c.unreadCount === 1 ? '1 unread message' : `${c.unreadCount} unread messages`}</span>
          </>
        )}
      </span>
    </button>
  );
}

/**
 * Pages after the polled first one, loaded when asked for. The cursor is a position in
 * the newest-first list, so pages stay right while new messages move conversations up.
 */
function useOlderConversations(api: MessagesApi, first: ConversationPage | undefined): { items: Conversation[]; next?: string; loading: boolean; error?: ApiError; load: () => void } {
  const [state, setState] = useState<{ items: Conversation[]; token?: string; loading: boolean; error?: ApiError }>({ items: [], loading: false });
  const next = state.token ?? (state.items.length === 0 ? first?.continuationToken : undefined);
  const load = () => {
    if (!next || state.loading) return;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    api.listConversations({ continuationToken: next }).then(
      (page) => setState((s) => ({ items: [...s.items, ...page.items], ...(page.continuationToken ? { token: page.continuationToken } : {}), loading: false })),
      (error: unknown) => setState((s) => ({ ...s, loading: false, error: toApiError(error) })),
    );
  };
  return { items: state.items, ...(next ? { next } : {}), loading: state.loading, ...(state.error ? { error: state.error } : {}), load };
}

/** Server-side search of message text, a moment after typing stops (2 characters at least). */
function useMessageSearch(api: MessagesApi, query: string): { items: SearchHit[]; error?: ApiError } {
  const [state, setState] = useState<{ items: SearchHit[]; error?: ApiError }>({ items: [] });
  useEffect(() => {
    const q = query.trim();
    if (q.length < 2) {
      setState({ items: [] });
      return undefined;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api.search(q, { signal: controller.signal }).then(
        (page) => setState({ items: page.items }),
        (error: unknown) => {
          if (!isAbort(error)) setState({ items: [], error: toApiError(error) });
        },
      );
    }, 300);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [api, query]);
  return state;
}
