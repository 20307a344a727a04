import {
  Avatar,
  Body1,
  CompoundButton,
  Skeleton,
  SkeletonItem,
  Spinner,
  Subtitle1,
  MessageBar,
  MessageBarBody,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import { toApiError, type ApiError } from '../api/errors';
import { publicApi } from '../api/public';
import { useResource } from '../hooks/useResource';
import { CenteredPanel } from '../components/CenteredPanel';
import { ErrorBar } from '../components/ErrorBar';
import { useDocumentTitle } from '../components/PageHeader';
import { saveDevSession, type DevSession } from './devSession';

const useStyles = makeStyles({
  heading: { margin: 0 },
  intro: { color: tokens.colorNeutralForeground2 },
  list: { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  identity: { width: '100%', maxWidth: 'none', justifyContent: 'flex-start', textAlign: 'start' },
  skeleton: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  skeletonRow: { height: '56px' },
});

/** "Pat Provider (provider admin)" → "Pat Provider", for the avatar's initials. */
const personName = (label: string) => label.replace(/\s*\(.*\)\s*$/, '');

export interface DevSignInProps {
  onSignedIn: (session: DevSession) => void;
  /** Why the user is here again, e.g. their session expired. */
  notice?: string;
}

/** Local development only: pick one of the server's dev identities instead of Entra SSO. */
export function DevSignIn({ onSignedIn, notice }: DevSignInProps) {
  const styles = useStyles();
  useDocumentTitle('Sign in');
  const identities = useResource((signal) => publicApi.devIdentities(signal), 'dev-identities');
  const [busyKey, setBusyKey] = useState<string>();
  const [signInError, setSignInError] = useState<ApiError>();

  const signIn = async (key: string) => {
    setBusyKey(key);
    setSignInError(undefined);
    try {
      onSignedIn(saveDevSession(await publicApi.devSignIn(key)));
    } catch (error) {
      setSignInError(toApiError(error));
      setBusyKey(undefined);
    }
  };

  return (
    <CenteredPanel label="Sign in">
      <Subtitle1 as="h1" className={styles.heading}>
        Sign in
      </Subtitle1>
      <Body1 className={styles.intro}>
        Development sign-in: choose who you want to be. This screen only exists while the Switchboard server runs in dev mode on
        this machine.
      </Body1>
      {notice && (
        <MessageBar intent="warning">
          <MessageBarBody>{notice}</MessageBarBody>
        </MessageBar>
      )}
      {signInError && <ErrorBar error={signInError} title="Sign-in failed" />}
      {identities.error && <ErrorBar error={identities.error} onRetry={identities.reload} />}
      {identities.loading && !identities.data && (
        <Skeleton aria-label="Loading identities" className={styles.skeleton}>
          {[0, 1, 2].map((i) => (
            <SkeletonItem key={i} className={styles.skeletonRow} />
          ))}
        </Skeleton>
      )}
      {identities.data && identities.data.length === 0 && (
        <Body1>The server offers no dev identities. Check the server's dev seed data.</Body1>
      )}
      {identities.data && identities.data.length > 0 && (
        <ul className={styles.list} aria-label="Dev identities">
          {identities.data.map((identity) => (
            <li key={identity.key}>
              <CompoundButton
                className={styles.identity}
                appearance="secondary"
                icon={busyKey === identity.key ? <Spinner size="tiny" /> : <Avatar name={personName(identity.label)} size={32} />}
                secondaryContent={`Tenant ${identity.tenantId}`}
                disabled={busyKey !== undefined}
                onClick={() => void signIn(identity.key)}
              >
                {identity.label}
              </CompoundButton>
            </li>
          ))}
        </ul>
      )}
    </CenteredPanel>
  );
}
