import { describe, expect, it } from '@jest/globals';
import { changeRows, formatValue } from './changes';

describe('changeRows', () => {
  it('lists changed fields from dotted before/after halves', () => {
    const rows = changeRows({ 'settings.chatEnabled': true, name: 'A' }, { 'settings.chatEnabled': false, name: 'B' });
    expect(rows).toEqual([
      { path: 'settings.chatEnabled', label: 'Chat enabled', before: 'On', after: 'Off' },
      { path: 'name', label: 'Name', before: 'A', after: 'B' },
    ]);
  });

  it('flattens nested objects and skips unchanged fields and bookkeeping', () => {
    const before = { name: 'A', etag: '1', updatedAt: 'x', settings: { timeZone: 'UTC', syncIntervalMinutes: 15 } };
    const after = { name: 'A', etag: '2', updatedAt: 'y', settings: { timeZone: 'Europe/Paris', syncIntervalMinutes: 15 } };
    expect(changeRows(before, after)).toEqual([{ path: 'settings.timeZone', label: 'Time zone', before: 'UTC', after: 'Europe/Paris' }]);
  });

  it('shows every field of something created', () => {
    const rows = changeRows(null, { name: 'Contoso', settings: { chatEnabled: true } });
    expect(rows.map((r) => [r.label, r.before, r.after])).toEqual([
      ['Name', '—', 'Contoso'],
      ['Chat enabled', '—', 'On'],
    ]);
  });

  it('keeps unknown fields under their path', () => {
    expect(changeRows({}, { 'pbx.host': 'sip.example.com' })[0]?.label).toBe('pbx.host');
  });
});

describe('formatValue', () => {
  it('writes values for people', () => {
    expect(formatValue(null)).toBe('—');
    expect(formatValue('')).toBe('(empty)');
    expect(formatValue(15)).toBe('15');
    expect(formatValue(['a'])).toBe('["a"]');
    expect(formatValue('2025-03-01T10:00:00.000Z')).not.toBe('2025-03-01T10:00:00.000Z');
  });
});
