import { describe, expect, it } from '@jest/globals';
import { parseThemeName, themeFromUrl } from './themeName';

describe('theme names', () => {
  it('understands Teams and query-string names', () => {
    expect(parseThemeName('default')).toBe('default');
    expect(parseThemeName('DARK')).toBe('dark');
    expect(parseThemeName('contrast')).toBe('contrast');
    expect(parseThemeName('glass')).toBeUndefined();
    expect(parseThemeName(null)).toBeUndefined();
  });

  it('reads ?theme= before or after the hash', () => {
    expect(themeFromUrl('?theme=dark', '#/admin')).toBe('dark');
    expect(themeFromUrl('', '#/admin?theme=contrast')).toBe('contrast');
    expect(themeFromUrl('?theme=default', '#/admin?theme=dark')).toBe('default');
    expect(themeFromUrl('?x=1', '#/admin')).toBeUndefined();
  });
});
