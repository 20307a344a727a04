import { makeStyles, tokens, typographyStyles } from '@fluentui/react-components';
import type { ReactElement, ReactNode } from 'react';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    textAlign: 'center',
    gap: tokens.spacingVerticalM,
    padding: `${tokens.spacingVerticalXXXL} ${tokens.spacingHorizontalXL}`,
  },
  icon: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    width: '64px',
    height: '64px',
    borderRadius: tokens.borderRadiusCircular,
    backgroundColor: tokens.colorBrandBackground2,
    color: tokens.colorBrandForeground2,
    fontSize: '32px',
  },
  text: { margin: 0, maxWidth: '46ch' },
  title: { display: 'block', ...typographyStyles.subtitle1, color: tokens.colorNeutralForeground1, marginBottom: tokens.spacingVerticalXS },
  description: { display: 'block', ...typographyStyles.body1, color: tokens.colorNeutralForeground2 },
});

export interface EmptyStateProps {
  icon: ReactElement;
  title: string;
  description: ReactNode;
  action?: ReactNode;
}

/**
 * A friendly "nothing here yet" block. Title and description share one paragraph so
 * the sentence reads (and is announced) as one piece of text.
 */
export function EmptyState({ icon, title, description, action }: EmptyStateProps) {
  const styles = useStyles();
  return (
    <div className={styles.root}>
      <div className={styles.icon} aria-hidden="true">
        {icon}
      </div>
      <p className={styles.text}>
        <span className={styles.title}>{title}</span> <span className={styles.description}>{description}</span>
      </p>
      {action}
    </div>
  );
}
