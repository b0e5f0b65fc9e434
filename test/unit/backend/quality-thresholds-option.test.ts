import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQualityThresholds } from '../../../backend/quality-thresholds-option.js';

test('--quality-thresholds: every key, or some (the rest keep the defaults RTT 400 ms, jitter 30 ms, loss 1 %, MOS 3.5)', () => {
  assert.deepEqual(parseQualityThresholds('rtt=300,jitter=20,loss=2.5,mos=3.8'), { rttMs: 300, jitterMs: 20, lossPercent: 2.5, mos: 3.8 });
  assert.deepEqual(parseQualityThresholds(' loss=0.5 '), { rttMs: 400, jitterMs: 30, lossPercent: 0.5, mos: 3.5 });
});

test('--quality-thresholds typos get an error naming the key, the valid keys and an example', () => {
  assert.throws(
    () => parseQualityThresholds('latency=300'),
    /unknown "latency" \(the keys are rtt, jitter, loss, mos\); e\.g\. --quality-thresholds rtt=400/,
  );
  assert.throws(() => parseQualityThresholds('rtt=300ms'), /rtt needs one number \(got "rtt=300ms"\)/);
  assert.throws(() => parseQualityThresholds('rtt'), /rtt needs one number/);
  assert.throws(() => parseQualityThresholds('rtt=1=2'), /rtt needs one number/);
  assert.throws(() => parseQualityThresholds('rtt=300,rtt=400'), /"rtt" is given twice/);
  assert.throws(() => parseQualityThresholds(''), /unknown ""/);
});

test('--quality-thresholds out of range: MOS outside 1–4.5, loss over 100 %, a zero limit', () => {
  assert.throws(() => parseQualityThresholds('mos=4.6'), /mos=4\.6 is out of range/);
  assert.throws(() => parseQualityThresholds('loss=150'), /loss=150 is out of range/);
  assert.throws(() => parseQualityThresholds('jitter=0'), /jitter=0 is out of range/);
});
