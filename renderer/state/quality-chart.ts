import type { QualitySample } from '../calling/quality-sample.js';

/**
 * Geometry of the in-call quality charts (inline SVG, QualityCharts.tsx): one series per figure
 * over the call, scaled into a fixed view box, with the warning threshold as a line. Pure, so the
 * scaling is unit tested without a DOM. Long calls are thinned to at most MAX_POINTS points by
 * taking every n-th sample (the newest always kept).
 */
export const CHART_WIDTH = 300;
export const CHART_HEIGHT = 80;
const MAX_POINTS = 300;

export interface ChartSeries {
  readonly title: string;
  readonly unit: string;
  /** SVG polyline points "x,y x,y …"; gaps (no figure) are skipped. */
  readonly points: string;
  /** y of the threshold line, or null when it is off the scale. */
  readonly thresholdY: number | null;
  readonly max: number;
  readonly latest: number | null;
}

type Figure = (s: QualitySample) => number | null;

function thin(samples: readonly QualitySample[]): QualitySample[] {
  if (samples.length <= MAX_POINTS) return [...samples];
  const step = Math.ceil(samples.length / MAX_POINTS);
  const kept = samples.filter((_, i) => (samples.length - 1 - i) % step === 0);
  return kept;
}

export function chartSeries(
  samples: readonly QualitySample[],
  title: string,
  unit: string,
  figure: Figure,
  threshold: number,
  fixedMax?: number,
): ChartSeries {
  const shown = thin(samples);
  const values = shown.map(figure);
  const known = values.filter((v): v is number => v !== null);
  // The scale leaves room above the threshold so "just under" and "just over" look different.
  const max = fixedMax ?? Math.max(threshold * 1.5, ...known, 1);
  const x = (i: number) => (shown.length <= 1 ? CHART_WIDTH : (i / (shown.length - 1)) * CHART_WIDTH);
  const y = (v: number) => CHART_HEIGHT - (Math.min(Math.max(v, 0), max) / max) * CHART_HEIGHT;
  const points = values
    .map((v, i) => (v === null ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`))
    .filter((p): p is string => p !== null)
    .join(' ');
  return {
    title,
    unit,
    points,
    thresholdY: threshold <= max ? Number(y(threshold).toFixed(1)) : null,
    max,
    latest: known.at(-1) ?? null,
  };
}
