import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeQuality, lossPercent, mosLabel } from '../../../../renderer/state/quality.js';
import { stats } from '../fixtures.js';

test('call quality figures: loss share, MOS bands, clamped meter levels, dashes before any stats', () => {
  assert.equal(lossPercent({ packetsReceived: 990, packetsLost: 10 }), 1);
  assert.equal(lossPercent({ packetsReceived: 0, packetsLost: 0 }), null);
  assert.equal(mosLabel(4.4), 'Excellent');
  assert.equal(mosLabel(4.0), 'Good');
  assert.equal(mosLabel(3.7), 'Fair');
  assert.equal(mosLabel(3.2), 'Poor');
  assert.equal(mosLabel(2.0), 'Bad');
  const view = describeQuality(stats({ inboundAudioLevel: 1.7, outboundAudioLevel: -1, packetsLost: 3, packetsReceived: 997 }));
  assert.equal(view.inLevel, 1);
  assert.equal(view.outLevel, 0);
  assert.deepEqual(Object.fromEntries(view.facts), {
    Codec: 'opus/48000',
    'Round trip': '42 ms',
    Jitter: '4 ms',
    'Packet loss': '0.3 %',
    MOS: '4.3 (Excellent)',
  });
  const none = describeQuality(null);
  assert.equal(none.inLevel, 0);
  assert.ok(none.facts.every(([, value]) => value === '—'));
  assert.equal(Object.fromEntries(describeQuality(stats({ rttMs: null, mos: null })).facts)['Round trip'], '—');
});
