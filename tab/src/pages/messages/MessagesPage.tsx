import { Card } from '@fluentui/react-components';
import { ChatMultipleRegular } from '@fluentui/react-icons';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';

/** The personal Messages tab. Conversations arrive with inbound SMS; until then, say so kindly. */
export function MessagesPage() {
  return (
    <>
      <PageHeader title="Messages" subtitle="SMS conversations with your customers." />
      <Card>
        <EmptyState
          icon={<ChatMultipleRegular />}
          title="No conversations yet."
          description="When a customer texts one of your numbers, the conversation shows up here."
        />
      </Card>
    </>
  );
}
