import { Avatar, Button, Caption1, SearchBox, Spinner, Text, makeStyles, tokens } from '@fluentui/react-components';
import { ChatRegular, EditRegular, PersonAddRegular, PeopleRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import type { MessagesApi } from '../../api/messages';
import type { Contact, ContactList } from '../../api/types';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBar } from '../../components/ErrorBar';
import type { Resource } from '../../hooks/useResource';
import { ContactDialog } from './ContactDialog';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', minHeight: 0, flexGrow: 1 },
  tools: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', padding: tokens.spacingHorizontalS },
  search: { flexGrow: 1, minWidth: 0, maxWidth: 'none' },
  scroll: { overflowY: 'auto', flexGrow: 1, minHeight: 0, paddingBottom: tokens.spacingVerticalM },
  heading: { display: 'block', margin: 0, padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM} ${tokens.spacingVerticalXS}`, color: tokens.colorNeutralForeground3 },
  list: { listStyleType: 'none', margin: 0, padding: 0 },
  item: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalM}` },
  text: { display: 'flex', flexDirection: 'column', flexGrow: 1, minWidth: 0 },
  line: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  muted: { color: tokens.colorNeutralForeground3 },
  centered: { display: 'flex', justifyContent: 'center', padding: tokens.spacingVerticalXXL },
  errors: { padding: tokens.spacingHorizontalS },
});

export interface ContactsPanelProps {
  api: MessagesApi;
  contacts: Resource<ContactList>;
  onMessage: (number: string) => void;
}

const matches = (contact: Contact, query: string) => {
  const q = query.trim().toLowerCase();
  const digits = q.replace(/\D/g, '');
  return !q || contact.name.toLowerCase().includes(q) || (digits.length > 0 && contact.number.includes(digits));
};

/** Your personal contacts (add, rename) and the enterprise's (kept by admins), each a tap away from a conversation. */
export function ContactsPanel({ api, contacts, onMessage }: ContactsPanelProps) {
  const styles = useStyles();
  const [query, setQuery] = useState('');
  const [editing, setEditing] = useState<{ contact?: Contact } | undefined>();

  const all = (contacts.data?.items ?? []).filter((c) => matches(c, query));
  const groups = [
    { title: 'Your contacts', items: all.filter((c) => c.scope === 'personal') },
    { title: 'Enterprise contacts', items: all.filter((c) => c.scope === 'enterprise') },
  ];

  return (
    <div className={styles.root}>
      <div className={styles.tools}>
        <SearchBox className={styles.search} aria-label="Search contacts" placeholder="Search contacts" value={query} onChange={(_, data) => setQuery(data.value)} size="small" />
        <Button icon={<PersonAddRegular />} onClick={() => setEditing({})} size="small">
          Add
        </Button>
      </div>
      {contacts.error && (
        <div className={styles.errors}>
          <ErrorBar error={contacts.error} title="Couldn't load your contacts" onRetry={contacts.reload} />
        </div>
      )}
      <div className={styles.scroll}>
        {contacts.loading && !contacts.data ? (
          <div className={styles.centered}>
            <Spinner size="small" label="Loading contacts…" />
          </div>
        ) : contacts.data && contacts.data.items.length === 0 ? (
          <EmptyState icon={<PeopleRegular />} title="No contacts yet." description="Add the people you text often, and their names show instead of numbers." />
        ) : (
          groups.map(
            (group) =>
              group.items.length > 0 && (
                <section key={group.title} aria-label={group.title}>
                  <Caption1 as="h3" className={styles.heading}>
                    {group.title}
                  </Caption1>
                  <ul className={styles.list}>
                    {group.items.map((contact) => (
                      <li key={`${contact.scope}:${contact.number}`} className={styles.item}>
                        <Avatar name={contact.name} size={28} aria-hidden="true" color="colorful" />
                        <span className={styles.text}>
                          <Text className={styles.line}>{contact.name}</Text>
                          <Caption1 className={styles.muted}>{contact.display}</Caption1>
                        </span>
                        <Button appearance="subtle" size="small" icon={<ChatRegular />} aria-label={`Message ${contact.name}`} onClick={() => onMessage(contact.number)} />
                        {contact.scope === 'personal' && (
                          <Button appearance="subtle" size="small" icon={<EditRegular />} aria-label={`Edit ${contact.name}`} onClick={() => setEditing({ contact })} />
                        )}
                      </li>
                    ))}
                  </ul>
                </section>
              ),
          )
        )}
        {query.trim() !== '' && all.length === 0 && contacts.data && contacts.data.items.length > 0 && <Caption1 className={styles.heading}>No contact matches “{query.trim()}”.</Caption1>}
      </div>
      <ContactDialog
        open={editing !== undefined}
        api={api}
        contact={editing?.contact}
        onOpenChange={(open) => !open && setEditing(undefined)}
        onSaved={(saved) => contacts.setData((list) => ({ items: [...(list?.items ?? []).filter((c) => !(c.scope === saved.scope && c.number === saved.number)), saved].sort((a, b) => a.name.localeCompare(b.name)) }))}
      />
    </div>
  );
}
