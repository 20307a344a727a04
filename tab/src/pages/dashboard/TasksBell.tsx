import {
  Badge,
  Body1Strong,
  Button,
  Caption1,
  CounterBadge,
  Link,
  Popover,
  PopoverSurface,
  PopoverTrigger,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { AlertRegular, CheckmarkCircleRegular, ErrorCircleRegular, WarningRegular } from '@fluentui/react-icons';
import type { DashboardTask } from '../../api/dashboard';

const useStyles = makeStyles({
  bell: { position: 'relative', display: 'inline-flex' },
  badge: { position: 'absolute', top: '-6px', right: '-8px', pointerEvents: 'none' },
  surface: { width: '380px', maxWidth: '90vw', display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  list: { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  item: { display: 'grid', gridTemplateColumns: '20px 1fr', gap: tokens.spacingHorizontalS, alignItems: 'start' },
  text: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
  detail: { color: tokens.colorNeutralForeground2 },
  error: { color: tokens.colorPaletteRedForeground1, fontSize: '20px' },
  warning: { color: tokens.colorPaletteDarkOrangeForeground1, fontSize: '20px' },
  ok: { color: tokens.colorPaletteGreenForeground1, fontSize: '20px' },
  empty: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center' },
});

export const PAGE_NAMES: Record<DashboardTask['page'], string> = { dashboard: 'Dashboard', users: 'Users', numbers: 'Numbers', settings: 'Settings', activity: 'Activity' };

/** The tasks as a list; each says what is wrong, why it matters and where to fix it. */
export function TaskList({ tasks, hrefFor }: { tasks: readonly DashboardTask[]; hrefFor: (task: DashboardTask) => string }) {
  const styles = useStyles();
  if (tasks.length === 0) {
    return (
      <div className={styles.empty}>
        <CheckmarkCircleRegular className={styles.ok} aria-hidden="true" />
        <span>Nothing needs your attention.</span>
      </div>
    );
  }
  return (
    <ul className={styles.list}>
      {tasks.map((task) => (
        <li key={task.kind} className={styles.item}>
          {task.severity === 'error' ? <ErrorCircleRegular className={styles.error} aria-label="Error" /> : <WarningRegular className={styles.warning} aria-label="Warning" />}
          <div className={styles.text}>
            <Body1Strong>{task.title}</Body1Strong>
            <Caption1 className={styles.detail}>{task.detail}</Caption1>
            {task.page !== 'dashboard' && <Link href={hrefFor(task)}>Go to {PAGE_NAMES[task.page]}</Link>}
          </div>
        </li>
      ))}
    </ul>
  );
}

/** A bell with the number of things that need attention; it opens the task list. */
export function TasksBell({ tasks, count, hrefFor }: { tasks: readonly DashboardTask[]; count: number; hrefFor: (task: DashboardTask) => string }) {
  const styles = useStyles();
  const label = count === 0 ? 'Tasks: nothing needs attention' : `Tasks: ${count} ${count === 1 ? 'item needs' : 'items need'} attention`;
  return (
    <Popover positioning="below-end" withArrow trapFocus>
      <span className={styles.bell}>
        <PopoverTrigger disableButtonEnhancement>
          <Button appearance="subtle" size="large" icon={<AlertRegular />} aria-label={label} title={label} />
        </PopoverTrigger>
        {count > 0 && <CounterBadge className={styles.badge} count={count} overflowCount={999} color="danger" size="medium" aria-hidden="true" />}
      </span>
      <PopoverSurface className={styles.surface} aria-label="Tasks that need attention">
        <Body1Strong>
          Needs attention{' '}
          {count > 0 && (
            <Badge appearance="tint" color="danger">
              {count}
            </Badge>
          )}
        </Body1Strong>
        <TaskList tasks={tasks} hrefFor={hrefFor} />
      </PopoverSurface>
    </Popover>
  );
}
