import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHART_HEIGHT, CHART_WIDTH, chartSeries } from '../../../../renderer/state/quality-chart.js';
import { sample } from '../fixtures.js';

test('series scale into the view box with the threshold line; gaps are skipped', () => {
  const samples = [sample({ rttMs: 0 }), sample({ rttMs: null }), sample({ rttMs: 600 })];
  const s = chartSeries(samples, 'Round trip', 'ms', (x) => x.rttMs, 400);
  // max = max(400·1.5, 600) = 600: 0 → y 80 at x 0; 600 → y 0 at x 300; the null sample is left out.
  assert.equal(s.points, `0.0,${CHART_HEIGHT}.0 ${CHART_WIDTH}.0,0.0`);
  assert.equal(s.max, 600);
  assert.equal(s.thresholdY, 26.7, '400 of 600 is two thirds up: 80 − 53.3');
  assert.equal(s.latest, 600);
});

test('a fixed scale (MOS 0..4.5) and long calls thinned to at most 300 points, newest kept', () => {
  const samples = Array.from({ length: 3600 }, (_, i) => sample({ mos: i === 3599 ? 1 : 4.5 }));
  const s = chartSeries(samples, 'MOS', '', (x) => x.mos, 3.5, 4.5);
  const points = s.points.split(' ');
  assert.ok(points.length <= 300, `${points.length} points`);
  assert.equal(points.at(-1), `${CHART_WIDTH}.0,${(CHART_HEIGHT - (1 / 4.5) * CHART_HEIGHT).toFixed(1)}`);
  assert.equal(s.latest, 1);
});
