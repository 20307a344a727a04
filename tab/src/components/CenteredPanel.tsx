import { Card, makeStyles, tokens } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { LogoMark } from './LogoMark';

const useStyles = makeStyles({
  root: {
    minHeight: '100vh',
    boxSizing: 'border-box',
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    padding: tokens.spacingHorizontalXL,
  },
  card: { width: '100%', maxWidth: '460px', padding: tokens.spacingHorizontalXXL, rowGap: tokens.spacingVerticalL },
  brand: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold },
});

/**
 * The frame for screens shown before the app shell exists: start-up, sign-in,
 * "open in Teams". `main` because it is the page's main content.
 */
export function CenteredPanel({ children, label }: { children: ReactNode; label: string }) {
  const styles = useStyles();
  return (
    <main className={styles.root} aria-label={label}>
      <Card className={styles.card}>
        <div className={styles.brand}>
          <LogoMark size={32} />
          <span>Switchboard</span>
        </div>
        {children}
      </Card>
    </main>
  );
}
