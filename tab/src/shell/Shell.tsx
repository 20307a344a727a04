import { Spinner, makeStyles, tokens } from '@fluentui/react-components';
import type { MouseEvent } from 'react';
import { useAdminApi } from '../api/ApiContext';
import type { Me } from '../api/types';
import { AppToaster } from '../components/notify';
import { ErrorBar } from '../components/ErrorBar';
import { useResource } from '../hooks/useResource';
import { navItems, navKeyOf, resolveView, type View } from '../routing/access';
import { useHashRoute } from '../routing/useHashRoute';
import { EnterprisesPage } from '../pages/enterprises/EnterprisesPage';
import { EnterpriseWorkspace } from '../pages/enterprise/EnterpriseWorkspace';
import { MessagesPage } from '../pages/messages/MessagesPage';
import { NoAccessPage } from '../pages/system/NoAccessPage';
import { NotFoundPage } from '../pages/system/NotFoundPage';
import { AppHeader } from './AppHeader';

const useStyles = makeStyles({
  root: { minHeight: '100vh', display: 'flex', flexDirection: 'column' },
  skip: {
    position: 'absolute',
    left: tokens.spacingHorizontalM,
    top: '-100px',
    zIndex: 2,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    backgroundColor: tokens.colorNeutralBackground1,
    color: tokens.colorBrandForegroundLink,
    borderRadius: tokens.borderRadiusMedium,
    boxShadow: tokens.shadow8,
    ':focus': { top: tokens.spacingVerticalS },
  },
  main: {
    flexGrow: 1,
    width: '100%',
    maxWidth: '1120px',
    boxSizing: 'border-box',
    margin: '0 auto',
    padding: `${tokens.spacingVerticalXXL} ${tokens.spacingHorizontalXXL}`,
    ':focus': { outlineStyle: 'none' },
    '@media (max-width: 640px)': { padding: `${tokens.spacingVerticalL} ${tokens.spacingHorizontalM}` },
  },
  centered: { display: 'flex', justifyContent: 'center', paddingTop: tokens.spacingVerticalXXXL },
});

function Page({ view, me }: { view: View; me: Me }) {
  switch (view.view) {
    case 'enterprises':
      return <EnterprisesPage />;
    case 'dashboard':
    case 'users':
    case 'numbers':
    case 'settings':
    case 'activity':
      // Keyed by enterprise: switching between its Settings and Activity keeps the loaded enterprise.
      return <EnterpriseWorkspace key={view.enterpriseId} me={me} enterpriseId={view.enterpriseId} scoped={view.scoped} tab={view.view} />;
    case 'messages':
      return <MessagesPage />;
    case 'no-access':
      return <NoAccessPage me={me} reason={view.reason} />;
    case 'not-found':
      return <NotFoundPage />;
  }
}

/** The signed-in app: header with navigation, then the page for the current route. */
export function Shell() {
  const styles = useStyles();
  const api = useAdminApi();
  const route = useHashRoute();
  const me = useResource((signal) => api.me(signal), 'me');

  const view = me.data ? resolveView(route, me.data) : undefined;
  return (
    <div className={styles.root}>
      <a className={styles.skip} href="#main" onClick={skipToMain}>
        Skip to content
      </a>
      <AppHeader me={me.data} items={me.data ? navItems(me.data) : []} selected={view ? navKeyOf(view) : undefined} />
      <main id="main" className={styles.main} tabIndex={-1}>
        {me.data && view ? (
          <Page view={view} me={me.data} />
        ) : me.error ? (
          <ErrorBar error={me.error} title="Couldn't load your profile" onRetry={me.reload} />
        ) : (
          <div className={styles.centered}>
            <Spinner label="Loading…" />
          </div>
        )}
      </main>
      <AppToaster />
    </div>
  );
}

// `href="#main"` would be read as a route by the hash router; move focus instead.
function skipToMain(event: MouseEvent) {
  event.preventDefault();
  document.getElementById('main')?.focus();
}
