import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CLEAR_AFTER,
  NO_WARNINGS,
  RAISE_AFTER,
  nextWarnings,
  raisedMetrics,
  type WarningState,
} from '../../../../renderer/calling/quality-warnings.js';
import { DEFAULT_QUALITY_THRESHOLDS } from '../../../../common/quality/quality-thresholds.js';
import { sample } from '../fixtures.js';
import type { QualitySample } from '../../../../renderer/calling/quality-sample.js';

const run = (samples: QualitySample[], from: WarningState = NO_WARNINGS) =>
  samples.reduce((state, s) => nextWarnings(state, s, DEFAULT_QUALITY_THRESHOLDS), from);
const times = (n: number, s: QualitySample) => Array.from({ length: n }, () => s);

test(`raised after ${RAISE_AFTER} bad samples in a row, not before; one good sample restarts the count`, () => {
  const lossy = sample({ lossPercent: 5 });
  assert.deepEqual(raisedMetrics(run(times(RAISE_AFTER - 1, lossy))), []);
  assert.deepEqual(raisedMetrics(run(times(RAISE_AFTER, lossy))), ['loss']);
  assert.deepEqual(raisedMetrics(run([lossy, lossy, sample(), lossy, lossy])), [], 'the good sample broke the run');
});

test(`cleared only after ${CLEAR_AFTER} good samples in a row (no flicker around the threshold)`, () => {
  const raised = run(times(RAISE_AFTER, sample({ lossPercent: 5 })));
  assert.deepEqual(raisedMetrics(run(times(CLEAR_AFTER - 1, sample()), raised)), ['loss']);
  assert.deepEqual(raisedMetrics(run([...times(CLEAR_AFTER - 1, sample()), sample({ lossPercent: 2 })], raised)), ['loss']);
  assert.deepEqual(raisedMetrics(run(times(CLEAR_AFTER, sample()), raised)), []);
});

test('each metric at its default threshold (RTT 400 ms, jitter 30 ms, loss 1 %, MOS 3.5); at the threshold is not past it', () => {
  assert.deepEqual(raisedMetrics(run(times(3, sample({ rttMs: 401 })))), ['rtt']);
  assert.deepEqual(raisedMetrics(run(times(3, sample({ rttMs: 400 })))), []);
  assert.deepEqual(raisedMetrics(run(times(3, sample({ jitterMs: 31 })))), ['jitter']);
  assert.deepEqual(raisedMetrics(run(times(3, sample({ lossPercent: 1 })))), []);
  assert.deepEqual(raisedMetrics(run(times(3, sample({ mos: 3.49 })))), ['mos']);
  assert.deepEqual(raisedMetrics(run(times(3, sample({ mos: 3.5 })))), []);
});

test('a sample without the figure is no evidence: it neither raises, clears, nor breaks a run', () => {
  const lossy = sample({ lossPercent: 5 });
  const unknown = sample({ lossPercent: null, mos: null });
  assert.deepEqual(raisedMetrics(run([lossy, unknown, lossy, unknown, lossy])), ['loss']);
  const raised = run(times(3, lossy));
  assert.deepEqual(raisedMetrics(run(times(20, unknown), raised)), ['loss']);
});

test('thresholds from the backend replace the defaults', () => {
  const strict = { ...DEFAULT_QUALITY_THRESHOLDS, rttMs: 100 };
  const state = times(3, sample({ rttMs: 150 })).reduce((s, x) => nextWarnings(s, x, strict), NO_WARNINGS);
  assert.deepEqual(raisedMetrics(state), ['rtt']);
});
