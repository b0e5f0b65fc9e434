import type { CallSnapshot, CallStats } from '../../../renderer/calling/phone-api.js';
import type { QualitySample } from '../../../renderer/calling/quality-sample.js';

/** Builders for snapshot values in the UI's unit tests (plain data, no behaviour). */

export function call(overrides: Partial<CallSnapshot> = {}): CallSnapshot {
  return {
    id: 'call-1',
    direction: 'outbound',
    peer: '5550100',
    peerDisplayName: null,
    state: 'active',
    muted: false,
    held: false,
    startedAt: 1_000,
    answeredAt: null,
    endedAt: null,
    endReason: null,
    message: null,
    microphoneFallback: false,
    sipCallId: 'sip-call-id-1',
    ...overrides,
  };
}

export function stats(overrides: Partial<CallStats> = {}): CallStats {
  return {
    timestampMs: 10_000,
    codec: 'opus/48000',
    inboundAudioLevel: 0.2,
    outboundAudioLevel: 0.3,
    packetsReceived: 990,
    packetsSent: 1000,
    packetsLost: 10,
    bytesReceived: 99_000,
    bytesSent: 100_000,
    concealedSamples: 480,
    totalSamplesReceived: 960_000,
    jitterMs: 4.2,
    rttMs: 41.6,
    localCandidateType: 'host',
    remoteCandidateType: 'host',
    ...overrides,
  };
}

export function sample(overrides: Partial<QualitySample> = {}): QualitySample {
  return {
    atMs: 10_000,
    intervalMs: 1000,
    codec: 'opus/48000',
    rttMs: 40,
    jitterMs: 4,
    lossPercent: 0,
    concealmentPercent: 0,
    packetsReceived: 50,
    packetsSent: 50,
    inboundKbps: 40,
    outboundKbps: 40,
    localCandidateType: 'host',
    remoteCandidateType: 'host',
    mos: 4.4,
    ...overrides,
  };
}
