import { Card, Spinner, makeStyles, tokens } from '@fluentui/react-components';
import { ChatMultipleRegular } from '@fluentui/react-icons';
import { useAdminApi } from '../../api/ApiContext';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBar } from '../../components/ErrorBar';
import { PageHeader } from '../../components/PageHeader';
import { useResource } from '../../hooks/useResource';
import { MessagesWorkspace } from './MessagesWorkspace';

const useStyles = makeStyles({
  centered: { display: 'flex', justifyContent: 'center', padding: tokens.spacingVerticalXXXL },
});

/** The personal Messages tab: the signed-in user's SMS conversations, contacts and composer. */
export function MessagesPage() {
  const styles = useStyles();
  const api = useAdminApi();
  const me = useResource((signal) => api.me(signal), 'me');

  return (
    <>
      <PageHeader title="Messages" subtitle="SMS conversations with your customers." />
      {me.error ? (
        <ErrorBar error={me.error} title="Couldn't load your profile" onRetry={me.reload} />
      ) : !me.data ? (
        <div className={styles.centered}>
          <Spinner label="Loading your messages…" />
        </div>
      ) : !me.data.enterpriseId ? (
        <Card>
          <EmptyState
            icon={<ChatMultipleRegular />}
            title="Messages are for enterprise users."
            description="Your account isn't part of an enterprise that uses Switchboard, so there are no conversations to show."
          />
        </Card>
      ) : (
        <MessagesWorkspace enterpriseId={me.data.enterpriseId} />
      )}
    </>
  );
}
