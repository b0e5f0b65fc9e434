/**
 * `--quality-thresholds rtt=400,jitter=30,loss=1,mos=3.5`: when every agent's in-call monitor warns
 * and the admin page alerts (common/quality/quality-thresholds.ts). Keys left out keep their
 * defaults, so an operator changes one limit without restating the others. Pure.
 */
import { DEFAULT_QUALITY_THRESHOLDS, QualityThresholdsSchema, type QualityThresholds } from '../common/quality/quality-thresholds.js';

const KEYS = { rtt: 'rttMs', jitter: 'jitterMs', loss: 'lossPercent', mos: 'mos' } as const satisfies Record<
  string,
  keyof QualityThresholds
>;
const EXAMPLE = 'e.g. --quality-thresholds rtt=400,jitter=30,loss=1,mos=3.5 (RTT and jitter in ms, loss in %)';

export function parseQualityThresholds(text: string): QualityThresholds {
  const thresholds: Record<keyof QualityThresholds, number> = { ...DEFAULT_QUALITY_THRESHOLDS };
  const seen = new Set<string>();
  for (const part of text.split(',')) {
    const [key = '', value, ...rest] = part.trim().split('=');
    if (!(key in KEYS)) {
      throw new Error(`--quality-thresholds: unknown "${key}" (the keys are ${Object.keys(KEYS).join(', ')}); ${EXAMPLE}`);
    }
    if (seen.has(key)) throw new Error(`--quality-thresholds: "${key}" is given twice; ${EXAMPLE}`);
    seen.add(key);
    if (value === undefined || rest.length > 0 || !/^\d+(\.\d+)?$/.test(value)) {
      throw new Error(`--quality-thresholds: ${key} needs one number (got "${part.trim()}"); ${EXAMPLE}`);
    }
    thresholds[KEYS[key as keyof typeof KEYS]] = Number(value);
  }
  const checked = QualityThresholdsSchema.safeParse(thresholds);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    const field = String(issue.path[0]);
    const key = Object.entries(KEYS).find(([, f]) => f === field)?.[0] ?? field;
    throw new Error(
      `--quality-thresholds: ${key}=${thresholds[field as keyof QualityThresholds]} is out of range (${issue.message}); ${EXAMPLE}`,
    );
  }
  return checked.data;
}
