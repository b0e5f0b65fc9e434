import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateMos, mosFromR, rFactor } from '../../../../common/quality/mos.js';

test('a clean LAN call scores near the E-model ceiling (~4.4)', () => {
  const mos = estimateMos({ rttMs: 2, jitterMs: 1, lossFraction: 0 });
  assert.ok(mos > 4.3 && mos <= 4.5, `mos ${mos}`);
});

test('MOS falls monotonically with loss, delay and jitter', () => {
  const base = { rttMs: 50, jitterMs: 5, lossFraction: 0 };
  const clean = estimateMos(base);
  const lossy = estimateMos({ ...base, lossFraction: 0.05 });
  const laggy = estimateMos({ ...base, rttMs: 600 });
  const jittery = estimateMos({ ...base, jitterMs: 80 });
  assert.ok(lossy < clean && laggy < clean && jittery < clean, JSON.stringify({ clean, lossy, laggy, jittery }));
  assert.ok(estimateMos({ ...base, lossFraction: 0.1 }) < lossy);
});

test('known points: 5 % loss at 100 ms RTT is still "good" but clearly impaired (3.6–4.0); 20 % loss is poor (< 2.6)', () => {
  const fair = estimateMos({ rttMs: 100, jitterMs: 5, lossFraction: 0.05 });
  assert.ok(fair > 3.6 && fair < 4.0, `mos ${fair}`);
  const poor = estimateMos({ rttMs: 100, jitterMs: 5, lossFraction: 0.2 });
  assert.ok(poor < 2.6, `mos ${poor}`);
});

test('R → MOS mapping is bounded 1..4.5', () => {
  assert.equal(mosFromR(-10), 1);
  assert.equal(mosFromR(120), 4.5);
  assert.ok(Math.abs(mosFromR(93.2) - 4.41) < 0.01);
});

test('invalid figures are refused', () => {
  assert.throws(() => rFactor({ rttMs: Number.NaN, jitterMs: 0, lossFraction: 0 }), /invalid figures/);
  assert.throws(() => rFactor({ rttMs: -1, jitterMs: 0, lossFraction: 0 }), /invalid figures/);
});
