import {
  Breadcrumb,
  BreadcrumbButton,
  BreadcrumbDivider,
  BreadcrumbItem,
  Card,
  Link,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Skeleton,
  SkeletonItem,
  Tab,
  TabList,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useAdminApi } from '../../api/ApiContext';
import type { Me } from '../../api/types';
import { ErrorBar } from '../../components/ErrorBar';
import { PageHeader } from '../../components/PageHeader';
import { formatDate } from '../../format/dates';
import { useResource } from '../../hooks/useResource';
import { hrefFor } from '../../routing/routes';
import { navigate } from '../../routing/useHashRoute';
import { ActivityPage } from '../activity/ActivityPage';
import { ConsentBadge } from '../enterprises/ConsentBadge';
import { SettingsPage } from '../settings/SettingsPage';
import { DashboardPage } from '../dashboard/DashboardPage';
import { UsersPage } from '../users/UsersPage';
import { NumbersPage } from '../numbers/NumbersPage';
import type { WorkspacePage } from '../../routing/routes';

const useStyles = makeStyles({
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  tabs: { marginLeft: `calc(-1 * ${tokens.spacingHorizontalMNudge})` },
  skeleton: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, padding: tokens.spacingHorizontalL },
  skeletonRow: { height: '32px' },
  tenant: { fontFamily: tokens.fontFamilyMonospace },
});

type WorkspaceTab = WorkspacePage;

export interface EnterpriseWorkspaceProps {
  me: Me;
  enterpriseId: string;
  /** A provider admin working on one of their enterprises (breadcrumb and tabs), not an admin on their own. */
  scoped: boolean;
  tab: WorkspaceTab;
}

const TITLES: Record<WorkspaceTab, string> = { dashboard: 'Dashboard', users: 'Users', numbers: 'Numbers', settings: 'Settings', activity: 'Activity' };

/**
 * One enterprise's pages. Loads the enterprise once for all its pages, and frames them:
 * for provider admins a breadcrumb back to Enterprises and Settings/Activity tabs.
 */
export function EnterpriseWorkspace({ me, enterpriseId, scoped, tab }: EnterpriseWorkspaceProps) {
  const styles = useStyles();
  const api = useAdminApi();
  const enterprise = useResource((signal) => api.getEnterprise(enterpriseId, signal), `enterprise:${enterpriseId}`);
  const data = enterprise.data;
  const consentMissing = scoped && data !== undefined && !data.settings.allowProviderManagement;

  const subtitle = data ? (
    <>
      {scoped ? 'Tenant ' : `${data.name} · Tenant `}
      <span className={styles.tenant}>{data.tenantId}</span> · Added {formatDate(data.createdAt)}
    </>
  ) : undefined;

  const header = scoped ? (
    <PageHeader
      title={data?.name ?? 'Enterprise'}
      badge={data && <ConsentBadge allowed={data.settings.allowProviderManagement} />}
      subtitle={subtitle}
      breadcrumb={
        <Breadcrumb aria-label="Breadcrumb" size="small">
          <BreadcrumbItem>
            <BreadcrumbButton onClick={() => navigate(hrefFor({ page: 'enterprises' }))}>Enterprises</BreadcrumbButton>
          </BreadcrumbItem>
          <BreadcrumbDivider />
          <BreadcrumbItem>
            <BreadcrumbButton current>{data?.name ?? '…'}</BreadcrumbButton>
          </BreadcrumbItem>
        </Breadcrumb>
      }
    >
      <nav aria-label="Enterprise pages">
        <TabList
          className={styles.tabs}
          size="small"
          selectedValue={tab}
          onTabSelect={(_, d) => navigate(hrefFor({ page: d.value as WorkspaceTab, enterpriseId }))}
        >
          {(Object.keys(TITLES) as WorkspaceTab[]).map((page) => (
            <Tab key={page} value={page}>
              {TITLES[page]}
            </Tab>
          ))}
        </TabList>
      </nav>
    </PageHeader>
  ) : (
    <PageHeader title={TITLES[tab]} subtitle={subtitle} />
  );

  return (
    <>
      {header}
      <div className={styles.stack}>
        {enterprise.error && (
          <ErrorBar error={enterprise.error} title="Couldn't load this enterprise" onRetry={enterprise.reload} />
        )}
        {enterprise.error && scoped && (
          <Link href={hrefFor({ page: 'enterprises' })}>Back to enterprises</Link>
        )}
        {!data && enterprise.loading && (
          <Card>
            <Skeleton aria-label="Loading the enterprise" className={styles.skeleton}>
              {[0, 1, 2, 3].map((i) => (
                <SkeletonItem key={i} className={styles.skeletonRow} />
              ))}
            </Skeleton>
          </Card>
        )}
        {consentMissing && data && (
          <MessageBar intent="info" layout="multiline">
            <MessageBarBody>
              <MessageBarTitle>Managed by the enterprise</MessageBarTitle>
              {data.name} hasn't allowed management by its service provider. You can see it, but its settings and activity stay
              with its own admins until its global admin allows management in Switchboard's settings.
            </MessageBarBody>
          </MessageBar>
        )}
        {data && tab === 'dashboard' && !consentMissing && <DashboardPage enterprise={data} me={me} readOnly={consentMissing} />}
        {data && tab === 'users' && !consentMissing && <UsersPage enterprise={data} me={me} readOnly={consentMissing} />}
        {data && tab === 'numbers' && !consentMissing && <NumbersPage enterprise={data} me={me} readOnly={consentMissing} />}
        {data && tab === 'settings' && <SettingsPage enterprise={data} me={me} readOnly={consentMissing} onChange={enterprise.setData} />}
        {/* Without consent the server refuses the feed; the notice above already says why. */}
        {data && tab === 'activity' && !consentMissing && <ActivityPage enterpriseId={data.id} />}
      </div>
    </>
  );
}
