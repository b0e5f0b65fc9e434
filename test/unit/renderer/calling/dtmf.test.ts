import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dtmfRelayBody, validateDtmf } from '../../../../renderer/calling/dtmf.js';

test('DTMF digits are validated; INFO body is dtmf-relay', () => {
  validateDtmf('0123456789*#ABCDabcd');
  assert.throws(() => validateDtmf('12x'), /0–9, \*, # or A–D/);
  assert.throws(() => validateDtmf(''), /0–9/);
  assert.equal(dtmfRelayBody('a'), 'Signal=A\r\nDuration=120\r\n');
});
