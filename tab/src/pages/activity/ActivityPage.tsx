import { Button, Card, Skeleton, SkeletonItem, Spinner, makeStyles, tokens } from '@fluentui/react-components';
import { HistoryRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import { useAdminApi } from '../../api/ApiContext';
import { toApiError, type ApiError } from '../../api/errors';
import type { Activity } from '../../api/types';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBar } from '../../components/ErrorBar';
import { useResource } from '../../hooks/useResource';
import { ActivityEntry } from './ActivityEntry';
import { loadActivityPage } from './loadActivity';

const useStyles = makeStyles({
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  card: { padding: 0, overflow: 'hidden', rowGap: 0 },
  list: { listStyle: 'none', margin: 0, padding: 0 },
  more: { display: 'flex', justifyContent: 'center', padding: tokens.spacingVerticalM },
  skeleton: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, padding: tokens.spacingHorizontalL },
  skeletonRow: { display: 'grid', gridTemplateColumns: '32px 1fr', gap: tokens.spacingHorizontalM, alignItems: 'center' },
});

interface Feed {
  items: Activity[];
  continuationToken?: string;
}

/** Who changed what in the enterprise, newest first, a page at a time. */
export function ActivityPage({ enterpriseId }: { enterpriseId: string }) {
  const styles = useStyles();
  const api = useAdminApi();
  const feed = useResource<Feed>((signal) => loadActivityPage(api, enterpriseId, undefined, signal), `activity:${enterpriseId}`);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<ApiError>();

  const loadMore = async () => {
    const token = feed.data?.continuationToken;
    if (!token || loadingMore) return;
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      const page = await loadActivityPage(api, enterpriseId, token);
      feed.setData((current) => {
        const seen = new Set(current?.items.map((e) => e.id));
        return { items: [...(current?.items ?? []), ...page.items.filter((e) => !seen.has(e.id))], continuationToken: page.continuationToken };
      });
    } catch (error) {
      setMoreError(toApiError(error));
    } finally {
      setLoadingMore(false);
    }
  };

  const items = feed.data?.items;
  return (
    <div className={styles.stack}>
      {feed.error && <ErrorBar error={feed.error} title="Couldn't load the activity" onRetry={feed.reload} />}
      {!items && feed.loading && (
        <Card className={styles.card}>
          <Skeleton aria-label="Loading activity" className={styles.skeleton}>
            {[0, 1, 2, 3].map((i) => (
              <div key={i} className={styles.skeletonRow}>
                <SkeletonItem shape="circle" size={32} />
                <SkeletonItem size={16} />
              </div>
            ))}
          </Skeleton>
        </Card>
      )}
      {items && items.length === 0 && (
        <Card>
          <EmptyState
            icon={<HistoryRegular />}
            title="No activity yet."
            description="Changes made in Switchboard show up here, newest first, with who made them."
          />
        </Card>
      )}
      {items && items.length > 0 && (
        <Card className={styles.card}>
          <ul className={styles.list} aria-label="Activity, newest first">
            {items.map((entry) => (
              <ActivityEntry key={entry.id} entry={entry} />
            ))}
          </ul>
          {feed.data?.continuationToken && (
            <div className={styles.more}>
              <Button onClick={() => void loadMore()} disabledFocusable={loadingMore} icon={loadingMore ? <Spinner size="tiny" /> : undefined}>
                {loadingMore ? 'Loading…' : 'Load more'}
              </Button>
            </div>
          )}
        </Card>
      )}
      {moreError && <ErrorBar error={moreError} title="Couldn't load more activity" onRetry={() => void loadMore()} />}
    </div>
  );
}
