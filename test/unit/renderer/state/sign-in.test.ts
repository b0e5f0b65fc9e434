import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSignIn } from '../../../../renderer/state/sign-in.js';

test('sign-in form checks name the field; a bare host name means https', () => {
  assert.deepEqual(checkSignIn({ url: ' pbx.example.com ', username: ' alice ', password: 'pw' }), {
    ok: true,
    request: { url: 'https://pbx.example.com/', username: 'alice', password: 'pw' },
  });
  assert.equal(checkSignIn({ url: 'http://127.0.0.1:20010', username: 'a', password: 'p' }).ok, true);
  const error = (form: { url: string; username: string; password: string }) => {
    const r = checkSignIn(form);
    return r.ok ? 'ok' : r.error;
  };
  assert.match(error({ url: '', username: 'a', password: 'p' }), /^Enter the Provisioning URL/);
  assert.equal(error({ url: 'x.example', username: '  ', password: 'p' }), 'Enter your Username');
  assert.equal(error({ url: 'x.example', username: 'a', password: '' }), 'Enter your Password');
  assert.equal(error({ url: 'ftp://x.example', username: 'a', password: 'p' }), 'Provisioning URL must start with https:// (got ftp://)');
  assert.match(error({ url: 'https://exa mple', username: 'a', password: 'p' }), /is not a valid address/);
  assert.match(error({ url: 'x.example', username: 'a'.repeat(65), password: 'p' }), /Username is too long/);
});
