import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAllowedOrigin, originAllowList } from '../../../common/origin-allow-list.js';

test('origin allow-list: exact members only (CORS and the SIP WebSocket share it)', () => {
  const list = originAllowList(['http://127.0.0.1:20010/', 'app://clearline', 'HTTPS://Web.Example'], '--cors-origin');
  assert.deepEqual(list, ['http://127.0.0.1:20010', 'app://clearline', 'https://web.example']);
  assert.ok(isAllowedOrigin('app://clearline', list));
  assert.ok(isAllowedOrigin('http://127.0.0.1:20010', list));
  assert.ok(isAllowedOrigin('https://web.example', list));
  assert.ok(!isAllowedOrigin('app://other-app', list), 'another custom-scheme app is not the desktop app');
  assert.ok(!isAllowedOrigin('http://evil.example', list));
  assert.ok(!isAllowedOrigin('http://127.0.0.1:20010.evil.example', list));
  assert.throws(
    () => originAllowList(['https://x.example/app'], '--cors-origin'),
    /--cors-origin: "https:\/\/x\.example\/app" is not a browser origin/,
  );
});
