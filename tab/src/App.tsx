import { FluentProvider, Spinner, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { AuthGate } from './auth/AuthGate';
import { detectHost, type Host } from './host/teamsHost';
import { Shell } from './shell/Shell';
import { themes } from './theme/themes';
import { useAppTheme } from './theme/useAppTheme';

const useStyles = makeStyles({
  // On an inner element, not on FluentProvider: the provider's className is copied onto
  // every portal (toasts, dialogs, popups), and a full-height background there hides the page.
  surface: { minHeight: '100vh', backgroundColor: tokens.colorNeutralBackground2, color: tokens.colorNeutralForeground1 },
  detecting: { display: 'flex', justifyContent: 'center', paddingTop: '30vh' },
});

/** Host detection → theme → sign-in → the app. */
export function App() {
  const styles = useStyles();
  const [host, setHost] = useState<Host>();
  useEffect(() => {
    void detectHost().then(setHost);
  }, []);

  const themeName = useAppTheme(host);
  const theme = themes[themeName];

  // Scrollbars, form controls and the area around the app follow the theme too.
  useEffect(() => {
    document.documentElement.style.colorScheme = themeName === 'default' ? 'light' : 'dark';
    document.body.style.backgroundColor = theme.colorNeutralBackground2;
  }, [themeName, theme]);

  return (
    <FluentProvider theme={theme}>
      <div className={styles.surface}>
        {host ? (
          <AuthGate host={host}>
            <Shell />
          </AuthGate>
        ) : (
          <div className={styles.detecting}>
            <Spinner label="Starting Switchboard…" />
          </div>
        )}
      </div>
    </FluentProvider>
  );
}
