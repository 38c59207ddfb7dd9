import { MetricStream } from './metrics';
import type { MetricPattern } from './metricLines';

/** One series as `mllab-metrics` prints it: points are [x, y], y null for NaN. */
export interface ReportSeries {
  name: string;
  x: 'step' | 'epoch' | 'line';
  points: Array<[number, number | null]>;
}

/**
 * Parses a whole log text exactly as the Training Run panel does (a MetricStream fed the text,
 * then ended), with a profile's `metrics:` patterns tried first. Series come in the order their
 * first point appeared.
 */
export function parseLogSeries(text: string, patterns: readonly MetricPattern[] = []): { series: ReportSeries[] } {
  const s = new MetricStream({}, patterns);
  s.push(text);
  s.end();
  const series: ReportSeries[] = [];
  for (const [name, m] of s.series) series.push({ name, x: m.xKind, points: m.xs.map((x, i) => [x, Number.isNaN(m.ys[i]) ? null : m.ys[i]]) });
  return { series };
}
