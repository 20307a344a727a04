import { Avatar, Button, Caption1, Tab, TabList, Text, makeStyles, tokens } from '@fluentui/react-components';
import { SignOutRegular } from '@fluentui/react-icons';
import type { Me } from '../api/types';
import { useSession } from '../auth/SessionContext';
import { LogoMark } from '../components/LogoMark';
import { roleLabel } from '../format/roles';
import { navigate } from '../routing/useHashRoute';
import type { NavItem, NavKey } from '../routing/access';

const useStyles = makeStyles({
  header: {
    display: 'grid',
    gridTemplateColumns: 'auto 1fr auto',
    gridTemplateAreas: '"brand nav user"',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalL,
    minHeight: '48px',
    padding: `0 ${tokens.spacingHorizontalXL}`,
    backgroundColor: tokens.colorNeutralBackground1,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    boxShadow: tokens.shadow2,
    position: 'sticky',
    top: 0,
    zIndex: 1,
    // Narrow (Teams mobile, side panels): brand and user on top, the nav on its own row.
    '@media (max-width: 640px)': {
      gridTemplateColumns: '1fr auto',
      gridTemplateAreas: '"brand user" "nav nav"',
      padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalM} 0`,
    },
  },
  brand: { gridArea: 'brand', display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS },
  product: { fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase400 },
  nav: { gridArea: 'nav', minWidth: 0, alignSelf: 'stretch', display: 'flex', alignItems: 'center', overflowX: 'auto' },
  user: { gridArea: 'user', display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS },
  who: {
    display: 'flex',
    flexDirection: 'column',
    lineHeight: tokens.lineHeightBase200,
    '@media (max-width: 640px)': { display: 'none' },
  },
  role: { color: tokens.colorNeutralForeground3 },
});

export interface AppHeaderProps {
  me?: Me;
  items: NavItem[];
  selected?: NavKey;
}

/** Product name, the main navigation and who is signed in (with sign-out in dev mode). */
export function AppHeader({ me, items, selected }: AppHeaderProps) {
  const styles = useStyles();
  const { signOut } = useSession();
  return (
    <header className={styles.header}>
      <div className={styles.brand}>
        <LogoMark />
        <Text className={styles.product}>Switchboard</Text>
      </div>
      <nav className={styles.nav} aria-label="Main">
        {items.length > 0 && (
          <TabList
            selectedValue={selected ?? null}
            onTabSelect={(_, data) => {
              const item = items.find((i) => i.key === data.value);
              if (item) navigate(item.href);
            }}
          >
            {items.map((item) => (
              <Tab key={item.key} value={item.key}>
                {item.label}
              </Tab>
            ))}
          </TabList>
        )}
      </nav>
      {me && (
        <div className={styles.user}>
          <Avatar name={me.name} size={28} aria-hidden="true" />
          <div className={styles.who}>
            <Text size={200} weight="semibold">
              {me.name}
            </Text>
            <Caption1 className={styles.role}>{roleLabel(me.role)}</Caption1>
          </div>
          {signOut && (
            <Button appearance="subtle" icon={<SignOutRegular />} onClick={signOut}>
              Sign out
            </Button>
          )}
        </div>
      )}
    </header>
  );
}
