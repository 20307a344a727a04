import {
  Button,
  Card,
  CardHeader,
  Skeleton,
  SkeletonItem,
  Subtitle2,
  Tab,
  TabList,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ArrowClockwiseRegular } from '@fluentui/react-icons';
import { useMemo, useState } from 'react';
import { useApiClient } from '../../api/ApiContext';
import { dashboardApi, type DashboardTask } from '../../api/dashboard';
import type { Enterprise, Me } from '../../api/types';
import { ErrorBar } from '../../components/ErrorBar';
import { useResource } from '../../hooks/useResource';
import { hrefFor } from '../../routing/routes';
import { CarrierHealthCard, QueueCard } from './HealthCards';
import { MessagesChart } from './MessagesChart';
import { RecentActivity } from './RecentActivity';
import { SyncCard } from './SyncCard';
import { TaskList, TasksBell } from './TasksBell';

const useStyles = makeStyles({
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  toolbar: { display: 'flex', alignItems: 'center', justifyContent: 'flex-end', gap: tokens.spacingHorizontalS },
  grid: { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(320px, 1fr))', gap: tokens.spacingVerticalL },
  card: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  skeleton: { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(320px, 1fr))', gap: tokens.spacingVerticalL },
  skeletonCard: { height: '140px' },
});

export interface DashboardPageProps {
  enterprise: Enterprise;
  me: Me;
  readOnly: boolean;
}

/** The enterprise at a glance: what needs attention, the users sync, traffic, carriers and queue, recent changes. */
export function DashboardPage({ enterprise, me, readOnly }: DashboardPageProps) {
  const styles = useStyles();
  const client = useApiClient();
  const api = useMemo(() => dashboardApi(client), [client]);
  const [days, setDays] = useState<14 | 30>(14);
  const [refreshKey, setRefreshKey] = useState(0);
  const dashboard = useResource((signal) => api.getDashboard(enterprise.id, days, signal), `dashboard:${enterprise.id}:${days}:${refreshKey}`);
  const data = dashboard.data;
  // Provider admins work on an enterprise through its own URLs; admins of the enterprise on theirs.
  const scopedId = me.role === 'provider-admin' ? enterprise.id : undefined;
  // A task's link opens its page filtered to exactly its items.
  const linkTo = (task: DashboardTask) => hrefFor({ page: task.page, enterpriseId: scopedId }, task.filter);
  const refresh = () => setRefreshKey((n) => n + 1);

  return (
    <div className={styles.stack}>
      <div className={styles.toolbar}>
        <Button appearance="subtle" icon={<ArrowClockwiseRegular />} onClick={refresh} disabledFocusable={dashboard.loading}>
          Refresh
        </Button>
        {data && <TasksBell tasks={data.tasks} count={data.attentionCount} hrefFor={linkTo} />}
      </div>
      {dashboard.error && <ErrorBar error={dashboard.error} title="Couldn't load the dashboard" onRetry={dashboard.reload} />}
      {!data && dashboard.loading && (
        <Skeleton aria-label="Loading the dashboard" className={styles.skeleton}>
          {[0, 1, 2, 3].map((i) => (
            <SkeletonItem key={i} className={styles.skeletonCard} />
          ))}
        </Skeleton>
      )}
      {data && (
        <>
          <div className={styles.grid}>
            <Card className={styles.card}>
              <CardHeader header={<Subtitle2 as="h2">Needs attention</Subtitle2>} />
              <TaskList tasks={data.tasks} hrefFor={linkTo} />
            </Card>
            <SyncCard enterpriseId={enterprise.id} sync={data.sync} api={api} readOnly={readOnly} onFinished={refresh} />
          </div>
          <Card className={styles.card}>
            <CardHeader
              header={<Subtitle2 as="h2">Messages per day</Subtitle2>}
              action={
                <TabList size="small" selectedValue={String(days)} onTabSelect={(_, d) => setDays(d.value === '30' ? 30 : 14)} aria-label="Days shown">
                  <Tab value="14">14 days</Tab>
                  <Tab value="30">30 days</Tab>
                </TabList>
              }
            />
            <MessagesChart days={data.messagesPerDay} title={`Messages received and sent per day, last ${data.messagesPerDay.length} days`} />
          </Card>
          <div className={styles.grid}>
            <CarrierHealthCard carriers={data.carriers} />
            <QueueCard queue={data.queue} numbers={data.numbers} />
          </div>
          <RecentActivity enterpriseId={enterprise.id} activityHref={hrefFor({ page: 'activity', enterpriseId: scopedId })} refreshKey={refreshKey} />
        </>
      )}
    </div>
  );
}
