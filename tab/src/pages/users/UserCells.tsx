import { Badge, Button, Caption1, Link, Tooltip, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { CheckmarkCircleFilled, DismissCircleFilled } from '@fluentui/react-icons';
import type { UserRow } from '../../api/users';
import { displayNumber } from '../../format/phone';
import { visuallyHidden } from '../../components/visuallyHidden';

const useStyles = makeStyles({
  hidden: visuallyHidden,
  line: { display: 'flex', gap: tokens.spacingHorizontalXS, alignItems: 'center', flexWrap: 'nowrap', overflow: 'hidden', minWidth: 0 },
  numbers: { display: 'flex', flexDirection: 'column', minWidth: 0 },
  number: { whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' },
  groupOwner: { color: tokens.colorNeutralForeground2, whiteSpace: 'nowrap' },
  more: { color: tokens.colorNeutralForeground2 },
  none: { color: tokens.colorNeutralForeground3 },
  licensed: { color: tokens.colorPaletteGreenForeground1, fontSize: '20px', display: 'inline-flex' },
  unlicensed: { color: tokens.colorPaletteRedForeground1, fontSize: '20px', display: 'inline-flex' },
  chip: {
    minWidth: 'auto',
    height: '22px',
    padding: `0 ${tokens.spacingHorizontalS}`,
    borderRadius: tokens.borderRadiusCircular,
    fontSize: tokens.fontSizeBase200,
    fontWeight: tokens.fontWeightSemibold,
  },
  smsEnabled: {
    backgroundColor: tokens.colorPaletteGreenBackground2,
    color: tokens.colorPaletteGreenForeground2,
    ':hover': { backgroundColor: tokens.colorPaletteGreenBackground2, color: tokens.colorPaletteGreenForeground2 },
  },
  smsDisabled: {
    backgroundColor: tokens.colorPaletteMarigoldBackground2,
    color: tokens.colorNeutralForeground1,
    ':hover': { backgroundColor: tokens.colorPaletteMarigoldBackground2, color: tokens.colorNeutralForeground1 },
  },
  smsNone: {
    backgroundColor: tokens.colorNeutralBackground5,
    color: tokens.colorNeutralForeground2,
    ':hover': { backgroundColor: tokens.colorNeutralBackground5Hover, color: tokens.colorNeutralForeground1 },
  },
  tags: { display: 'flex', gap: tokens.spacingHorizontalXXS, flexWrap: 'nowrap', overflow: 'hidden' },
});

/** Text for screen readers only (a chip's full meaning). */
export function ScreenReaderText({ children }: { children: string }) {
  return <span className={useStyles().hidden}>{children}</span>;
}

/** The SMS Numbers column: own numbers open the SMS User Configuration; group numbers say "group owner". */
export function NumbersCell({ row, onOpen }: { row: UserRow; onOpen?: () => void }) {
  const styles = useStyles();
  if (row.smsNumbers.length === 0) return <span className={styles.none}>—</span>;
  const shown = row.smsNumbers.slice(0, 2);
  const more = row.smsNumbers.length - shown.length;
  return (
    <div className={styles.numbers}>
      {shown.map((ref) =>
        ref.role === 'own' ? (
          onOpen ? (
            <Link key={ref.number} as="button" className={styles.number} onClick={onOpen} aria-label={`${displayNumber(ref.number)}: open the SMS configuration of ${row.displayName || row.username}`}>
              {displayNumber(ref.number)}
            </Link>
          ) : (
            <span key={ref.number} className={styles.number}>
              {displayNumber(ref.number)}
            </span>
          )
        ) : (
          <span key={`${ref.groupId}:${ref.number}`} className={styles.line}>
            <span className={styles.number}>{displayNumber(ref.number)}</span>
            <Caption1 className={styles.groupOwner}>group owner</Caption1>
          </span>
        ),
      )}
      {more > 0 && <Caption1 className={styles.more}>+{more} more</Caption1>}
    </div>
  );
}

/** The Licenses column: a green or red icon, with a tooltip saying what it means and what to do. */
export function LicenseCell({ row }: { row: UserRow }) {
  const styles = useStyles();
  const licensed = row.license === 'with';
  const text = licensed
    ? 'Has a Microsoft Teams license: can use SMS in Teams.'
    : 'No Microsoft Teams license: SMS will not work for this user. Assign a Teams license in the Microsoft 365 admin center.';
  return (
    <Tooltip content={text} relationship="label" withArrow>
      <span role="img" tabIndex={0} className={licensed ? styles.licensed : styles.unlicensed}>
        {licensed ? <CheckmarkCircleFilled /> : <DismissCircleFilled />}
      </span>
    </Tooltip>
  );
}

const SMS_TEXT = {
  enabled: 'SMS enabled',
  disabled: 'SMS disabled',
  'not-configured': 'SMS not configured',
} as const;

/** The Services column: the SMS chip (opens the configuration) and the CHT chip. */
export function ServicesCell({ row, onOpen }: { row: UserRow; onOpen?: () => void }) {
  const styles = useStyles();
  const sms = row.services.sms;
  const smsClass = sms === 'enabled' ? styles.smsEnabled : sms === 'disabled' ? styles.smsDisabled : styles.smsNone;
  const name = row.displayName || row.username;
  return (
    <div className={styles.line}>
      {onOpen ? (
        <Tooltip content={`${SMS_TEXT[sms]}. Open the SMS configuration.`} relationship="description">
          <Button size="small" className={mergeClasses(styles.chip, smsClass)} onClick={onOpen} aria-label={`SMS: ${SMS_TEXT[sms]} for ${name}`}>
            SMS
          </Button>
        </Tooltip>
      ) : (
        <Badge appearance="tint" color={sms === 'enabled' ? 'success' : sms === 'disabled' ? 'warning' : 'subtle'} shape="circular">
          SMS<ScreenReaderText>{`: ${SMS_TEXT[sms]}`}</ScreenReaderText>
        </Badge>
      )}
      <Badge appearance="tint" color={row.services.chat === 'on' ? 'brand' : 'subtle'} shape="circular">
        CHT<ScreenReaderText>{row.services.chat === 'on' ? ': chat on' : ': chat off'}</ScreenReaderText>
      </Badge>
    </div>
  );
}

export function TagsCell({ row }: { row: UserRow }) {
  const styles = useStyles();
  if (row.tags.length === 0) return <span className={styles.none}>—</span>;
  return (
    <div className={styles.tags} title={row.tags.join(', ')}>
      {row.tags.map((tag) => (
        <Badge key={tag} appearance="outline" color="informative" shape="rounded">
          {tag}
        </Badge>
      ))}
    </div>
  );
}
