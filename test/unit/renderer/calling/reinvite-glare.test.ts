import { test } from 'node:test';
import assert from 'node:assert/strict';
import { glareRetryDelayMs } from '../../../../renderer/calling/reinvite-glare.js';

test('RFC 3261 §14.1 wait after a 491: 2.1–4 s for the Call-ID’s owner (the caller), 0–2 s for the other side, in 10 ms steps', () => {
  assert.deepEqual(
    [0, 0.5, 0.999999].map((r) => glareRetryDelayMs(true, () => r)),
    [2100, 3050, 4000],
  );
  assert.deepEqual(
    [0, 0.5, 0.999999].map((r) => glareRetryDelayMs(false, () => r)),
    [0, 1000, 2000],
  );
  for (let i = 0; i < 200; i++) {
    const owner = glareRetryDelayMs(true, Math.random);
    const other = glareRetryDelayMs(false, Math.random);
    assert.ok(owner >= 2100 && owner <= 4000 && owner % 10 === 0, `owner waits ${owner} ms`);
    assert.ok(other >= 0 && other <= 2000 && other % 10 === 0, `the other side waits ${other} ms`);
  }
});
