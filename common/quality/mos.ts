import { codecImpairment } from './codec-impairments.js';

/**
 * Mean Opinion Score estimate from network figures with the ITU-T G.107 E-model (06/2015). Pure:
 * figures → number. The one model for the whole product: the in-call quality monitor and the
 * network test's path-quality step (main/diagnostics) both score with it, so the same path gets
 * the same score in both.
 *
 *   R    = Ro − Is − Id − Ie,eff + A            (G.107, the transmission rating factor)
 *   Ro − Is = 93.2 with every default parameter (G.107's default-value table), A = 0 (wired access);
 *   Id   = Idte + Idle + Idd: talker and listener echo are cancelled in WebRTC (TELR ≥ 65 dB, the
 *          default), so only Idd, the impairment of the absolute mouth-to-ear delay Ta, remains:
 *          Idd = 0 for Ta ≤ 100 ms, else 25·{(1 + X⁶)^⅙ − 3·(1 + (X/3)⁶)^⅙ + 2}, X = log₂(Ta/100)
 *          (G.107's Idd with the default sT = 1, mT = 100 ms);
 *   Ta   = RTT/2 (network, one way) + 2·jitter (the jitter buffer holds about two jitter periods)
 *          + the codec's packetisation and look-ahead (codec-impairments.ts);
 *   Ie,eff = Ie + (95 − Ie) · Ppl / (Ppl/BurstR + Bpl)   (G.107's effective equipment impairment), BurstR = 1:
 *          getStats gives loss counts, not their burstiness, so loss is taken as random;
 *          Ie and Bpl per codec from ITU-T G.113 (codec-impairments.ts);
 *   MOS  = 1 for R < 0; 1 + 0.035·R + 7·10⁻⁶·R·(R − 60)·(100 − R) for 0 ≤ R ≤ 100; 4.5 above
 *          (G.107 Annex B). That cubic dips below 1 for 0 < R < 6.5 (it is 0.99 at R = 5),
 *          so the result is clamped to [1, 4.5]; above R ≈ 6.5 the cubic rises steadily, so MOS is
 *          monotone in R, and R in each impairment.
 */
export interface NetworkFigures {
  /** Round-trip time in ms (ICE candidate pair or RTCP). */
  readonly rttMs: number;
  /** Interarrival jitter in ms. */
  readonly jitterMs: number;
  /** Fraction of packets lost, 0..1. */
  readonly lossFraction: number;
  /** The codec as getStats names it ("opus/48000", "PCMU/8000"); absent → G.711's values. */
  readonly codec?: string | null;
}

/** Ro − Is with G.107's default parameters. */
const R_DEFAULT = 93.2;
const JITTER_BUFFER_FACTOR = 2;

/** Idd: the impairment of an absolute one-way (mouth-to-ear) delay Ta in ms (G.107). */
export function delayImpairment(oneWayMs: number): number {
  if (!(oneWayMs > 100)) return 0;
  const x = Math.log2(oneWayMs / 100);
  return 25 * (Math.pow(1 + x ** 6, 1 / 6) - 3 * Math.pow(1 + (x / 3) ** 6, 1 / 6) + 2);
}

/** Ie,eff: the impairment of random packet loss in percent (0..100) for a codec's Ie and Bpl. */
export function lossImpairment(lossPercent: number, codec?: string | null): number {
  const { ie, bpl } = codecImpairment(codec);
  const p = Math.min(Math.max(lossPercent, 0), 100);
  return ie + ((95 - ie) * p) / (p + bpl);
}

export function rFactor({ rttMs, jitterMs, lossFraction, codec }: NetworkFigures): number {
  if (![rttMs, jitterMs, lossFraction].every(Number.isFinite) || rttMs < 0 || jitterMs < 0) {
    throw new RangeError(`rFactor: invalid figures rtt=${rttMs} jitter=${jitterMs} loss=${lossFraction}`);
  }
  const oneWay = rttMs / 2 + JITTER_BUFFER_FACTOR * jitterMs + codecImpairment(codec).codecDelayMs;
  return R_DEFAULT - delayImpairment(oneWay) - lossImpairment(lossFraction * 100, codec);
}

/** G.107 Annex B, clamped to [1, 4.5] (see the doc comment above for why the clamp is needed). */
export function mosFromR(r: number): number {
  if (!(r > 0)) return 1;
  if (r >= 100) return 4.5;
  return Math.min(4.5, Math.max(1, 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r)));
}

/** MOS to two decimals. */
export function estimateMos(figures: NetworkFigures): number {
  return Math.round(mosFromR(rFactor(figures)) * 100) / 100;
}
