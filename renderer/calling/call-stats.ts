import type { CallStats } from './phone-api.js';

/**
 * One `RTCPeerConnection.getStats()` report → `CallStats` (cumulative counters, levels, RTT,
 * jitter, codec, candidate types). Pure over plain records so it is unit tested with literal stats
 * objects; the core passes `[...report.values()]`. Interval figures and MOS are the sampler's
 * (quality-sample.ts), because they need the previous report too.
 */
export type StatsRecord = { readonly type: string; readonly id: string; readonly [key: string]: unknown };

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

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
  const pair = selectedPair(records, byId);
  const rttSeconds = num(pair?.currentRoundTripTime) ?? num(remoteInbound?.roundTripTime);
  const jitterSeconds = num(inbound?.jitter);

  return {
    timestampMs: num(inbound?.timestamp) ?? num(outbound?.timestamp) ?? num(transport?.timestamp) ?? 0,
    codec,
    inboundAudioLevel: clamp01(num(inbound?.audioLevel) ?? 0),
    outboundAudioLevel: clamp01(num(source?.audioLevel) ?? 0),
    packetsReceived: num(inbound?.packetsReceived) ?? 0,
    packetsSent: num(outbound?.packetsSent) ?? 0,
    // RFC 3550 cumulative loss goes negative when duplicates outnumber losses.
    packetsLost: Math.max(0, num(inbound?.packetsLost) ?? 0),
    bytesReceived: num(inbound?.bytesReceived) ?? 0,
    bytesSent: num(outbound?.bytesSent) ?? 0,
    concealedSamples: num(inbound?.concealedSamples) ?? 0,
    totalSamplesReceived: num(inbound?.totalSamplesReceived) ?? 0,
    jitterMs: jitterSeconds === null ? null : jitterSeconds * 1000,
    rttMs: rttSeconds === null ? null : rttSeconds * 1000,
    localCandidateType: str(byId.get(String(pair?.localCandidateId ?? ''))?.candidateType),
    remoteCandidateType: str(byId.get(String(pair?.remoteCandidateId ?? ''))?.candidateType),
  };
}

/** The ICE candidate pair the media goes over. */
function selectedPair(records: readonly StatsRecord[], byId: ReadonlyMap<string, StatsRecord>): StatsRecord | undefined {
  const transport = records.find((r) => r.type === 'transport');
  return (
    byId.get(String(transport?.selectedCandidatePairId ?? '')) ??
    records.find((r) => r.type === 'candidate-pair' && r.nominated === true && r.state === 'succeeded')
  );
}

/**
 * Whether our media leaves over UDP: the selected pair's local candidate is a host or reflexive
 * UDP candidate, or a relay reached over UDP (its relayProtocol; its `protocol` is the relay's
 * side, UDP always). False over TCP or a TURN TCP/TLS relay, and when no pair is selected.
 */
export function mediaLeavesOverUdp(records: readonly StatsRecord[]): boolean {
  const byId = new Map(records.map((r) => [r.id, r]));
  const local = byId.get(String(selectedPair(records, byId)?.localCandidateId ?? ''));
  if (!local) return false;
  const protocol = local.candidateType === 'relay' ? local.relayProtocol : local.protocol;
  return str(protocol)?.toLowerCase() === 'udp';
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));
