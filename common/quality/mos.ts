/**
 * Mean Opinion Score estimate from network figures, with the simplified ITU-T G.107 E-model
 * (the approach widely used for WebRTC call-quality meters). Pure: stats → number. The one model
 * for the whole product: the in-call quality panel and the network test's path-quality step
 * (main/diagnostics) both score with it, so the same path gets the same score in both.
 *
 *   R = R0 − Id(one-way delay) − Ie,eff(loss)      MOS = 1 + 0.035·R + 7·10⁻⁶·R·(R−60)·(100−R)
 */
export interface NetworkFigures {
  /** Round-trip time in ms (ICE candidate pair or RTCP). */
  readonly rttMs: number;
  /** Interarrival jitter in ms. */
  readonly jitterMs: number;
  /** Fraction of packets lost, 0..1. */
  readonly lossFraction: number;
}

// Basic signal-to-noise ratio with default G.107 parameters.
const R0 = 93.2;
// The jitter buffer holds about two jitter periods; codec framing/lookahead adds ~10 ms.
const JITTER_BUFFER_FACTOR = 2;
const CODEC_DELAY_MS = 10;
// Packet-loss robustness (Bpl) of a codec with concealment (G.711 Appendix I PLC; Opus is better).
const LOSS_ROBUSTNESS = 25.1;

/** Id: impairment of a one-way (mouth-to-ear) delay in ms; steeper past 177.3 ms. */
export function delayImpairment(oneWayMs: number): number {
  const d = Math.max(0, oneWayMs);
  return 0.024 * d + (d > 177.3 ? 0.11 * (d - 177.3) : 0);
}

/** Ie,eff: impairment of a packet loss in percent (0..100). */
export function lossImpairment(lossPercent: number): number {
  const p = Math.min(Math.max(lossPercent, 0), 100);
  return (95 * p) / (p + LOSS_ROBUSTNESS);
}

export function rFactor({ rttMs, jitterMs, lossFraction }: NetworkFigures): number {
  if (![rttMs, jitterMs, lossFraction].every(Number.isFinite) || rttMs < 0 || jitterMs < 0) {
    throw new RangeError(`rFactor: invalid figures rtt=${rttMs} jitter=${jitterMs} loss=${lossFraction}`);
  }
  const oneWay = rttMs / 2 + JITTER_BUFFER_FACTOR * jitterMs + CODEC_DELAY_MS;
  return R0 - delayImpairment(oneWay) - lossImpairment(lossFraction * 100);
}

export function mosFromR(r: number): number {
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  return Math.min(4.5, 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r));
}

export function estimateMos(figures: NetworkFigures): number {
  return Math.round(mosFromR(rFactor(figures)) * 100) / 100;
}
