/** The three Teams themes, named as Teams names them. */
export type ThemeName = 'default' | 'dark' | 'contrast';

/** Maps a Teams or query-string theme name to ours; unknown names give undefined. */
export function parseThemeName(value: string | null | undefined): ThemeName | undefined {
  switch (value?.trim().toLowerCase()) {
    case 'default':
    case 'light':
      return 'default';
    case 'dark':
      return 'dark';
    case 'contrast':
    case 'highcontrast':
      return 'contrast';
    default:
      return undefined;
  }
}

/**
 * `?theme=dark|contrast|default` for screenshots and demos. Also read after the hash
 * (`#/admin?theme=dark`), since hash routes make that spot easy to type by mistake.
 */
export function themeFromUrl(search: string, hash: string): ThemeName | undefined {
  const fromSearch = parseThemeName(new URLSearchParams(search).get('theme'));
  if (fromSearch) return fromSearch;
  const query = hash.indexOf('?');
  return query >= 0 ? parseThemeName(new URLSearchParams(hash.slice(query + 1)).get('theme')) : undefined;
}
