/** The admin page's cookie attributes, cookie parsing and same-origin rule. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN_SESSION_ABSOLUTE_MS,
  ADMIN_SESSION_COOKIE,
  clearedSessionCookie,
  crossOriginReason,
  sessionCookie,
  sessionIdFrom,
} from '../../../../backend/control-plane/admin-page-policy.js';

test('the session cookie is HttpOnly, SameSite=Strict, lives the absolute session time, and is Secure over TLS only', () => {
  const attrs = (c: string) => c.split('; ');
  const plain = attrs(sessionCookie('abc', false));
  assert.equal(plain[0], `${ADMIN_SESSION_COOKIE}=abc`);
  assert.ok(plain.includes('HttpOnly'));
  assert.ok(plain.includes('SameSite=Strict'));
  assert.ok(plain.includes('Path=/'));
  assert.ok(plain.includes(`Max-Age=${ADMIN_SESSION_ABSOLUTE_MS / 1000}`));
  assert.ok(!plain.includes('Secure'));
  assert.ok(attrs(sessionCookie('abc', true)).includes('Secure'));
  const cleared = attrs(clearedSessionCookie(true));
  assert.equal(cleared[0], `${ADMIN_SESSION_COOKIE}=`);
  assert.ok(cleared.includes('Max-Age=0') && cleared.includes('Secure') && cleared.includes('HttpOnly'));
});

test('sessionIdFrom: the admin cookie among others; malformed values ignored', () => {
  assert.equal(sessionIdFrom(`a=1; ${ADMIN_SESSION_COOKIE}=Ab_9-x; b=2`), 'Ab_9-x');
  assert.equal(sessionIdFrom(`${ADMIN_SESSION_COOKIE}=`), undefined);
  assert.equal(sessionIdFrom(`${ADMIN_SESSION_COOKIE}=a b`), undefined);
  assert.equal(sessionIdFrom(`${ADMIN_SESSION_COOKIE}=${'a'.repeat(129)}`), undefined, 'longer than any id');
  assert.equal(sessionIdFrom(`x${ADMIN_SESSION_COOKIE}=abc`), undefined, 'another cookie whose name ends the same');
  assert.equal(sessionIdFrom(undefined), undefined);
});

test('crossOriginReason: only the page’s own origin passes', () => {
  const host = '127.0.0.1:20011';
  assert.equal(crossOriginReason({ origin: `http://${host}`, host, 'sec-fetch-site': 'same-origin' }, 'http'), null);
  assert.equal(crossOriginReason({ origin: `http://${host}`, host }, 'http'), null, 'a browser without Sec-Fetch-Site');
  assert.equal(crossOriginReason({ host }, 'http'), 'no Origin header');
  assert.equal(crossOriginReason({ origin: 'http://evil.example', host }, 'http'), 'Origin is not this page');
  assert.equal(crossOriginReason({ origin: `https://${host}`, host }, 'http'), 'Origin is not this page', 'another scheme');
  assert.equal(crossOriginReason({ origin: 'null', host }, 'http'), 'Origin is not this page', 'a sandboxed frame or file://');
  assert.equal(crossOriginReason({ origin: `http://${host}`, host, 'sec-fetch-site': 'same-site' }, 'http'), 'Sec-Fetch-Site is same-site');
  assert.equal(
    crossOriginReason({ origin: `http://${host}`, host, 'sec-fetch-site': 'cross-site' }, 'http'),
    'Sec-Fetch-Site is cross-site',
  );
});
