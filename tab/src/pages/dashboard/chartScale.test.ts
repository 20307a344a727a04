import { describe, expect, it } from '@jest/globals';
import { chartSummary, dayLabel, labelledDays, niceScale } from './chartScale';

describe('messages chart scale', () => {
  it('rounds the top of the axis up to 1, 2 or 5 times a power of ten, in whole messages', () => {
    expect(niceScale(0)).toEqual({ top: 4, ticks: [0, 1, 2, 3, 4] });
    expect(niceScale(3)).toEqual({ top: 3, ticks: [0, 1, 2, 3] });
    expect(niceScale(7)).toEqual({ top: 8, ticks: [0, 2, 4, 6, 8] });
    expect(niceScale(37)).toEqual({ top: 40, ticks: [0, 10, 20, 30, 40] });
    expect(niceScale(1234).top).toBe(1500);
  });

  it('labels every day of two weeks, and every few days of a month with the last day always shown', () => {
    expect(labelledDays(14, 14).size).toBe(14);
    const month = labelledDays(30);
    expect(month.has(29)).toBe(true);
    expect(month.size).toBeLessThanOrEqual(8);
  });

  it('sums the days up in one sentence', () => {
    expect(dayLabel('2026-11-21')).toBe('Nov 21');
    expect(chartSummary([{ day: '2026-11-20', inbound: 0, outbound: 0 }, { day: '2026-11-21', inbound: 0, outbound: 0 }])).toBe('No messages from Nov 20 to Nov 21.');
    expect(chartSummary([{ day: '2026-11-20', inbound: 1, outbound: 0 }, { day: '2026-11-21', inbound: 4, outbound: 2 }])).toBe(
      '5 messages received and 2 sent from Nov 20 to Nov 21; the busiest day was Nov 21 with 6.',
    );
  });
});
