import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { delayImpairment, estimateMos, lossImpairment, mosFromR } from '../../../../common/quality/mos.js';

/** The path-quality step's view of the model: loss in percent, as the probe stream measures it. */
const mos = ({ lossPercent, ...rest }: { rttMs: number; jitterMs: number; lossPercent: number }) =>
  estimateMos({ ...rest, lossFraction: lossPercent / 100 });
import { clockOffset, pathStats, type ProbeSample } from '../../../../main/diagnostics/path-stats.js';

describe('MOS (G.107 E-model, common/quality/mos.ts; its reference points are in test/unit/common/quality)', () => {
  it('a perfect LAN path scores 4.41, the E-model ceiling with default parameters', () => {
    assert.equal(mos({ rttMs: 0, jitterMs: 0, lossPercent: 0 }), 4.41);
  });

  it('10% loss drops it to about 3.4; 760 ms RTT (400 ms mouth to ear) below the "Fair" band', () => {
    const lossy = mos({ rttMs: 2, jitterMs: 1, lossPercent: 10 });
    assert.ok(lossy > 3.2 && lossy < 3.6, `got ${lossy}`);
    assert.ok(mos({ rttMs: 760, jitterMs: 0, lossPercent: 0 }) < 3.6);
    assert.ok(mos({ rttMs: 300, jitterMs: 0, lossPercent: 0 }) > 4.0, 'moderate delay alone still rates well');
  });

  it('gets worse as each figure gets worse', () => {
    const base = { rttMs: 150, jitterMs: 5, lossPercent: 1 };
    assert.ok(mos({ ...base, rttMs: 400 }) < mos(base));
    assert.ok(mos({ ...base, jitterMs: 60 }) < mos(base));
    assert.ok(mos({ ...base, lossPercent: 5 }) < mos(base));
  });

  it('delay costs nothing up to 100 ms mouth to ear; loss saturates below 95; MOS clamped 1–4.5', () => {
    assert.equal(delayImpairment(100), 0);
    assert.ok(delayImpairment(300) > delayImpairment(200));
    assert.ok(lossImpairment(100) < 95 && lossImpairment(100) > 75);
    assert.equal(mosFromR(-5), 1);
    assert.equal(mosFromR(120), 4.5);
  });
});

describe('path statistics', () => {
  const sample = (seq: number, sentMs: number, receivedMs: number | null, arrivalIndex: number | null): ProbeSample => ({
    seq,
    sentMs,
    receivedMs,
    arrivalIndex,
  });

  it('measures loss, RTT, jitter and reordering', () => {
    const s = pathStats([
      sample(0, 0, 10, 0),
      sample(1, 20, 34, 2), // arrived after seq 2: reordered
      sample(2, 40, 50, 1),
      sample(3, 60, null, null),
    ]);
    assert.equal(s.sent, 4);
    assert.equal(s.received, 3);
    assert.equal(s.lossPercent, 25);
    assert.equal(s.rttMinMs, 10);
    assert.equal(s.rttMaxMs, 14);
    assert.equal(s.rttAvgMs, 11.33);
    assert.equal(s.jitterMs, 4, 'mean |ΔRTT| over 10→14→10');
    assert.equal(s.reordered, 1);
  });

  it('reports nulls when nothing came back', () => {
    const s = pathStats([sample(0, 0, null, null)]);
    assert.equal(s.lossPercent, 100);
    assert.equal(s.rttAvgMs, null);
    assert.equal(s.jitterMs, null);
  });

  it('clock offset uses the fastest exchange', () => {
    const o = clockOffset([
      { sentMs: 1000, serverMs: 6100, receivedMs: 1200 }, // slow: offset guess 5000 ± 100
      { sentMs: 2000, serverMs: 7010, receivedMs: 2020 }, // fast: 5000 ± 10
    ]);
    assert.deepEqual(o, { offsetMs: 5000, uncertaintyMs: 10 });
    assert.equal(clockOffset([]), null);
  });
});
