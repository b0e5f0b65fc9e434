import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarizeStats, type StatsRecord } from '../../../../renderer/calling/call-stats.js';

const report: StatsRecord[] = [
  { type: 'codec', id: 'C1', mimeType: 'audio/opus', clockRate: 48000 },
  { type: 'inbound-rtp', id: 'I1', kind: 'audio', codecId: 'C1', packetsReceived: 950, packetsLost: 50, jitter: 0.004, audioLevel: 0.31 },
  { type: 'outbound-rtp', id: 'O1', kind: 'audio', codecId: 'C1', packetsSent: 1000 },
  { type: 'media-source', id: 'S1', kind: 'audio', audioLevel: 0.5 },
  { type: 'transport', id: 'T1', selectedCandidatePairId: 'P1' },
  { type: 'candidate-pair', id: 'P1', currentRoundTripTime: 0.02, nominated: true, state: 'succeeded' },
  { type: 'inbound-rtp', id: 'V1', kind: 'video', packetsReceived: 99999 },
];

test('audio stats: codec, levels, packets, jitter/RTT in ms, MOS from loss 5 %', () => {
  const s = summarizeStats(report);
  assert.equal(s.codec, 'opus/48000');
  assert.equal(s.inboundAudioLevel, 0.31);
  assert.equal(s.outboundAudioLevel, 0.5);
  assert.equal(s.packetsReceived, 950);
  assert.equal(s.packetsSent, 1000);
  assert.equal(s.packetsLost, 50);
  assert.equal(s.jitterMs, 4);
  assert.equal(s.rttMs, 20);
  assert.ok(s.mos !== null && s.mos > 3.6 && s.mos < 4.1, `mos ${s.mos}`);
});

test('RTT falls back to RTCP remote-inbound-rtp; no packets yet → MOS null', () => {
  const s = summarizeStats([
    { type: 'inbound-rtp', id: 'I', kind: 'audio', packetsReceived: 0 },
    { type: 'remote-inbound-rtp', id: 'R', kind: 'audio', roundTripTime: 0.1 },
  ]);
  assert.equal(s.rttMs, 100);
  assert.equal(s.mos, null);
  assert.equal(s.codec, null);
  assert.equal(s.inboundAudioLevel, 0);
});

test('an empty report gives zeros and nulls, not exceptions', () => {
  assert.deepEqual(summarizeStats([]), {
    codec: null,
    inboundAudioLevel: 0,
    outboundAudioLevel: 0,
    packetsReceived: 0,
    packetsSent: 0,
    packetsLost: 0,
    jitterMs: null,
    rttMs: null,
    mos: null,
  });
});
