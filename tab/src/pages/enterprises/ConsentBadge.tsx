import { Badge, makeStyles } from '@fluentui/react-components';
import { CheckmarkCircleRegular, LockClosedRegular } from '@fluentui/react-icons';

const useStyles = makeStyles({ badge: { whiteSpace: 'nowrap', flexShrink: 0 } });

/** Whether the enterprise lets its service provider manage it (its global admin decides). */
export function ConsentBadge({ allowed }: { allowed: boolean }) {
  const styles = useStyles();
  return allowed ? (
    <Badge className={styles.badge} appearance="tint" color="success" icon={<CheckmarkCircleRegular />}>
      Managed by provider
    </Badge>
  ) : (
    <Badge className={styles.badge} appearance="tint" color="warning" icon={<LockClosedRegular />}>
      Consent not given
    </Badge>
  );
}
