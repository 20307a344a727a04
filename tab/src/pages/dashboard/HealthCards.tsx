import { Badge, Body1, Caption1, Card, CardHeader, Subtitle2, makeStyles, tokens } from '@fluentui/react-components';
import type { Dashboard } from '../../api/dashboard';
import { formatDateTime, formatRelative } from '../../format/dates';
import { carrierHealthText, countText } from './dashboardText';

const useStyles = makeStyles({
  card: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  list: { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  connection: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
  name: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
  meta: { color: tokens.colorNeutralForeground2 },
  failure: { color: tokens.colorPaletteRedForeground1 },
  figures: { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(120px, 1fr))', gap: tokens.spacingHorizontalM, margin: 0 },
  // Value above its label on screen; label first for screen readers (dt before dd).
  figure: { display: 'flex', flexDirection: 'column-reverse', justifyContent: 'flex-end', gap: tokens.spacingVerticalXXS },
  value: { margin: 0, fontSize: tokens.fontSizeHero700, lineHeight: tokens.lineHeightHero700, fontWeight: tokens.fontWeightSemibold },
  label: { color: tokens.colorNeutralForeground2 },
});

const TYPE_NAMES: Record<string, string> = { twilio: 'Twilio', telnyx: 'Telnyx', acs: 'Azure Communication Services', simulator: 'Simulator' };

const when = (iso: string | null) => (iso ? formatRelative(iso) : 'never');

/** Each carrier connection with what its traffic says: last received, last sent, last failure. */
export function CarrierHealthCard({ carriers }: { carriers: Dashboard['carriers'] }) {
  const styles = useStyles();
  return (
    <Card className={styles.card}>
      <CardHeader header={<Subtitle2 as="h2">Carrier connections</Subtitle2>} />
      {carriers.length === 0 ? (
        <Body1>No carrier connection yet: add one in Settings so your numbers can send and receive.</Body1>
      ) : (
        <ul className={styles.list} aria-label="Carrier connections">
          {carriers.map((carrier) => {
            const health = carrierHealthText(carrier);
            return (
              <li key={carrier.id} className={styles.connection}>
                <div className={styles.name}>
                  <Body1>
                    <strong>{carrier.name}</strong> · {TYPE_NAMES[carrier.type] ?? carrier.type}
                  </Body1>
                  <Badge appearance="tint" color={health.color}>
                    {health.label}
                  </Badge>
                </div>
                <Caption1 className={styles.meta}>
                  {carrier.numbers} {carrier.numbers === 1 ? 'number' : 'numbers'} · last received {when(carrier.lastInboundAt)} · last sent {when(carrier.lastSentAt)}
                </Caption1>
                {carrier.lastFailureAt && (
                  <Caption1 className={carrier.status === 'failing' ? styles.failure : styles.meta} title={formatDateTime(carrier.lastFailureAt)}>
                    Last failure {formatRelative(carrier.lastFailureAt)}: {carrier.lastFailureReason ?? 'no reason given'}
                  </Caption1>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}

function Figure({ value, label }: { value: string; label: string }) {
  const styles = useStyles();
  return (
    <div className={styles.figure}>
      <dt className={styles.label}>{label}</dt>
      <dd className={styles.value}>{value}</dd>
    </div>
  );
}

/** The outbound queue of this enterprise, its dead letters, and the number inventory. */
export function QueueCard({ queue, numbers }: { queue: Dashboard['queue']; numbers: Dashboard['numbers'] }) {
  const styles = useStyles();
  return (
    <Card className={styles.card}>
      <CardHeader header={<Subtitle2 as="h2">Queue and numbers</Subtitle2>} />
      <dl className={styles.figures}>
        <Figure value={countText(queue.inFlight, queue.inFlightCapped)} label="Waiting to send or route" />
        <Figure value={countText(queue.deadLetters)} label="Not sent, last 7 days" />
        <Figure value={countText(numbers.total)} label="Numbers" />
        <Figure value={countText(numbers.unassigned)} label="Unassigned numbers" />
        {queue.outboundDepth !== undefined && <Figure value={countText(queue.outboundDepth)} label="Deployment queue" />}
      </dl>
      <Caption1 className={styles.meta}>
        {queue.oldestInFlightAt ? `The oldest waiting message was accepted ${formatRelative(queue.oldestInFlightAt)}.` : 'Nothing is waiting.'}
      </Caption1>
    </Card>
  );
}
