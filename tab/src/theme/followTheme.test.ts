import { describe, expect, it } from '@jest/globals';
import { DARK_QUERY, FORCED_COLORS_QUERY, followTheme, type ThemeEnvironment } from './followTheme';
import type { ThemeName } from './themeName';

/** A window stand-in: media queries that can flip, a location, hashchange and Teams' theme event. */
function environment(options: { search?: string; hash?: string; dark?: boolean; forced?: boolean } = {}) {
  const listeners = new Map<string, Set<() => void>>();
  const media = { [DARK_QUERY]: options.dark ?? false, [FORCED_COLORS_QUERY]: options.forced ?? false } as Record<string, boolean>;
  const on = (key: string) => {
    let set = listeners.get(key);
    if (!set) listeners.set(key, (set = new Set()));
    return set;
  };
  let teamsHandler: ((theme: string) => void) | undefined;
  const env: ThemeEnvironment = {
    location: { search: options.search ?? '', hash: options.hash ?? '#/messages' },
    matchMedia: (query) => ({
      get matches() {
        return media[query] ?? false;
      },
      addEventListener: (_type, listener) => on(query).add(listener),
      removeEventListener: (_type, listener) => on(query).delete(listener),
    }),
    addEventListener: (type, listener) => on(type).add(listener),
    removeEventListener: (type, listener) => on(type).delete(listener),
    onTeamsThemeChange: (handler) => {
      teamsHandler = handler; // teams-js keeps one handler: the last registered
    },
  };
  return {
    env,
    setMedia(query: string, value: boolean) {
      media[query] = value;
      on(query).forEach((listener) => listener());
    },
    setHash(hash: string) {
      env.location.hash = hash;
      on('hashchange').forEach((listener) => listener());
    },
    teamsChanges: (theme: string) => teamsHandler?.(theme),
    listenerCount: () => [...listeners.values()].reduce((sum, set) => sum + set.size, 0),
  };
}

describe('following the theme', () => {
  it('inside Teams starts with the host theme and follows its change events, high contrast included', () => {
    const world = environment({ search: '?theme=dark' });
    const applied: ThemeName[] = [];
    followTheme({ inTeams: true, theme: 'default' }, world.env, (name) => applied.push(name));
    world.teamsChanges('dark');
    world.teamsChanges('contrast');
    world.teamsChanges('default');
    world.teamsChanges('something-new');
    // Teams decides inside Teams: the URL's ?theme= does not override it.
    expect(applied).toEqual(['default', 'dark', 'contrast', 'default', 'default']);
  });

  it('stops applying Teams events once stopped', () => {
    const world = environment();
    const applied: ThemeName[] = [];
    const stop = followTheme({ inTeams: true, theme: 'contrast' }, world.env, (name) => applied.push(name));
    stop();
    world.teamsChanges('dark');
    expect(applied).toEqual(['contrast']);
  });

  it('in a browser follows the system: dark, then forced colors as high contrast, and back', () => {
    const world = environment();
    const applied: ThemeName[] = [];
    const stop = followTheme({ inTeams: false }, world.env, (name) => applied.push(name));
    world.setMedia(DARK_QUERY, true);
    world.setMedia(FORCED_COLORS_QUERY, true);
    world.setMedia(FORCED_COLORS_QUERY, false);
    world.setMedia(DARK_QUERY, false);
    expect(applied).toEqual(['default', 'dark', 'contrast', 'dark', 'default']);
    stop();
    expect(world.listenerCount()).toBe(0);
  });

  it('in a browser lets ?theme= (before or after the hash) win over the system', () => {
    const world = environment({ search: '?theme=dark', dark: false });
    const applied: ThemeName[] = [];
    followTheme({ inTeams: false }, world.env, (name) => applied.push(name));
    world.setMedia(FORCED_COLORS_QUERY, true);
    expect(applied).toEqual(['dark', 'dark']);

    const other = environment({ dark: true });
    const seen: ThemeName[] = [];
    followTheme({ inTeams: false }, other.env, (name) => seen.push(name));
    other.setHash('#/messages?theme=contrast');
    other.setHash('#/messages');
    expect(seen).toEqual(['dark', 'contrast', 'dark']);
  });
});
