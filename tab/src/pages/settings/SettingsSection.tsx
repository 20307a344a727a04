import { Caption1, Subtitle2, makeStyles, tokens } from '@fluentui/react-components';
import { useId, type ReactNode } from 'react';

const useStyles = makeStyles({
  section: {
    display: 'grid',
    gridTemplateColumns: 'minmax(180px, 1fr) 2fr',
    gap: tokens.spacingHorizontalXXL,
    padding: `${tokens.spacingVerticalXL} 0`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    ':last-of-type': { borderBottom: 'none' },
    '@media (max-width: 720px)': { gridTemplateColumns: '1fr', gap: tokens.spacingVerticalM },
  },
  intro: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  heading: { margin: 0 },
  description: { color: tokens.colorNeutralForeground3 },
  fields: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, minWidth: 0, maxWidth: '480px' },
});

/** One group of settings: what it is about on the left, its fields on the right. */
export function SettingsSection({ title, description, children }: { title: string; description: string; children: ReactNode }) {
  const styles = useStyles();
  const id = useId();
  return (
    <section className={styles.section} aria-labelledby={id}>
      <div className={styles.intro}>
        <Subtitle2 as="h2" id={id} className={styles.heading}>
          {title}
        </Subtitle2>
        <Caption1 className={styles.description}>{description}</Caption1>
      </div>
      <div className={styles.fields}>{children}</div>
    </section>
  );
}
