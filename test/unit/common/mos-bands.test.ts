import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MOS_BANDS, mosBand } from '../../../common/quality/mos-bands.js';
import { mosLabel } from '../../../renderer/state/quality.js';

test('MOS bands: best first, each score in exactly the first band it reaches', () => {
  const mins = MOS_BANDS.map((band) => band.min);
  assert.deepEqual(
    [...mins].sort((a, b) => b - a),
    mins,
  );
  assert.deepEqual(
    [4.5, 4.3, 4.29, 4.0, 3.6, 3.59, 3.1, 3.09, 1].map((mos) => mosBand(mos).label),
    ['Excellent', 'Excellent', 'Good', 'Good', 'Fair', 'Poor', 'Poor', 'Bad', 'Bad'],
  );
});

test('MOS bands: the network test never passes a path the in-call panel calls Fair or worse', () => {
  const verdictOf = Object.fromEntries(MOS_BANDS.map((band) => [band.label, band.verdict]));
  assert.deepEqual(verdictOf, { Excellent: 'pass', Good: 'pass', Fair: 'warn', Poor: 'fail', Bad: 'fail' });
  for (const mos of [4.4, 4.1, 3.8, 3.3, 2]) assert.equal(mosLabel(mos), mosBand(mos).label);
});
