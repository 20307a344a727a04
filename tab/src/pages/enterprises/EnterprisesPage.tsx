import { Button, Card, Skeleton, SkeletonItem, makeStyles, tokens, useRestoreFocusTarget } from '@fluentui/react-components';
import { AddRegular, BuildingMultipleRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import { useAdminApi } from '../../api/ApiContext';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBar } from '../../components/ErrorBar';
import { PageHeader } from '../../components/PageHeader';
import { useNotify } from '../../components/notify';
import { useResource } from '../../hooks/useResource';
import { AddEnterpriseDialog } from './AddEnterpriseDialog';
import { EnterprisesTable } from './EnterprisesTable';

const useStyles = makeStyles({
  card: { padding: 0, overflow: 'hidden' },
  skeleton: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, padding: tokens.spacingHorizontalL },
  skeletonRow: { height: '32px' },
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

/** Provider admins: every enterprise they serve, and the way to add one. */
export function EnterprisesPage() {
  const styles = useStyles();
  const api = useAdminApi();
  const notify = useNotify();
  const list = useResource((signal) => api.listEnterprises(signal), 'enterprises');
  const [adding, setAdding] = useState(false);
  const restoreFocus = useRestoreFocusTarget();

  const items = list.data?.items;
  const addButton = (appearance: 'primary' | 'secondary') => (
    <Button appearance={appearance} icon={<AddRegular />} onClick={() => setAdding(true)} {...restoreFocus}>
      Add enterprise
    </Button>
  );

  return (
    <>
      <PageHeader
        title="Enterprises"
        subtitle="The Microsoft 365 organizations you serve. Open one to see its settings and activity."
        actions={items && items.length > 0 ? addButton('primary') : undefined}
      />
      <div className={styles.stack}>
        {list.error && <ErrorBar error={list.error} title="Couldn't load enterprises" onRetry={list.reload} />}
        {!items && list.loading && (
          <Card className={styles.card}>
            <Skeleton aria-label="Loading enterprises" className={styles.skeleton}>
              {[0, 1, 2, 3].map((i) => (
                <SkeletonItem key={i} className={styles.skeletonRow} />
              ))}
            </Skeleton>
          </Card>
        )}
        {items && items.length === 0 && (
          <Card>
            <EmptyState
              icon={<BuildingMultipleRegular />}
              title="No enterprises yet."
              description="Add the first organization you serve. Its global admin then allows you to manage it from Switchboard's settings."
              action={addButton('primary')}
            />
          </Card>
        )}
        {items && items.length > 0 && (
          <Card className={styles.card}>
            <EnterprisesTable items={items} />
          </Card>
        )}
      </div>
      <AddEnterpriseDialog
        open={adding}
        onOpenChange={setAdding}
        onCreated={(created) => {
          list.setData((current) => ({ items: [created, ...(current?.items ?? []).filter((e) => e.id !== created.id)] }));
          notify(`${created.name} added`);
        }}
      />
    </>
  );
}
