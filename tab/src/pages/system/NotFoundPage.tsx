import { Card, Link } from '@fluentui/react-components';
import { DocumentSearchRegular } from '@fluentui/react-icons';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';

export function NotFoundPage() {
  return (
    <>
      <PageHeader title="Page not found" />
      <Card>
        <EmptyState
          icon={<DocumentSearchRegular />}
          title="There's no page at this address."
          description="The link may be old or mistyped."
          action={<Link href="#/">Go to your start page</Link>}
        />
      </Card>
    </>
  );
}
