import type { CallStats } from './phone-api.js';
import { estimateMos } from '../../common/quality/mos.js';

/**
 * One `RTCPeerConnection.getStats()` report → `CallStats`. Pure over plain records so it is unit
 * tested with literal stats objects; the core passes `[...report.values()]`.
 */
export type StatsRecord = { readonly type: string; readonly id: string; readonly [key: string]: unknown };

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function summarizeStats(records: readonly StatsRecord[]): CallStats {
  const byId = new Map(records.map((r) => [r.id, r]));
  const isAudio = (r: StatsRecord) => r.kind === 'audio' || r.mediaType === 'audio';
  const inbound = records.find((r) => r.type === 'inbound-rtp' && isAudio(r));
  const outbound = records.find((r) => r.type === 'outbound-rtp' && isAudio(r));
  const source = records.find((r) => r.type === 'media-source' && isAudio(r));
  const remoteInbound = records.find((r) => r.type === 'remote-inbound-rtp' && isAudio(r));

  const codecRecord = byId.get(String(inbound?.codecId ?? outbound?.codecId ?? ''));
  const codec = codecRecord ? `${String(codecRecord.mimeType ?? '').replace(/^audio\//i, '')}/${num(codecRecord.clockRate) ?? '?'}` : null;

  // RTT: the selected ICE pair answers within a second of connecting; RTCP RTT comes later.
  const transport = records.find((r) => r.type === 'transport');
  const pair =
    byId.get(String(transport?.selectedCandidatePairId ?? '')) ??
    records.find((r) => r.type === 'candidate-pair' && r.nominated === true && r.state === 'succeeded');
  const rttSeconds = num(pair?.currentRoundTripTime) ?? num(remoteInbound?.roundTripTime);
  const rttMs = rttSeconds === null ? null : rttSeconds * 1000;

  const packetsReceived = num(inbound?.packetsReceived) ?? 0;
  const packetsLost = Math.max(0, num(inbound?.packetsLost) ?? 0);
  const jitterSeconds = num(inbound?.jitter);
  const jitterMs = jitterSeconds === null ? null : jitterSeconds * 1000;
  const lossFraction = packetsReceived + packetsLost > 0 ? packetsLost / (packetsReceived + packetsLost) : 0;

  return {
    codec,
    inboundAudioLevel: clamp01(num(inbound?.audioLevel) ?? 0),
    outboundAudioLevel: clamp01(num(source?.audioLevel) ?? 0),
    packetsReceived,
    packetsSent: num(outbound?.packetsSent) ?? 0,
    packetsLost,
    jitterMs,
    rttMs,
    mos: packetsReceived > 0 && rttMs !== null ? estimateMos({ rttMs, jitterMs: jitterMs ?? 0, lossFraction }) : null,
  };
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));
