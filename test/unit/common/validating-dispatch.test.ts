import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostError, hostRejection } from '../../../common/host-error.js';
import { createValidatingDispatch, type SyncOrAsyncHandlerTable } from '../../../common/validating-dispatch.js';
import { parseHostError } from '../../../common/contract/index.js';

/** A table whose handlers are replaced per test; channels not under test are never called. */
function dispatchWith(overrides: Partial<SyncOrAsyncHandlerTable>) {
  const logged: string[] = [];
  const unused = () => assert.fail('not under test');
  const table = new Proxy(overrides, { get: (t, k: string) => (t as Record<string, unknown>)[k] ?? unused }) as SyncOrAsyncHandlerTable;
  const dispatch = createValidatingDispatch(table, { shell: 'the test host', logError: (m) => void logged.push(m) });
  return { logged, call: (channel: string, request?: unknown) => dispatch(channel, request, () => undefined) };
}

test('unknown channels and off-contract requests are refused before any handler runs', async () => {
  const { call } = dispatchWith({});
  assert.deepEqual(await call('fs.readFile', {}), {
    ok: false,
    error: { code: 'unknown-channel', message: 'no host channel named "fs.readFile"' },
  });
  const bad = await call('shell.openExternal', { url: 42 });
  assert.equal(bad.ok, false);
  assert.match(!bad.ok ? bad.error.message : '', /^shell\.openExternal: url: /);
  assert.equal(!bad.ok && bad.error.code, 'invalid-request');
});

test('a HostError crosses as is; any other failure is a generic internal error, logged, its text withheld', async () => {
  const { call, logged } = dispatchWith({
    'shell.openExternal': () => {
      throw new HostError('forbidden-url', 'only http and https links can be opened');
    },
    'settings.get': () => {
      throw new Error('EACCES /home/alice/.config/secret-path');
    },
  });
  assert.deepEqual(await call('shell.openExternal', { url: 'https://x.example' }), {
    ok: false,
    error: { code: 'forbidden-url', message: 'only http and https links can be opened' },
  });
  const internal = await call('settings.get');
  assert.deepEqual(internal, { ok: false, error: { code: 'internal', message: 'internal error in the test host (details in the log)' } });
  assert.deepEqual(logged, ['settings.get failed']);
});

test('an answer the response schema rejects is a bug: invalid-response, logged', async () => {
  const { call, logged } = dispatchWith({ 'settings.get': () => ({ microphoneId: 7 }) as never });
  const answer = await call('settings.get');
  assert.equal(!answer.ok && answer.error.code, 'invalid-response');
  assert.deepEqual(logged, ['settings.get produced an invalid response']);
});

test('the renderer-side rejection carries the code through any bridge', () => {
  const error = hostRejection({ code: 'locked', message: 'try again in 5 minutes' });
  assert.equal(error.name, 'HostError');
  assert.deepEqual(parseHostError(error), { code: 'locked', message: 'try again in 5 minutes' });
});
