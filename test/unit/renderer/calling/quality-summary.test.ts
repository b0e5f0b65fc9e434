import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallQualityReportSchema } from '../../../../common/quality/call-quality-report.js';
import { NO_QUALITY } from '../../../../renderer/calling/quality-monitor.js';
import { summarizeQuality } from '../../../../renderer/calling/quality-summary.js';
import { NO_WARNINGS } from '../../../../renderer/calling/quality-warnings.js';
import { sample } from '../fixtures.js';

test('a summary: latest, average and worst MOS and loss, mean RTT and jitter over the samples that had them', () => {
  const quality = {
    samples: [
      sample({ mos: null, rttMs: null, lossPercent: null, codec: null }),
      sample({ mos: 4.4, rttMs: 40, jitterMs: 4, lossPercent: 0 }),
      sample({ mos: 2.5, rttMs: 60, jitterMs: 10, lossPercent: 12.5 }),
      sample({ mos: 3.333, rttMs: 50, jitterMs: 7, lossPercent: 5, codec: 'PCMU/8000' }),
    ],
    warnings: { ...NO_WARNINGS, loss: { raised: true, streak: 0 } },
    oneWay: { direction: 'no-inbound' as const, noInboundStreak: 3, noOutboundStreak: 0 },
  };
  const report = summarizeQuality('abc@host', quality, true);
  assert.deepEqual(report, {
    callId: 'abc@host',
    final: true,
    codec: 'PCMU/8000',
    samples: 4,
    mosLatest: 3.33,
    mosAverage: 3.41, // (4.4 + 2.5 + 3.333) / 3 = 3.411
    mosMin: 2.5,
    lossPercentAverage: 5.83, // (0 + 12.5 + 5) / 3
    lossPercentMax: 12.5,
    rttMsAverage: 50,
    jitterMsAverage: 6.25, // (4 + 4 + 10 + 7) / 4: the first sample had jitter
    warnings: ['loss'],
    oneWay: 'no-inbound',
  });
  assert.equal(CallQualityReportSchema.safeParse(report).success, true, 'the control plane accepts it');
});

test('a call without samples yet: every figure unknown, still a valid report', () => {
  const report = summarizeQuality('x', NO_QUALITY, false);
  assert.equal(report.samples, 0);
  assert.equal(report.mosLatest, null);
  assert.equal(report.lossPercentMax, null);
  assert.equal(CallQualityReportSchema.safeParse(report).success, true);
});
