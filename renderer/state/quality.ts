import { mosBand } from '../../common/quality/mos-bands.js';
import { ONE_WAY_EXPLANATIONS } from '../calling/one-way-audio.js';
import type { CallStats } from '../calling/phone-api.js';
import type { CallQuality } from '../calling/quality-monitor.js';
import type { QualitySample } from '../calling/quality-sample.js';
import { raisedMetrics, type QualityMetric } from '../calling/quality-warnings.js';

/** Call-quality figures as the Call quality panel and the in-call indicator show them. Pure. */

export interface QualityView {
  /** 0..1 for the <meter>s. */
  readonly inLevel: number;
  readonly outLevel: number;
  readonly facts: ReadonlyArray<readonly [term: string, value: string]>;
}

const UNKNOWN = '—';

/** The MOS band's name (common/quality/mos-bands.ts, the table the network test judges by). */
export const mosLabel = (mos: number): string => mosBand(mos).label;

const clampLevel = (level: number) => (Number.isFinite(level) ? Math.min(1, Math.max(0, level)) : 0);
const ms = (value: number | null) => (value === null || !Number.isFinite(value) ? UNKNOWN : `${Math.round(value)} ms`);
export const formatPercent = (value: number | null) => (value === null ? UNKNOWN : `${value.toFixed(value > 0 && value < 10 ? 1 : 0)} %`);

/** Levels from the latest reading (every 500 ms); figures from the latest one-second sample. */
export function describeQuality(stats: CallStats | null, sample: QualitySample | null): QualityView {
  const path =
    sample?.localCandidateType && sample.remoteCandidateType ? `${sample.localCandidateType} → ${sample.remoteCandidateType}` : UNKNOWN;
  return {
    inLevel: clampLevel(stats?.inboundAudioLevel ?? 0),
    outLevel: clampLevel(stats?.outboundAudioLevel ?? 0),
    facts: [
      ['Codec', sample?.codec ?? stats?.codec ?? UNKNOWN],
      ['Round trip', ms(sample?.rttMs ?? null)],
      ['Jitter', ms(sample?.jitterMs ?? null)],
      ['Packet loss', formatPercent(sample?.lossPercent ?? null)],
      ['Concealed', formatPercent(sample?.concealmentPercent ?? null)],
      ['Bitrate', sample ? `${sample.inboundKbps} in / ${sample.outboundKbps} out kbit/s` : UNKNOWN],
      ['Path', path],
      ['MOS', sample?.mos == null ? UNKNOWN : `${sample.mos.toFixed(1)} (${mosLabel(sample.mos)})`],
    ],
  };
}

const WARNING_TEXT: Readonly<Record<QualityMetric, string>> = {
  rtt: 'High delay',
  jitter: 'High jitter',
  loss: 'Packet loss',
  mos: 'Poor call quality',
};

export interface QualityIndicatorView {
  /** "MOS 4.4 Excellent" or "Measuring…". */
  readonly summary: string;
  readonly level: 'good' | 'warn' | 'bad' | 'unknown';
  /** One line per raised warning, with the figure that raised it. */
  readonly warnings: readonly string[];
  readonly oneWay: { readonly title: string; readonly causes: readonly string[] } | null;
}

/** The small always-visible indicator: latest MOS, the warnings raised, one-way audio. */
export function describeIndicator(
  quality: CallQuality | null,
  thresholds: { rttMs: number; jitterMs: number; lossPercent: number; mos: number },
): QualityIndicatorView {
  const latest = quality?.samples.at(-1) ?? null;
  const raised = quality ? raisedMetrics(quality.warnings) : [];
  const figure: Record<QualityMetric, string> = {
    rtt: `${ms(latest?.rttMs ?? null)} round trip (limit ${thresholds.rttMs} ms)`,
    jitter: `${ms(latest?.jitterMs ?? null)} (limit ${thresholds.jitterMs} ms)`,
    loss: `${formatPercent(latest?.lossPercent ?? null)} lost (limit ${thresholds.lossPercent} %)`,
    mos: `MOS ${latest?.mos?.toFixed(1) ?? UNKNOWN} (limit ${thresholds.mos})`,
  };
  const direction = quality?.oneWay.direction ?? null;
  const oneWay = direction === null ? null : ONE_WAY_EXPLANATIONS[direction];
  const mos = latest?.mos ?? null;
  const level = oneWay || raised.includes('mos') ? 'bad' : raised.length > 0 ? 'warn' : mos === null ? 'unknown' : 'good';
  return {
    summary: mos === null ? 'Measuring…' : `MOS ${mos.toFixed(1)} ${mosLabel(mos)}`,
    level,
    warnings: raised.map((metric) => `${WARNING_TEXT[metric]}: ${figure[metric]}`),
    oneWay,
  };
}
