import { DEFAULT_QUALITY_THRESHOLDS, type QualityThresholds } from '../../common/quality/quality-thresholds.js';
import { NO_ONE_WAY, nextOneWay, type OneWayState } from './one-way-audio.js';
import type { CallStats } from './phone-api.js';
import { toQualitySample, type QualitySample } from './quality-sample.js';
import { NO_WARNINGS, nextWarnings, type WarningState } from './quality-warnings.js';

/**
 * One call's quality over time: fed every getStats reading, it turns one reading per second into
 * a sample (quality-sample.ts) and runs the warnings (quality-warnings.ts) and the one-way-audio
 * detector (one-way-audio.ts) over it. Readings may come more often (the UI reads levels every
 * 500 ms); a sample is taken once a full interval has passed on the report's own clock, so the
 * cadence does not depend on the caller's timer. No I/O, no timers: the controller's injected
 * timer drives it.
 */
export const SAMPLE_INTERVAL_MS = 1000;
/** getStats timestamps jitter by a few ms around the reader's timer period. */
const INTERVAL_TOLERANCE_MS = 50;
/** One hour of samples for the charts; older ones are dropped. */
export const MAX_SAMPLES = 3600;

export interface CallQuality {
  readonly samples: readonly QualitySample[];
  readonly warnings: WarningState;
  readonly oneWay: OneWayState;
}

export const NO_QUALITY: CallQuality = { samples: [], warnings: NO_WARNINGS, oneWay: NO_ONE_WAY };

export class QualityMonitor {
  private baseline: CallStats | null = null;
  private quality: CallQuality = NO_QUALITY;

  constructor(private readonly thresholds: QualityThresholds = DEFAULT_QUALITY_THRESHOLDS) {}

  /** The call's quality after the last completed sample. */
  get current(): CallQuality {
    return this.quality;
  }

  /** A new reading; returns the updated quality when it completed a sample, else null. */
  ingest(stats: CallStats, held: boolean): CallQuality | null {
    const baseline = this.baseline;
    if (baseline === null || stats.timestampMs < baseline.timestampMs) {
      this.baseline = stats;
      return null;
    }
    if (stats.timestampMs - baseline.timestampMs < SAMPLE_INTERVAL_MS - INTERVAL_TOLERANCE_MS) return null;
    this.baseline = stats;
    const sample = toQualitySample(baseline, stats);
    const previous = this.quality;
    const samples = previous.samples.length >= MAX_SAMPLES ? previous.samples.slice(1) : previous.samples.slice();
    samples.push(sample);
    this.quality = {
      samples,
      warnings: nextWarnings(previous.warnings, sample, this.thresholds),
      oneWay: nextOneWay(previous.oneWay, sample, held),
    };
    return this.quality;
  }
}
