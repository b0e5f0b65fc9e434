import { test } from 'node:test';
import assert from 'node:assert/strict';
import { softphoneCsp } from '../../../common/content-security-policy.js';
import { buildCsp } from '../../../main/security/csp.js';

test('CSP: self only, the stack websocket, no inline styles', () => {
  const csp = softphoneCsp({ sipWsUrls: ['ws://127.0.0.1:20001/'] });
  assert.match(csp, /connect-src 'self' http:\/\/127\.0\.0\.1:20001 ws:\/\/127\.0\.0\.1:20001(;|$)/);
  const withoutConnect = (policy: string) => policy.split('; ').filter((d) => !d.startsWith('connect-src'));
  assert.deepEqual(withoutConnect(csp), withoutConnect(buildCsp(null)), "the web softphone gets the desktop window's policy");
  assert.match(csp, /style-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  for (const d of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "media-src 'self' blob:", "img-src 'self' data:"])
    assert.ok(csp.includes(d), d);
});
