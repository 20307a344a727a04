import { Caption1, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, makeStyles, tokens } from '@fluentui/react-components';
import { useId } from 'react';
import { chartSummary, dayLabel, dayLongLabel, labelledDays, niceScale, type DayCount } from './chartScale';
import { visuallyHidden } from '../../components/visuallyHidden';

const WIDTH = 720;
const HEIGHT = 240;
const MARGIN = { top: 12, right: 12, bottom: 40, left: 44 };

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  svg: { width: '100%', height: 'auto', display: 'block' },
  legend: { display: 'flex', gap: tokens.spacingHorizontalL, color: tokens.colorNeutralForeground2 },
  key: { display: 'inline-flex', alignItems: 'center', gap: tokens.spacingHorizontalXS },
  swatch: { width: '12px', height: '12px', borderRadius: tokens.borderRadiusSmall, display: 'inline-block' },
  inbound: { backgroundColor: tokens.colorBrandBackground },
  outbound: { backgroundColor: tokens.colorPaletteTealBorderActive },
  // Read by screen readers, not drawn: the chart's numbers as a table.
  visuallyHidden,
});

/**
 * Inbound and outbound messages per day as grouped bars. The SVG is one image with a
 * title and a one-sentence description; the exact numbers are in a table for screen
 * readers (and in each bar's tooltip).
 */
export function MessagesChart({ days, title }: { days: readonly DayCount[]; title: string }) {
  const styles = useStyles();
  const titleId = useId();
  const descId = useId();
  const max = Math.max(0, ...days.map((d) => Math.max(d.inbound, d.outbound)));
  const { top, ticks } = niceScale(max);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const band = plotWidth / Math.max(1, days.length);
  const bar = Math.max(2, Math.min(18, (band - 4) / 2));
  const y = (value: number) => MARGIN.top + plotHeight - (value / top) * plotHeight;
  const labelled = labelledDays(days.length);
  const summary = chartSummary(days);

  return (
    <div className={styles.root}>
      <svg className={styles.svg} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${titleId} ${descId}`}>
        <title id={titleId}>{title}</title>
        <desc id={descId}>{summary}</desc>
        {ticks.map((tick) => (
          <g key={tick}>
            <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(tick)} y2={y(tick)} style={{ stroke: tokens.colorNeutralStroke2 }} strokeWidth={1} />
            <text x={MARGIN.left - 6} y={y(tick)} dy="0.32em" textAnchor="end" fontSize={11} style={{ fill: tokens.colorNeutralForeground3 }}>
              {tick}
            </text>
          </g>
        ))}
        {days.map((day, i) => {
          const x = MARGIN.left + i * band + (band - bar * 2) / 2;
          return (
            <g key={day.day}>
              <rect x={x} y={y(day.inbound)} width={bar} height={y(0) - y(day.inbound)} rx={2} style={{ fill: tokens.colorBrandBackground }}>
                <title>{`${dayLabel(day.day)}: ${day.inbound} received`}</title>
              </rect>
              <rect x={x + bar} y={y(day.outbound)} width={bar} height={y(0) - y(day.outbound)} rx={2} style={{ fill: tokens.colorPaletteTealBorderActive }}>
                <title>{`${dayLabel(day.day)}: ${day.outbound} sent`}</title>
              </rect>
              {labelled.has(i) && (
                <text x={MARGIN.left + i * band + band / 2} y={HEIGHT - MARGIN.bottom + 16} textAnchor="middle" fontSize={11} style={{ fill: tokens.colorNeutralForeground3 }}>
                  {dayLabel(day.day)}
                </text>
              )}
            </g>
          );
        })}
        <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(0)} y2={y(0)} style={{ stroke: tokens.colorNeutralStroke1 }} strokeWidth={1} />
        <text x={MARGIN.left + plotWidth / 2} y={HEIGHT - 4} textAnchor="middle" fontSize={11} style={{ fill: tokens.colorNeutralForeground2 }}>
          Day (UTC)
        </text>
        <text transform={`translate(12 ${MARGIN.top + plotHeight / 2}) rotate(-90)`} textAnchor="middle" fontSize={11} style={{ fill: tokens.colorNeutralForeground2 }}>
          Messages
        </text>
      </svg>
      <div className={styles.legend} aria-hidden="true">
        <Caption1 className={styles.key}>
          <span className={`${styles.swatch} ${styles.inbound}`} /> Received
        </Caption1>
        <Caption1 className={styles.key}>
          <span className={`${styles.swatch} ${styles.outbound}`} /> Sent
        </Caption1>
      </div>
      <div className={styles.visuallyHidden}>
        <Table aria-label={`${title}, as a table`} size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Day</TableHeaderCell>
              <TableHeaderCell>Received</TableHeaderCell>
              <TableHeaderCell>Sent</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {days.map((day) => (
              <TableRow key={day.day}>
                <TableCell>{dayLongLabel(day.day)}</TableCell>
                <TableCell>{day.inbound}</TableCell>
                <TableCell>{day.outbound}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
    </div>
  );
}
