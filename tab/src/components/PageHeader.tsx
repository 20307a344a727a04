import { Caption1, Title3, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, type ReactNode } from 'react';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, marginBottom: tokens.spacingVerticalL },
  row: { display: 'flex', alignItems: 'flex-start', justifyContent: 'space-between', gap: tokens.spacingHorizontalL, flexWrap: 'wrap' },
  titles: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, minWidth: 0 },
  titleLine: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  title: { margin: 0 },
  subtitle: { color: tokens.colorNeutralForeground3 },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center' },
});

export interface PageHeaderProps {
  title: string;
  subtitle?: ReactNode;
  /** Shown right after the title, e.g. a status badge. */
  badge?: ReactNode;
  breadcrumb?: ReactNode;
  actions?: ReactNode;
  /** Below the title, e.g. the tabs of an enterprise. */
  children?: ReactNode;
}

/** Every page starts the same way: breadcrumb, one h1, a line of context, page actions. */
export function PageHeader({ title, subtitle, badge, breadcrumb, actions, children }: PageHeaderProps) {
  const styles = useStyles();
  useDocumentTitle(title);
  return (
    <div className={styles.root}>
      {breadcrumb}
      <div className={styles.row}>
        <div className={styles.titles}>
          <div className={styles.titleLine}>
            <Title3 as="h1" className={styles.title}>
              {title}
            </Title3>
            {badge}
          </div>
          {subtitle && <Caption1 className={styles.subtitle}>{subtitle}</Caption1>}
        </div>
        {actions && <div className={styles.actions}>{actions}</div>}
      </div>
      {children}
    </div>
  );
}

/** Browser tab / history entries name the page. */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Switchboard` : 'Switchboard';
  }, [title]);
}
