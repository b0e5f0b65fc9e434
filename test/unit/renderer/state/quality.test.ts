import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeIndicator, describeQuality, mosLabel } from '../../../../renderer/state/quality.js';
import { NO_QUALITY } from '../../../../renderer/calling/quality-monitor.js';
import { NO_WARNINGS } from '../../../../renderer/calling/quality-warnings.js';
import { DEFAULT_QUALITY_THRESHOLDS } from '../../../../common/quality/quality-thresholds.js';
import { sample, stats } from '../fixtures.js';

test('call quality figures from the latest sample, clamped meter levels, dashes before any sample', () => {
  assert.equal(mosLabel(4.4), 'Excellent');
  assert.equal(mosLabel(3.2), 'Poor');
  const view = describeQuality(
    stats({ inboundAudioLevel: 1.7, outboundAudioLevel: -1 }),
    sample({ lossPercent: 0.3, rttMs: 41.6, mos: 4.33 }),
  );
  assert.equal(view.inLevel, 1);
  assert.equal(view.outLevel, 0);
  assert.deepEqual(Object.fromEntries(view.facts), {
    Codec: 'opus/48000',
    'Round trip': '42 ms',
    Jitter: '4 ms',
    'Packet loss': '0.3 %',
    Concealed: '0 %',
    Bitrate: '40 in / 40 out kbit/s',
    Path: 'host → host',
    MOS: '4.3 (Excellent)',
  });
  const none = describeQuality(null, null);
  assert.equal(none.inLevel, 0);
  assert.ok(none.facts.every(([, value]) => value === '—'));
});

test('indicator: measuring, good, warnings with their figures, one-way audio with causes', () => {
  assert.equal(describeIndicator(null, DEFAULT_QUALITY_THRESHOLDS).summary, 'Measuring…');
  const good = describeIndicator({ ...NO_QUALITY, samples: [sample({ mos: 4.41 })] }, DEFAULT_QUALITY_THRESHOLDS);
  assert.deepEqual([good.summary, good.level, good.warnings], ['MOS 4.4 Excellent', 'good', []]);
  const lossy = describeIndicator(
    {
      samples: [sample({ lossPercent: 12.5, mos: 3.1 })],
      warnings: { ...NO_WARNINGS, loss: { raised: true, streak: 0 } },
      oneWay: { direction: null, noInboundStreak: 0, noOutboundStreak: 0 },
    },
    DEFAULT_QUALITY_THRESHOLDS,
  );
  assert.equal(lossy.level, 'warn');
  assert.deepEqual(lossy.warnings, ['Packet loss: 13 % lost (limit 1 %)']);
  const deaf = describeIndicator(
    { ...NO_QUALITY, samples: [sample({ mos: null })], oneWay: { direction: 'no-inbound', noInboundStreak: 3, noOutboundStreak: 0 } },
    DEFAULT_QUALITY_THRESHOLDS,
  );
  assert.equal(deaf.level, 'bad');
  assert.match(deaf.oneWay!.title, /you cannot hear the other side/);
});
