import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Core } from 'sip.js';
import { glareRetryDelayMs, ReInviteRefused } from '../../../../renderer/calling/reinvite-glare.js';

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

test('a refusal crossed the far end’s re-INVITE on 491, or on 500 with Retry-After (RFC 3261 §14.2: an INVITE while one is being answered); not on other refusals', () => {
  const response = (statusCode: number, reasonPhrase: string, headers: string[] = []) =>
    ({ message: { statusCode, reasonPhrase, hasHeader: (name: string) => headers.includes(name) } }) as unknown as Core.IncomingResponse;
  const crossed = (r: Core.IncomingResponse) => new ReInviteRefused(r).crossed;
  assert.equal(crossed(response(491, 'Request Pending')), true);
  assert.equal(crossed(response(500, 'Server Internal Error', ['Retry-After'])), true);
  assert.equal(crossed(response(500, 'Server Internal Error')), false);
  assert.equal(crossed(response(488, 'Not Acceptable Here')), false);
  assert.equal(new ReInviteRefused(response(491, 'Request Pending')).message, 'refused (491 Request Pending)');
});
