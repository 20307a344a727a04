/** The arithmetic of the messages-per-day chart, kept apart from the SVG so it can be tested. */

export interface DayCount {
  day: string;
  inbound: number;
  outbound: number;
}

/** A round top for the y axis (1, 2, 5 × 10^n) at or above `max`, and its ticks from 0. */
export function niceScale(max: number, tickCount = 4): { top: number; ticks: number[] } {
  if (!(max > 0)) return { top: tickCount, ticks: Array.from({ length: tickCount + 1 }, (_, i) => i) };
  const rough = max / tickCount;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= rough) ?? 10 * power;
  // Whole messages only: a step below 1 would label the axis 0.5, 1.5 ...
  const wholeStep = Math.max(1, Math.ceil(step));
  const top = Math.ceil(max / wholeStep) * wholeStep;
  const ticks: number[] = [];
  for (let value = 0; value <= top; value += wholeStep) ticks.push(value);
  return { top, ticks };
}

const shortDate = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
const longDate = new Intl.DateTimeFormat('en-US', { weekday: 'long', month: 'long', day: 'numeric', timeZone: 'UTC' });

/** "Nov 21" for a UTC day "2026-11-21". */
export const dayLabel = (day: string): string => shortDate.format(new Date(`${day}T00:00:00Z`));
export const dayLongLabel = (day: string): string => longDate.format(new Date(`${day}T00:00:00Z`));

/** Which days get an x-axis label: every one up to 14 days, then every few so they don't collide. */
export function labelledDays(count: number, maxLabels = 8): Set<number> {
  const every = Math.max(1, Math.ceil(count / maxLabels));
  const shown = new Set<number>();
  // Counted back from the last day, so "today" is always labelled.
  for (let i = count - 1; i >= 0; i -= every) shown.add(i);
  return shown;
}

/** One sentence for screen readers and the chart's description. */
export function chartSummary(days: readonly DayCount[]): string {
  if (days.length === 0) return 'No days to show.';
  const inbound = days.reduce((sum, d) => sum + d.inbound, 0);
  const outbound = days.reduce((sum, d) => sum + d.outbound, 0);
  const busiest = days.reduce((best, d) => (d.inbound + d.outbound > best.inbound + best.outbound ? d : best), days[0]!);
  const span = `${dayLabel(days[0]!.day)} to ${dayLabel(days[days.length - 1]!.day)}`;
  if (inbound + outbound === 0) return `No messages from ${span}.`;
  const total = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  return `${total(inbound, 'message')} received and ${outbound} sent from ${span}; the busiest day was ${dayLabel(busiest.day)} with ${busiest.inbound + busiest.outbound}.`;
}
