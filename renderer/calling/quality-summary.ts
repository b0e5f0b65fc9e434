import type { CallQualityReport } from '../../common/quality/call-quality-report.js';
import type { CallQuality } from './quality-monitor.js';
import { raisedMetrics } from './quality-warnings.js';

/**
 * A call's quality so far → the summary the control plane stores for the admin
 * (common/quality/call-quality-report.ts): latest, average and worst MOS, average and worst
 * interval loss, average RTT and jitter, the warnings raised and one-way audio at the time. Pure.
 * Averages are over the samples that had the figure (RTT is unknown for the first second or so).
 */
export function summarizeQuality(callId: string, quality: CallQuality, final: boolean): CallQualityReport {
  const { samples } = quality;
  const values = (pick: (s: (typeof samples)[number]) => number | null) =>
    samples.map(pick).filter((v): v is number => v !== null && Number.isFinite(v));
  const mos = values((s) => s.mos);
  const loss = values((s) => s.lossPercent);
  return {
    callId,
    final,
    codec: samples.findLast((s) => s.codec !== null)?.codec ?? null,
    samples: samples.length,
    mosLatest: round(samples.at(-1)?.mos ?? null),
    mosAverage: round(average(mos)),
    mosMin: round(mos.length ? Math.min(...mos) : null),
    lossPercentAverage: round(average(loss)),
    lossPercentMax: round(loss.length ? Math.max(...loss) : null),
    rttMsAverage: round(average(values((s) => s.rttMs))),
    jitterMsAverage: round(average(values((s) => s.jitterMs))),
    warnings: raisedMetrics(quality.warnings),
    oneWay: quality.oneWay.direction,
  };
}

const average = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
/** Two decimals: finer than any figure means, and it keeps the body small. */
const round = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);
