/**
 * MOS from network figures through a simplified ITU-T G.107 E-model: the transmission rating R
 * starts at 93.2 (default narrowband conditions), loses the delay impairment Id for the one-way
 * mouth-to-ear delay and the effective equipment impairment Ie-eff for packet loss, and maps to MOS
 * with the G.107 Annex B curve. Codec: G.711 with packet loss concealment (Ie 0, Bpl 25.1).
 */
const R0 = 93.2;
const IE = 0;
const BPL = 25.1;
/** A jitter buffer holds about two jitter spans, and packetisation plus playout adds ~20 ms. */
const JITTER_BUFFER_FACTOR = 2;
const FIXED_DELAY_MS = 20;

export interface PathFigures {
  rttMs: number;
  jitterMs: number;
  /** 0–100 */
  lossPercent: number;
}

function mouthToEarMs({ rttMs, jitterMs }: Pick<PathFigures, 'rttMs' | 'jitterMs'>): number {
  return rttMs / 2 + JITTER_BUFFER_FACTOR * jitterMs + FIXED_DELAY_MS;
}

export function delayImpairment(oneWayMs: number): number {
  const d = Math.max(0, oneWayMs);
  return 0.024 * d + (d > 177.3 ? 0.11 * (d - 177.3) : 0);
}

export function lossImpairment(lossPercent: number): number {
  const p = Math.min(100, Math.max(0, lossPercent));
  return IE + (95 - IE) * (p / (p + BPL));
}

export function rFactor(f: PathFigures): number {
  return R0 - delayImpairment(mouthToEarMs(f)) - lossImpairment(f.lossPercent);
}

export function mosFromR(r: number): number {
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  return 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r);
}

export function mos(f: PathFigures): number {
  return Math.round(mosFromR(rFactor(f)) * 100) / 100;
}
