import { useEffect, useState } from 'react';
import { onTeamsThemeChange, type Host } from '../host/teamsHost';
import { browserTheme, followTheme, type ThemeEnvironment } from './followTheme';
import type { ThemeName } from './themeName';

const windowEnvironment = (): ThemeEnvironment => ({
  location: window.location,
  ...(window.matchMedia ? { matchMedia: (query: string) => window.matchMedia(query) } : {}),
  addEventListener: (type, listener) => window.addEventListener(type, listener),
  removeEventListener: (type, listener) => window.removeEventListener(type, listener),
  onTeamsThemeChange,
});

/**
 * The theme to render: Teams' theme (and its changes) inside Teams; elsewhere the
 * `?theme=` override or the operating system's light/dark/high-contrast preference.
 */
export function useAppTheme(host: Host | undefined): ThemeName {
  const [name, setName] = useState<ThemeName>(() => browserTheme(windowEnvironment()));
  useEffect(() => (host ? followTheme(host, windowEnvironment(), setName) : undefined), [host]);
  return name;
}
