import type { CallSnapshot, CallStats } from '../../../renderer/calling/phone-api.js';

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
    ...overrides,
  };
}

export function stats(overrides: Partial<CallStats> = {}): CallStats {
  return {
    codec: 'opus/48000',
    inboundAudioLevel: 0.2,
    outboundAudioLevel: 0.3,
    packetsReceived: 990,
    packetsSent: 1000,
    packetsLost: 10,
    jitterMs: 4.2,
    rttMs: 41.6,
    mos: 4.31,
    ...overrides,
  };
}
