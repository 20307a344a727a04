import { Body1, Spinner, Subtitle1, makeStyles, tokens } from '@fluentui/react-components';
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiProvider } from '../api/ApiContext';
import { createApiClient, type TokenSource } from '../api/client';
import { isAbort, toApiError, type ApiError } from '../api/errors';
import { publicApi } from '../api/public';
import { CenteredPanel } from '../components/CenteredPanel';
import { ErrorBar } from '../components/ErrorBar';
import { notifyLoaded, type Host } from '../host/teamsHost';
import { clearDevSession, devTokenSource, readDevSession, type DevSession } from './devSession';
import { DevSignIn } from './DevSignIn';
import { SessionContext, type Session } from './SessionContext';
import { teamsTokenSource } from './teamsToken';

type Gate =
  | { step: 'starting' }
  | { step: 'config-error'; error: ApiError }
  | { step: 'open-in-teams' }
  | { step: 'dev-sign-in'; notice?: string }
  | { step: 'ready'; mode: 'teams'; tokens: TokenSource }
  | { step: 'ready'; mode: 'dev'; session: DevSession };

const useStyles = makeStyles({
  heading: { margin: 0 },
  muted: { color: tokens.colorNeutralForeground2 },
  starting: { display: 'flex', justifyContent: 'center', padding: `${tokens.spacingVerticalXXXL} 0` },
});

/**
 * Decides how the user signs in (server config × where the tab runs) and renders the
 * app only with a working API client: Teams SSO inside Teams, the dev sign-in when the
 * server runs in dev mode, otherwise a pointer to Teams.
 */
export function AuthGate({ host, children }: { host: Host; children: ReactNode }) {
  const styles = useStyles();
  const [gate, setGate] = useState<Gate>({ step: 'starting' });
  const [attempt, setAttempt] = useState(0);

  const toSignIn = useCallback((notice?: string) => setGate({ step: 'dev-sign-in', notice }), []);

  useEffect(() => {
    const controller = new AbortController();
    setGate({ step: 'starting' });
    publicApi.config(controller.signal).then(
      (config) => {
        if (config.authMode === 'dev') {
          const session = readDevSession();
          setGate(session ? { step: 'ready', mode: 'dev', session } : { step: 'dev-sign-in' });
        } else if (host.inTeams) {
          setGate({ step: 'ready', mode: 'teams', tokens: teamsTokenSource() });
        } else {
          setGate({ step: 'open-in-teams' });
        }
      },
      (error: unknown) => {
        if (!isAbort(error)) setGate({ step: 'config-error', error: toApiError(error) });
      },
    );
    return () => controller.abort();
  }, [host, attempt]);

  // Teams shows its own loading indicator until we say the app is usable.
  const settled = gate.step !== 'starting';
  useEffect(() => {
    if (settled) notifyLoaded(host);
  }, [settled, host]);

  const ready = gate.step === 'ready' ? gate : undefined;
  const client = useMemo(() => {
    if (!ready) return undefined;
    const tokens = ready.mode === 'teams' ? ready.tokens : devTokenSource(ready.session, () => toSignIn('Your session ended. Sign in again.'));
    return createApiClient(tokens);
  }, [ready, toSignIn]);

  const session = useMemo<Session>(
    () =>
      ready?.mode === 'dev'
        ? {
            mode: 'dev',
            signOut: () => {
              clearDevSession();
              toSignIn();
            },
          }
        : { mode: 'teams' },
    [ready, toSignIn],
  );

  switch (gate.step) {
    case 'starting':
      return (
        <CenteredPanel label="Starting Switchboard">
          <div className={styles.starting}>
            <Spinner label="Starting Switchboard…" />
          </div>
        </CenteredPanel>
      );
    case 'config-error':
      return (
        <CenteredPanel label="Switchboard could not start">
          <ErrorBar error={gate.error} title="Switchboard could not start" onRetry={() => setAttempt((n) => n + 1)} />
        </CenteredPanel>
      );
    case 'open-in-teams':
      return (
        <CenteredPanel label="Open in Microsoft Teams">
          <Subtitle1 as="h1" className={styles.heading}>
            Open Switchboard from Microsoft Teams to sign in.
          </Subtitle1>
          <Body1 className={styles.muted}>
            Switchboard signs you in with your Microsoft Teams account. Open the Switchboard app in Teams (in the apps bar on the
            left), then choose its Admin or Messages tab.
          </Body1>
        </CenteredPanel>
      );
    case 'dev-sign-in':
      return <DevSignIn notice={gate.notice} onSignedIn={(s) => setGate({ step: 'ready', mode: 'dev', session: s })} />;
    case 'ready':
      return client ? (
        <SessionContext.Provider value={session}>
          <ApiProvider client={client}>{children}</ApiProvider>
        </SessionContext.Provider>
      ) : null;
  }
}
