import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mediaLeavesOverUdp, summarizeStats, type StatsRecord } from '../../../../renderer/calling/call-stats.js';

const report: StatsRecord[] = [
  { type: 'codec', id: 'C1', mimeType: 'audio/opus', clockRate: 48000 },
  {
    type: 'inbound-rtp',
    id: 'I1',
    kind: 'audio',
    timestamp: 5000.5,
    codecId: 'C1',
    packetsReceived: 950,
    packetsLost: 50,
    bytesReceived: 76_000,
    concealedSamples: 2400,
    totalSamplesReceived: 480_000,
    jitter: 0.004,
    audioLevel: 0.31,
  },
  { type: 'outbound-rtp', id: 'O1', kind: 'audio', codecId: 'C1', packetsSent: 1000, bytesSent: 80_000 },
  { type: 'media-source', id: 'S1', kind: 'audio', audioLevel: 0.5 },
  { type: 'transport', id: 'T1', selectedCandidatePairId: 'P1' },
  {
    type: 'candidate-pair',
    id: 'P1',
    currentRoundTripTime: 0.02,
    nominated: true,
    state: 'succeeded',
    localCandidateId: 'L1',
    remoteCandidateId: 'R1',
  },
  { type: 'local-candidate', id: 'L1', candidateType: 'srflx' },
  { type: 'remote-candidate', id: 'R1', candidateType: 'relay' },
  { type: 'inbound-rtp', id: 'V1', kind: 'video', packetsReceived: 99999 },
];

test('audio stats: codec, levels, cumulative counters, jitter/RTT in ms, candidate types of the selected pair', () => {
  assert.deepEqual(summarizeStats(report), {
    timestampMs: 5000.5,
    codec: 'opus/48000',
    inboundAudioLevel: 0.31,
    outboundAudioLevel: 0.5,
    packetsReceived: 950,
    packetsSent: 1000,
    packetsLost: 50,
    bytesReceived: 76_000,
    bytesSent: 80_000,
    concealedSamples: 2400,
    totalSamplesReceived: 480_000,
    jitterMs: 4,
    rttMs: 20,
    localCandidateType: 'srflx',
    remoteCandidateType: 'relay',
  });
});

test('RTT falls back to RTCP remote-inbound-rtp; negative cumulative loss (duplicates) reads as 0', () => {
  const s = summarizeStats([
    { type: 'inbound-rtp', id: 'I', kind: 'audio', packetsReceived: 0, packetsLost: -3 },
    { type: 'remote-inbound-rtp', id: 'R', kind: 'audio', roundTripTime: 0.1 },
  ]);
  assert.equal(s.rttMs, 100);
  assert.equal(s.packetsLost, 0);
  assert.equal(s.codec, null);
  assert.equal(s.localCandidateType, null);
});

test('an empty report gives zeros and nulls, not exceptions', () => {
  assert.deepEqual(summarizeStats([]), {
    timestampMs: 0,
    codec: null,
    inboundAudioLevel: 0,
    outboundAudioLevel: 0,
    packetsReceived: 0,
    packetsSent: 0,
    packetsLost: 0,
    bytesReceived: 0,
    bytesSent: 0,
    concealedSamples: 0,
    totalSamplesReceived: 0,
    jitterMs: null,
    rttMs: null,
    localCandidateType: null,
    remoteCandidateType: null,
  });
});

test('media leaves over UDP: a host or reflexive UDP candidate, or a relay reached over UDP; not over TCP, TURN TCP/TLS, or with no pair selected', () => {
  const path = (local: Record<string, unknown>): StatsRecord[] => [
    { type: 'transport', id: 'T', selectedCandidatePairId: 'P' },
    { type: 'candidate-pair', id: 'P', localCandidateId: 'L', remoteCandidateId: 'R' },
    { type: 'local-candidate', id: 'L', ...local },
  ];
  assert.equal(mediaLeavesOverUdp(path({ candidateType: 'host', protocol: 'udp' })), true);
  assert.equal(mediaLeavesOverUdp(path({ candidateType: 'srflx', protocol: 'UDP' })), true);
  assert.equal(mediaLeavesOverUdp(path({ candidateType: 'relay', protocol: 'udp', relayProtocol: 'udp' })), true);
  assert.equal(
    mediaLeavesOverUdp(path({ candidateType: 'relay', protocol: 'udp', relayProtocol: 'tcp' })),
    false,
    'the relay side is UDP always',
  );
  assert.equal(mediaLeavesOverUdp(path({ candidateType: 'relay', protocol: 'udp', relayProtocol: 'tls' })), false);
  assert.equal(mediaLeavesOverUdp(path({ candidateType: 'host', protocol: 'tcp' })), false);
  assert.equal(mediaLeavesOverUdp([]), false);
});
