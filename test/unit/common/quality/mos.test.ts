import { test } from 'node:test';
import assert from 'node:assert/strict';
import { delayImpairment, estimateMos, lossImpairment, mosFromR, rFactor } from '../../../../common/quality/mos.js';
import { codecImpairment } from '../../../../common/quality/codec-impairments.js';

/**
 * The E-model against reference points worked out by hand from the formulas in ITU-T G.107 (the
 * arithmetic is in each comment), never by calling the code under test.
 */
const close = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: expected ${expected} ± ${tolerance}, got ${actual}`);

test('R → MOS (G.107 Annex B) at published points, clamped to [1, 4.5] at both ends', () => {
  // R = 93.2 (G.107's default connection): 1 + 0.035·93.2 + 7e-6·93.2·33.2·6.8
  //   = 1 + 3.262 + 7e-6·21040.8 = 4.262 + 0.14729 = 4.4093 — the "default MOS ≈ 4.41" of G.107.
  close(mosFromR(93.2), 4.4093, 0.0005, 'R 93.2');
  // R = 50: 1 + 1.75 + 7e-6·50·(−10)·50 = 2.75 − 0.175 = 2.575.
  close(mosFromR(50), 2.575, 1e-9, 'R 50');
  // R = 80: 1 + 2.8 + 7e-6·80·20·20 = 3.8 + 0.224 = 4.024.
  close(mosFromR(80), 4.024, 1e-9, 'R 80');
  // R = 100: 1 + 3.5 + 0 = 4.5 (the top of the scale); R > 100 stays 4.5.
  assert.equal(mosFromR(100), 4.5);
  assert.equal(mosFromR(130), 4.5);
  // R = 0: 1 (G.107: MOS = 1 for R < 0); R = −20 stays 1.
  assert.equal(mosFromR(0), 1);
  assert.equal(mosFromR(-20), 1);
  // R = 5: the cubic gives 1 + 0.175 + 7e-6·5·(−55)·95 = 1.175 − 0.182875 = 0.992125 < 1: clamped.
  assert.equal(mosFromR(5), 1);
  assert.equal(mosFromR(Number.NaN), 1);
});

test('MOS never decreases as R increases (the clamp removes the dip below R ≈ 6.5)', () => {
  let previous = mosFromR(-10);
  for (let r = -10; r <= 110; r += 0.25) {
    const m = mosFromR(r);
    assert.ok(m >= previous - 1e-12, `MOS(${r}) = ${m} < MOS(${r - 0.25}) = ${previous}`);
    assert.ok(m >= 1 && m <= 4.5, `MOS(${r}) = ${m} outside [1, 4.5]`);
    previous = m;
  }
});

test('Idd (G.107 delay impairment) at hand-computed delays', () => {
  // Ta ≤ 100 ms: no impairment.
  assert.equal(delayImpairment(0), 0);
  assert.equal(delayImpairment(100), 0);
  // Ta = 200 ms: X = log2(2) = 1; 25·{2^⅙ − 3·(1 + 3⁻⁶)^⅙ + 2} = 25·{1.122462 − 3·1.000228 + 2}
  //   = 25·0.121777 = 3.0444.
  close(delayImpairment(200), 3.0444, 0.001, 'Idd(200)');
  // Ta = 400 ms: X = 2; 25·{65^⅙ − 3·(1 + (2/3)⁶)^⅙ + 2} = 25·{2.005140 − 3·1.014124 + 2}
  //   = 25·0.962768 = 24.07.
  close(delayImpairment(400), 24.07, 0.01, 'Idd(400)');
});

test('Ie,eff for G.711 with PLC (G.113: Ie 0, Bpl 25.1) and the codec table', () => {
  // 1 % random loss: 0 + 95·1/(1 + 25.1) = 95/26.1 = 3.6398.
  close(lossImpairment(1, 'PCMU/8000'), 3.6398, 0.0001, 'Ie,eff(1 %)');
  // 10 %: 95·10/35.1 = 27.066.
  close(lossImpairment(10, 'PCMA/8000'), 27.066, 0.001, 'Ie,eff(10 %)');
  // 100 %: 95·100/125.1 = 75.94 (saturating towards 95).
  close(lossImpairment(100, 'opus/48000'), 75.94, 0.01, 'Ie,eff(100 %)');
  assert.equal(lossImpairment(0, 'opus/48000'), 0);
  assert.deepEqual(codecImpairment('audio/opus'), { ie: 0, bpl: 25.1, codecDelayMs: 26.5 });
  assert.deepEqual(codecImpairment('PCMU/8000'), { ie: 0, bpl: 25.1, codecDelayMs: 20 });
  assert.deepEqual(codecImpairment('G729/8000'), codecImpairment('PCMU'), 'an unknown codec is scored as G.711');
  assert.deepEqual(codecImpairment(null), codecImpairment('PCMU'));
});

test('whole model at hand-computed points', () => {
  // A clean LAN call: Ta = 1 + 2 + 20 = 23 ms (Idd 0), no loss: R = 93.2 → MOS 4.41.
  assert.equal(estimateMos({ rttMs: 2, jitterMs: 1, lossFraction: 0, codec: 'PCMU/8000' }), 4.41);
  // 1 % loss on G.711, LAN delay: R = 93.2 − 3.6398 = 89.560; MOS = 1 + 3.1346 + 7e-6·89.560·29.560·10.440
  //   = 4.1346 + 0.19347 = 4.328 → 4.33.
  assert.equal(estimateMos({ rttMs: 2, jitterMs: 1, lossFraction: 0.01, codec: 'PCMU/8000' }), 4.33);
  // RTT 760 ms, jitter 0, G.711: Ta = 380 + 0 + 20 = 400 ms, Idd = 24.070 (above).
  // R = 93.2 − 24.070 = 69.130; MOS = 1 + 2.41955 + 7e-6·69.130·9.130·30.870 = 3.41955 + 0.13639 = 3.556 → 3.56.
  assert.equal(estimateMos({ rttMs: 760, jitterMs: 0, lossFraction: 0, codec: 'PCMU/8000' }), 3.56);
  // Jitter counts twice in Ta: RTT 0 and jitter 190 ms with G.711 is Ta = 0 + 380 + 20 = 400 → 3.56 again.
  assert.equal(estimateMos({ rttMs: 0, jitterMs: 190, lossFraction: 0, codec: 'PCMU/8000' }), 3.56);
  // Total loss: R = 93.2 − 75.94 = 17.26; MOS = 1 + 0.6041 + 7e-6·17.26·(−42.74)·82.74 = 1.6041 − 0.4273 = 1.18.
  assert.equal(estimateMos({ rttMs: 20, jitterMs: 2, lossFraction: 1, codec: 'opus/48000' }), 1.18);
  // Total loss and 2 s mouth-to-ear: R far below 6.5 → clamped to 1, never below.
  assert.equal(estimateMos({ rttMs: 4000, jitterMs: 0, lossFraction: 1 }), 1);
});

test('monotone in each impairment: worse RTT, jitter or loss never raises the score', () => {
  const codecs = ['opus/48000', 'PCMU/8000'];
  for (const codec of codecs) {
    for (const base of [
      { rttMs: 20, jitterMs: 2, lossFraction: 0 },
      { rttMs: 300, jitterMs: 40, lossFraction: 0.05 },
    ]) {
      let last = rFactor({ ...base, codec });
      for (let rtt = base.rttMs; rtt <= 3000; rtt += 10) {
        const r = rFactor({ ...base, rttMs: rtt, codec });
        assert.ok(r <= last + 1e-9, `R rose with RTT ${rtt} (${codec})`);
        last = r;
      }
      last = rFactor({ ...base, codec });
      for (let jitter = base.jitterMs; jitter <= 1000; jitter += 5) {
        const r = rFactor({ ...base, jitterMs: jitter, codec });
        assert.ok(r <= last + 1e-9, `R rose with jitter ${jitter} (${codec})`);
        last = r;
      }
      last = rFactor({ ...base, codec });
      for (let loss = base.lossFraction; loss <= 1; loss += 0.005) {
        const r = rFactor({ ...base, lossFraction: loss, codec });
        assert.ok(r <= last + 1e-9, `R rose with loss ${loss} (${codec})`);
        last = r;
      }
    }
  }
});

test('invalid figures are refused with what was wrong', () => {
  assert.throws(() => rFactor({ rttMs: Number.NaN, jitterMs: 0, lossFraction: 0 }), /invalid figures rtt=NaN/);
  assert.throws(() => rFactor({ rttMs: -1, jitterMs: 0, lossFraction: 0 }), /invalid figures rtt=-1/);
});
