import { Badge, Body1, Button, Caption1, Card, CardHeader, ProgressBar, Spinner, Subtitle2, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowSyncRegular } from '@fluentui/react-icons';
import { useEffect, useRef, useState } from 'react';
import type { DashboardApi, SyncSummary } from '../../api/dashboard';
import { toApiError, type ApiError } from '../../api/errors';
import { ErrorBar } from '../../components/ErrorBar';
import { formatDateTime, formatRelative } from '../../format/dates';
import { syncHeadline } from './dashboardText';

const POLL_MS = 2000;

const useStyles = makeStyles({
  card: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  line: { color: tokens.colorNeutralForeground2 },
  counts: { display: 'flex', gap: tokens.spacingHorizontalM, flexWrap: 'wrap', color: tokens.colorNeutralForeground2 },
});

export interface SyncCardProps {
  enterpriseId: string;
  sync: SyncSummary;
  api: DashboardApi;
  readOnly: boolean;
  /** A run finished: the rest of the dashboard may have changed. */
  onFinished: () => void;
}

/** The Teams users sync: live progress while it runs (polled), the last result, "Sync now". */
export function SyncCard({ enterpriseId, sync: initial, api, readOnly, onFinished }: SyncCardProps) {
  const styles = useStyles();
  const [sync, setSync] = useState(initial);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<ApiError>();
  const finished = useRef(onFinished);
  finished.current = onFinished;
  // A fresh dashboard replaces what polling found.
  const [seen, setSeen] = useState(initial);
  if (seen !== initial) {
    setSeen(initial);
    setSync(initial);
  }

  const running = sync.status === 'running';
  useEffect(() => {
    if (!running) return undefined;
    const controller = new AbortController();
    const timer = setInterval(() => {
      api.getSync(enterpriseId, controller.signal).then(
        (next) => {
          setSync(next);
          if (next.status !== 'running') finished.current();
        },
        () => undefined, // The next tick tries again.
      );
    }, POLL_MS);
    return () => {
      clearInterval(timer);
      controller.abort();
    };
  }, [running, api, enterpriseId]);

  const start = async () => {
    setStarting(true);
    setError(undefined);
    try {
      setSync(await api.startSync(enterpriseId));
    } catch (failure) {
      setError(toApiError(failure));
    } finally {
      setStarting(false);
    }
  };

  const last = sync.lastResult;
  const headline = syncHeadline(sync);
  return (
    <Card className={styles.card} aria-labelledby="dashboard-sync-title">
      <CardHeader
        header={
          <Subtitle2 as="h2" id="dashboard-sync-title">
            Teams users sync
          </Subtitle2>
        }
        action={
          <Button icon={starting ? <Spinner size="tiny" /> : <ArrowSyncRegular />} disabledFocusable={readOnly || running || starting || !sync.configured} onClick={() => void start()}>
            Sync now
          </Button>
        }
      />
      <div role="status" aria-live="polite">
        <Badge appearance="tint" color={headline.color}>
          {headline.label}
        </Badge>{' '}
        <Body1>{headline.text}</Body1>
      </div>
      {running && <ProgressBar aria-label="Sync progress" thickness="large" />}
      {running && (
        <Caption1 className={styles.line}>
          {sync.processed} directory entries read{sync.phase ? ` · ${sync.phase === 'groups' ? 'reading sync groups' : sync.phase === 'users' ? 'reading users' : 'finishing'}` : ''}
          {sync.startedAt ? ` · started ${formatRelative(sync.startedAt)}` : ''}
        </Caption1>
      )}
      {last && (
        <Caption1 className={styles.counts} title={formatDateTime(last.finishedAt)}>
          <span>Last run {formatRelative(last.finishedAt)}</span>
          <span>{last.added} added</span>
          <span>{last.updated} updated</span>
          <span>{last.removed} removed</span>
          {last.failed > 0 && <span>{last.failed} failed</span>}
        </Caption1>
      )}
      {error && <ErrorBar error={error} title="Couldn't start the sync" />}
    </Card>
  );
}
