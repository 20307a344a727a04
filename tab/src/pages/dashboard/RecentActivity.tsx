import { Body1, Card, CardHeader, Link, Skeleton, SkeletonItem, Subtitle2, makeStyles, tokens } from '@fluentui/react-components';
import { useAdminApi } from '../../api/ApiContext';
import { ErrorBar } from '../../components/ErrorBar';
import { useResource } from '../../hooks/useResource';
import { ActivityEntry } from '../activity/ActivityEntry';

const useStyles = makeStyles({
  card: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, paddingBottom: tokens.spacingVerticalM },
  list: { listStyle: 'none', margin: `0 calc(-1 * ${tokens.spacingHorizontalM})`, padding: 0 },
  skeleton: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

/** The last few entries of the activity feed, with a link to the whole feed. */
export function RecentActivity({ enterpriseId, activityHref, refreshKey }: { enterpriseId: string; activityHref: string; refreshKey: number }) {
  const styles = useStyles();
  const api = useAdminApi();
  const feed = useResource((signal) => api.listActivity(enterpriseId, { pageSize: 5, signal }), `recent-activity:${enterpriseId}:${refreshKey}`);
  const items = feed.data?.items;
  return (
    <Card className={styles.card}>
      <CardHeader header={<Subtitle2 as="h2">Recent activity</Subtitle2>} action={<Link href={activityHref}>See all activity</Link>} />
      {feed.error && <ErrorBar error={feed.error} title="Couldn't load the activity" onRetry={feed.reload} />}
      {!items && feed.loading && (
        <Skeleton aria-label="Loading recent activity" className={styles.skeleton}>
          {[0, 1, 2].map((i) => (
            <SkeletonItem key={i} size={16} />
          ))}
        </Skeleton>
      )}
      {items && items.length === 0 && <Body1>No changes yet. What admins change shows up here.</Body1>}
      {items && items.length > 0 && (
        <ul className={styles.list} aria-label="Recent activity, newest first">
          {items.map((entry) => (
            <ActivityEntry key={entry.id} entry={entry} />
          ))}
        </ul>
      )}
    </Card>
  );
}
