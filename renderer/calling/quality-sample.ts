import { estimateMos } from '../../common/quality/mos.js';
import type { CallStats } from './phone-api.js';

/**
 * The sampler's pure core: two getStats readings of one call (call-stats.ts) → the figures of the
 * interval between them. Loss is per interval (the difference of the cumulative packetsLost and
 * packetsReceived counters), so a burst late in a long call shows at once instead of being
 * averaged over the whole call; MOS is scored from that interval's loss with the codec's E-model
 * values (common/quality/mos.ts).
 */
export interface QualitySample {
  /** End of the interval on the report's clock (ms). */
  readonly atMs: number;
  readonly intervalMs: number;
  readonly codec: string | null;
  readonly rttMs: number | null;
  readonly jitterMs: number | null;
  /** Lost ÷ (lost + received) in this interval, %; null when no packet was due. */
  readonly lossPercent: number | null;
  /** Concealed ÷ played samples in this interval, %; null when nothing was played. */
  readonly concealmentPercent: number | null;
  readonly packetsReceived: number;
  readonly packetsSent: number;
  readonly inboundKbps: number;
  readonly outboundKbps: number;
  readonly localCandidateType: string | null;
  readonly remoteCandidateType: string | null;
  /** 1..4.5, null until RTT is known and packets were due. */
  readonly mos: number | null;
}

/** Counter difference that never goes negative (a counter reset by an ICE restart or a new SSRC). */
const delta = (current: number, previous: number) => (current >= previous ? current - previous : current);
const percent = (part: number, whole: number) => (whole > 0 ? (part / whole) * 100 : null);

export function toQualitySample(previous: CallStats, current: CallStats): QualitySample {
  const intervalMs = Math.max(0, current.timestampMs - previous.timestampMs);
  const received = delta(current.packetsReceived, previous.packetsReceived);
  const lost = delta(current.packetsLost, previous.packetsLost);
  const sent = delta(current.packetsSent, previous.packetsSent);
  const lossPercent = percent(lost, lost + received);
  const kbps = (bytes: number) => (intervalMs > 0 ? Math.round((bytes * 8) / intervalMs) : 0);
  const mos =
    lossPercent === null || current.rttMs === null
      ? null
      : estimateMos({ rttMs: current.rttMs, jitterMs: current.jitterMs ?? 0, lossFraction: lossPercent / 100, codec: current.codec });
  return {
    atMs: current.timestampMs,
    intervalMs,
    codec: current.codec,
    rttMs: current.rttMs,
    jitterMs: current.jitterMs,
    lossPercent,
    concealmentPercent: percent(
      delta(current.concealedSamples, previous.concealedSamples),
      delta(current.totalSamplesReceived, previous.totalSamplesReceived),
    ),
    packetsReceived: received,
    packetsSent: sent,
    inboundKbps: kbps(delta(current.bytesReceived, previous.bytesReceived)),
    outboundKbps: kbps(delta(current.bytesSent, previous.bytesSent)),
    localCandidateType: current.localCandidateType,
    remoteCandidateType: current.remoteCandidateType,
    mos,
  };
}
