import type { DiagnosticStepResult } from '../contract/index.js';

/**
 * The ONE table of call-quality bands for an E-model MOS (mos.ts): the in-call quality panel shows
 * the label, the network test's path-quality step gives the verdict, so a path the panel calls
 * "Poor" never passes the network test. Thresholds are ITU-T G.107's user-satisfaction bands
 * (very satisfied / satisfied / some dissatisfied / many dissatisfied / nearly all dissatisfied).
 * Ordered best first; a score belongs to the first band whose `min` it reaches.
 */
export const MOS_BANDS = [
  { min: 4.3, label: 'Excellent', verdict: 'pass' },
  { min: 4.0, label: 'Good', verdict: 'pass' },
  { min: 3.6, label: 'Fair', verdict: 'warn' },
  { min: 3.1, label: 'Poor', verdict: 'fail' },
  { min: -Infinity, label: 'Bad', verdict: 'fail' },
] as const satisfies ReadonlyArray<{ min: number; label: string; verdict: DiagnosticStepResult['verdict'] }>;

export type MosBand = (typeof MOS_BANDS)[number];

export function mosBand(mos: number): MosBand {
  return MOS_BANDS.find((band) => mos >= band.min) ?? MOS_BANDS[MOS_BANDS.length - 1]!;
}
