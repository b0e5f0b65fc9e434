import type { QualityThresholds } from '../../common/quality/quality-thresholds.js';
import type { QualitySample } from './quality-sample.js';

/**
 * Quality warnings with hysteresis, one per metric. A single bad second (one late RTCP report, a
 * loss burst of two packets) must not flash a warning, and a warning must not flicker off and on
 * while a link hovers around the threshold. Per metric:
 *
 *              RAISE_AFTER samples in a row past the threshold
 *     clear ─────────────────────────────────────────────────▶ raised
 *       ▲                                                        │
 *       └────────── CLEAR_AFTER samples in a row back within ◀───┘
 *
 * A sample without the figure (RTT not measured yet, no packet due) is no evidence either way and
 * leaves the counts as they are. Pure: (state, sample, thresholds) → state.
 */
export const QUALITY_METRICS = ['rtt', 'jitter', 'loss', 'mos'] as const;
export type QualityMetric = (typeof QUALITY_METRICS)[number];

export const RAISE_AFTER = 3;
export const CLEAR_AFTER = 5;

interface MetricWarning {
  readonly raised: boolean;
  /** Consecutive samples on the other side of the threshold from `raised`. */
  readonly streak: number;
}
export type WarningState = Readonly<Record<QualityMetric, MetricWarning>>;

export const NO_WARNINGS: WarningState = {
  rtt: { raised: false, streak: 0 },
  jitter: { raised: false, streak: 0 },
  loss: { raised: false, streak: 0 },
  mos: { raised: false, streak: 0 },
};

/** Whether the sample is past the threshold for `metric`; null when the sample lacks the figure. */
export function pastThreshold(metric: QualityMetric, sample: QualitySample, t: QualityThresholds): boolean | null {
  switch (metric) {
    case 'rtt':
      return sample.rttMs === null ? null : sample.rttMs > t.rttMs;
    case 'jitter':
      return sample.jitterMs === null ? null : sample.jitterMs > t.jitterMs;
    case 'loss':
      return sample.lossPercent === null ? null : sample.lossPercent > t.lossPercent;
    case 'mos':
      return sample.mos === null ? null : sample.mos < t.mos;
  }
}

export function nextWarnings(state: WarningState, sample: QualitySample, thresholds: QualityThresholds): WarningState {
  const next = { ...state };
  for (const metric of QUALITY_METRICS) {
    const past = pastThreshold(metric, sample, thresholds);
    if (past === null) continue;
    const { raised, streak } = state[metric];
    // Evidence against the current state lengthens the streak; evidence for it resets the streak.
    const against = raised ? !past : past;
    const length = against ? streak + 1 : 0;
    const flips = length >= (raised ? CLEAR_AFTER : RAISE_AFTER);
    next[metric] = flips ? { raised: !raised, streak: 0 } : { raised, streak: length };
  }
  return next;
}

export const raisedMetrics = (state: WarningState): QualityMetric[] => QUALITY_METRICS.filter((m) => state[m].raised);
