import { mosBand } from '../../common/quality/mos-bands.js';
import type { CallStats } from '../calling/phone-api.js';

/** Call-quality figures as the Call quality panel shows them. Pure. */

export interface QualityView {
  /** 0..1 for the <meter>s. */
  readonly inLevel: number;
  readonly outLevel: number;
  readonly facts: ReadonlyArray<readonly [term: string, value: string]>;
}

const UNKNOWN = '—';

/** The MOS band's name (common/quality/mos-bands.ts, the table the network test judges by). */
export const mosLabel = (mos: number): string => mosBand(mos).label;

/** Lost packets as a share of all the far end sent us (received + lost), or null before any. */
export function lossPercent(stats: Pick<CallStats, 'packetsLost' | 'packetsReceived'>): number | null {
  const expected = stats.packetsReceived + stats.packetsLost;
  if (expected <= 0) return null;
  return (Math.max(0, stats.packetsLost) / expected) * 100;
}

const clampLevel = (level: number) => (Number.isFinite(level) ? Math.min(1, Math.max(0, level)) : 0);
const ms = (value: number | null) => (value === null || !Number.isFinite(value) ? UNKNOWN : `${Math.round(value)} ms`);

export function describeQuality(stats: CallStats | null): QualityView {
  if (stats === null) {
    return {
      inLevel: 0,
      outLevel: 0,
      facts: [
        ['Codec', UNKNOWN],
        ['Round trip', UNKNOWN],
        ['Jitter', UNKNOWN],
        ['Packet loss', UNKNOWN],
        ['MOS', UNKNOWN],
      ],
    };
  }
  const loss = lossPercent(stats);
  return {
    inLevel: clampLevel(stats.inboundAudioLevel),
    outLevel: clampLevel(stats.outboundAudioLevel),
    facts: [
      ['Codec', stats.codec ?? UNKNOWN],
      ['Round trip', ms(stats.rttMs)],
      ['Jitter', ms(stats.jitterMs)],
      ['Packet loss', loss === null ? UNKNOWN : `${loss.toFixed(loss > 0 && loss < 1 ? 1 : 0)} %`],
      ['MOS', stats.mos === null ? UNKNOWN : `${stats.mos.toFixed(1)} (${mosLabel(stats.mos)})`],
    ],
  };
}
