import { useEffect, useState } from 'react';
import { onTeamsThemeChange, type Host } from '../host/teamsHost';
import { parseThemeName, themeFromUrl, type ThemeName } from './themeName';

const DARK = '(prefers-color-scheme: dark)';
const FORCED = '(forced-colors: active)';

function browserTheme(): ThemeName {
  const fromUrl = themeFromUrl(window.location.search, window.location.hash);
  if (fromUrl) return fromUrl;
  if (window.matchMedia?.(FORCED).matches) return 'contrast';
  return window.matchMedia?.(DARK).matches ? 'dark' : 'default';
}

/**
 * The theme to render: Teams' theme (and its changes) inside Teams; elsewhere the
 * `?theme=` override or the operating system's light/dark/high-contrast preference.
 */
export function useAppTheme(host: Host | undefined): ThemeName {
  const [name, setName] = useState<ThemeName>(() => browserTheme());

  useEffect(() => {
    if (!host) return undefined;
    if (host.inTeams) {
      setName(parseThemeName(host.theme) ?? 'default');
      onTeamsThemeChange((theme) => setName(parseThemeName(theme) ?? 'default'));
      return undefined;
    }
    const update = () => setName(browserTheme());
    update();
    const queries = [DARK, FORCED].map((q) => window.matchMedia?.(q)).filter((q): q is MediaQueryList => !!q);
    queries.forEach((q) => q.addEventListener('change', update));
    window.addEventListener('hashchange', update);
    return () => {
      queries.forEach((q) => q.removeEventListener('change', update));
      window.removeEventListener('hashchange', update);
    };
  }, [host]);

  return name;
}
