import { Body1, Button, Caption1, Card, CardHeader, Spinner, Subtitle2, makeStyles, tokens } from '@fluentui/react-components';
import { useMemo, useState } from 'react';
import { useApiClient } from '../../api/ApiContext';
import { toApiError, type ApiError } from '../../api/errors';
import { numbersApi } from '../../api/numbers';
import { settingsApi } from '../../api/settings';
import type { Enterprise } from '../../api/types';
import { ErrorBar } from '../../components/ErrorBar';
import { useNotify } from '../../components/notify';
import { useResource } from '../../hooks/useResource';
import { UserPicker, type PickedUser } from '../numbers/UserPicker';

const useStyles = makeStyles({
  card: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  add: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-end', flexWrap: 'wrap' },
  picker: { minWidth: '280px', flexGrow: 1, maxWidth: '420px' },
  list: { listStyle: 'none', margin: 0, padding: 0 },
  item: { display: 'flex', justifyContent: 'space-between', alignItems: 'center', gap: tokens.spacingHorizontalM, padding: `${tokens.spacingVerticalS} 0`, borderTop: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}` },
  meta: { color: tokens.colorNeutralForeground2 },
});

/**
 * People for whom Chat differs from the enterprise's switch: with Chat on, those it is
 * off for; with Chat off, those it is on for. Each change carries the user's ETag.
 */
export function ChatAccessCard({ enterprise, readOnly }: { enterprise: Enterprise; readOnly: boolean }) {
  const styles = useStyles();
  const client = useApiClient();
  const api = useMemo(() => settingsApi(client), [client]);
  const pickerApi = useMemo(() => numbersApi(client), [client]);
  const notify = useNotify();
  const enabled = enterprise.settings.chatEnabled;
  // The exceptions are those whose chip is the opposite of the switch.
  const exceptionChip = enabled ? 'off' : 'on';
  const [version, setVersion] = useState(0);
  const list = useResource((signal) => api.usersWithChat(enterprise.id, exceptionChip, signal), `chat-exceptions:${enterprise.id}:${exceptionChip}:${version}`);
  const [picked, setPicked] = useState<PickedUser[]>([]);
  const [pickError, setPickError] = useState<string>();
  const [failure, setFailure] = useState<ApiError>();
  const [busy, setBusy] = useState<string>();

  const change = async (userId: string, access: 'inherit' | 'allow' | 'deny', name: string) => {
    setBusy(userId);
    setFailure(undefined);
    try {
      const user = await api.getUser(enterprise.id, userId);
      await api.setChatAccess(enterprise.id, userId, user.etag, access);
      notify(access === 'inherit' ? `${name} follows the enterprise setting again` : `Chat ${access === 'allow' ? 'on' : 'off'} for ${name}`);
      setPicked([]);
      setVersion((n) => n + 1);
    } catch (error) {
      setFailure(toApiError(error));
    } finally {
      setBusy(undefined);
    }
  };

  const add = () => {
    const user = picked[0];
    if (!user) return setPickError('Choose a person first.');
    setPickError(undefined);
    void change(user.id, enabled ? 'deny' : 'allow', user.displayName);
  };

  const items = list.data?.items;
  return (
    <Card className={styles.card}>
      <CardHeader
        header={<Subtitle2 as="h2">Chat access for individual people</Subtitle2>}
        description={<Caption1>{enabled ? 'Chat is on for the enterprise. Turn it off for particular people here.' : 'Chat is off for the enterprise. Turn it on for particular people here.'}</Caption1>}
      />
      {failure && <ErrorBar error={failure} title="Couldn't change Chat access" />}
      {!readOnly && (
        <div className={styles.add}>
          <div className={styles.picker}>
            <UserPicker api={pickerApi} enterpriseId={enterprise.id} label="Person" value={picked} onChange={(users) => { setPicked(users); setPickError(undefined); }} error={pickError} />
          </div>
          <Button onClick={add} disabledFocusable={busy !== undefined}>
            {enabled ? 'Turn Chat off for them' : 'Turn Chat on for them'}
          </Button>
        </div>
      )}
      {list.error && <ErrorBar error={list.error} title="Couldn't load the people with their own Chat access" onRetry={list.reload} />}
      {!items && list.loading && <Spinner size="small" label="Loading" />}
      {items && items.length === 0 && <Body1>Nobody: Chat is {enabled ? 'on' : 'off'} for everyone.</Body1>}
      {items && items.length > 0 && (
        <ul className={styles.list} aria-label={enabled ? 'People with Chat off' : 'People with Chat on'}>
          {items.map((user) => (
            <li key={user.id} className={styles.item}>
              <div>
                <Body1>{user.displayName || user.username}</Body1>
                <Caption1 className={styles.meta}>
                  {' '}
                  {user.username} · Chat {exceptionChip}
                </Caption1>
              </div>
              {!readOnly && (
                <Button appearance="subtle" disabledFocusable={busy !== undefined} onClick={() => void change(user.id, 'inherit', user.displayName || user.username)} aria-label={`Make ${user.displayName || user.username} follow the enterprise setting`}>
                  {busy === user.id ? <Spinner size="tiny" /> : 'Follow the enterprise setting'}
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
