import {
  Avatar,
  Button,
  Caption1,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ChevronDownRegular, ChevronUpRegular } from '@fluentui/react-icons';
import { useId, useMemo, useState } from 'react';
import type { Activity } from '../../api/types';
import { formatDateTime, formatRelative } from '../../format/dates';
import { roleLabel } from '../../format/roles';
import { changeRows } from './changes';

const useStyles = makeStyles({
  root: {
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalL}`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  line: { display: 'flex', alignItems: 'flex-start', gap: tokens.spacingHorizontalM },
  text: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, flexGrow: 1, minWidth: 0 },
  meta: { color: tokens.colorNeutralForeground3 },
  toggle: { flexShrink: 0 },
  changes: { marginTop: tokens.spacingVerticalS, marginLeft: '44px', overflowX: 'auto' },
  value: { wordBreak: 'break-word' },
  before: { color: tokens.colorNeutralForeground3 },
});

/** One line of the feed: who did what, when; the field changes fold out below. */
export function ActivityEntry({ entry }: { entry: Activity }) {
  const styles = useStyles();
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const rows = useMemo(() => changeRows(entry.before, entry.after), [entry.before, entry.after]);
  // Something created has no "before": a Field/Value table reads better than a column of dashes.
  const created = !entry.before;

  return (
    <li className={styles.root}>
      <div className={styles.line}>
        <Avatar name={entry.actor.name} size={32} aria-hidden="true" />
        <div className={styles.text}>
          <Text weight="semibold">{entry.summary}</Text>
          <Caption1 className={styles.meta}>
            {entry.actor.name} · {roleLabel(entry.actor.role)} ·{' '}
            <time dateTime={entry.at} title={formatDateTime(entry.at)}>
              {formatRelative(entry.at)}
            </time>
          </Caption1>
        </div>
        {rows.length > 0 && (
          <Button
            className={styles.toggle}
            appearance="subtle"
            size="small"
            icon={open ? <ChevronUpRegular /> : <ChevronDownRegular />}
            iconPosition="after"
            aria-expanded={open}
            aria-controls={panelId}
            onClick={() => setOpen((o) => !o)}
          >
            {open ? 'Hide changes' : `Show changes (${rows.length})`}
          </Button>
        )}
      </div>
      {rows.length > 0 && (
        <div id={panelId} className={styles.changes} hidden={!open}>
          {open && (
            <Table size="small" aria-label={`Changes: ${entry.summary}`}>
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Field</TableHeaderCell>
                  {!created && <TableHeaderCell>Before</TableHeaderCell>}
                  <TableHeaderCell>{created ? 'Value' : 'After'}</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {rows.map((row) => (
                  <TableRow key={row.path}>
                    <TableCell>{row.label}</TableCell>
                    {!created && <TableCell className={`${styles.value} ${styles.before}`}>{row.before}</TableCell>}
                    <TableCell className={styles.value}>{row.after}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </div>
      )}
    </li>
  );
}
