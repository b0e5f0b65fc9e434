import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toQualitySample } from '../../../../renderer/calling/quality-sample.js';
import { stats } from '../fixtures.js';

test('loss is per interval: a burst late in a long call shows in full', () => {
  // 10 minutes in: 30,000 received, 30 lost (0.1 % over the call). In the next second 40 arrive, 10 are lost.
  const before = stats({ timestampMs: 600_000, packetsReceived: 30_000, packetsLost: 30 });
  const after = stats({ timestampMs: 601_000, packetsReceived: 30_040, packetsLost: 40 });
  const s = toQualitySample(before, after);
  assert.equal(s.lossPercent, 20, '10 lost of 50 due in this second, not 40 of 30,080 over the call');
  assert.equal(s.packetsReceived, 40);
  assert.equal(s.intervalMs, 1000);
  // E-model with 20 % loss (opus: Ie 0, Bpl 25.1): Ie,eff = 95·20/45.1 = 42.13; R = 93.2 − 42.13 = 51.07;
  // MOS = 1 + 1.787 + 7e-6·51.07·(−8.93)·48.93 = 2.787 − 0.156 = 2.63.
  assert.equal(s.mos, 2.63);
});

test('bitrate, concealment, candidate types and codec from the interval', () => {
  const before = stats({
    timestampMs: 1000,
    bytesReceived: 10_000,
    bytesSent: 20_000,
    concealedSamples: 100,
    totalSamplesReceived: 48_000,
  });
  const after = stats({
    timestampMs: 2000,
    bytesReceived: 15_000, // 5,000 bytes in 1 s = 40 kbit/s
    bytesSent: 26_000, // 6,000 bytes = 48 kbit/s
    concealedSamples: 580, // 480 of 48,000 = 1 %
    totalSamplesReceived: 96_000,
    localCandidateType: 'relay',
  });
  const s = toQualitySample(before, after);
  assert.equal(s.inboundKbps, 40);
  assert.equal(s.outboundKbps, 48);
  assert.equal(s.concealmentPercent, 1);
  assert.equal(s.localCandidateType, 'relay');
  assert.equal(s.codec, 'opus/48000');
});

test('nothing due → loss and MOS unknown, not 0 % and perfect; RTT unknown → MOS unknown', () => {
  const same = stats({ timestampMs: 2000 });
  const s = toQualitySample(stats({ timestampMs: 1000 }), same);
  assert.equal(s.lossPercent, null);
  assert.equal(s.mos, null);
  assert.equal(s.packetsReceived, 0);
  const noRtt = toQualitySample(stats({ timestampMs: 1000 }), stats({ timestampMs: 2000, packetsReceived: 1040, rttMs: null }));
  assert.equal(noRtt.lossPercent, 0);
  assert.equal(noRtt.mos, null);
});

test('a counter that went back (new SSRC after an ICE restart) counts from zero, never negative', () => {
  const s = toQualitySample(
    stats({ timestampMs: 1000, packetsReceived: 5000, packetsLost: 20 }),
    stats({ timestampMs: 2000, packetsReceived: 48, packetsLost: 2 }),
  );
  assert.equal(s.packetsReceived, 48);
  assert.equal(s.lossPercent, 4);
});
