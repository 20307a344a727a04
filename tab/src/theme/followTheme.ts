import type { Host } from '../host/teamsHost';
import { parseThemeName, themeFromUrl, type ThemeName } from './themeName';

export const DARK_QUERY = '(prefers-color-scheme: dark)';
export const FORCED_COLORS_QUERY = '(forced-colors: active)';

interface MediaQuery {
  matches: boolean;
  addEventListener(type: 'change', listener: () => void): void;
  removeEventListener(type: 'change', listener: () => void): void;
}

/** What theme following reads and listens to: the window, and Teams. */
export interface ThemeEnvironment {
  location: { search: string; hash: string };
  matchMedia?: (query: string) => MediaQuery;
  addEventListener(type: 'hashchange', listener: () => void): void;
  removeEventListener(type: 'hashchange', listener: () => void): void;
  /** Teams' theme change event (teams-js `app.registerOnThemeChangeHandler`). */
  onTeamsThemeChange(handler: (theme: string) => void): void;
}

/** Outside Teams: `?theme=` first (screenshots, demos), then the system's high contrast, dark or light. */
export function browserTheme(env: Pick<ThemeEnvironment, 'location' | 'matchMedia'>): ThemeName {
  const fromUrl = themeFromUrl(env.location.search, env.location.hash);
  if (fromUrl) return fromUrl;
  if (env.matchMedia?.(FORCED_COLORS_QUERY).matches) return 'contrast';
  return env.matchMedia?.(DARK_QUERY).matches ? 'dark' : 'default';
}

/**
 * Calls `apply` with the theme to render now and whenever it changes: inside Teams,
 * Teams' theme (default, dark, contrast) and its change events, which win over the URL;
 * elsewhere the browser's. Returns the function that stops following (Teams offers no
 * way to unregister, so a stopped follower ignores Teams' later events instead).
 */
export function followTheme(host: Host, env: ThemeEnvironment, apply: (name: ThemeName) => void): () => void {
  let stopped = false;
  if (host.inTeams) {
    apply(parseThemeName(host.theme) ?? 'default');
    env.onTeamsThemeChange((theme) => {
      if (!stopped) apply(parseThemeName(theme) ?? 'default');
    });
    return () => {
      stopped = true;
    };
  }
  const update = () => apply(browserTheme(env));
  update();
  const queries = [DARK_QUERY, FORCED_COLORS_QUERY].map((q) => env.matchMedia?.(q)).filter((q): q is MediaQuery => !!q);
  queries.forEach((q) => q.addEventListener('change', update));
  env.addEventListener('hashchange', update);
  return () => {
    queries.forEach((q) => q.removeEventListener('change', update));
    env.removeEventListener('hashchange', update);
  };
}
