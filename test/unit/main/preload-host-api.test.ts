import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventChannels, invokeChannels, parseHostError } from '../../../common/contract/index.js';
import { createHostApi } from '../../../preload/host-api.js';

function fakeTransport(answer: unknown) {
  const sent: Array<[string, unknown]> = [];
  const subscribed: string[] = [];
  const api = createHostApi({
    invokeChannels: Object.keys(invokeChannels),
    eventChannels: Object.keys(eventChannels),
    invoke: async (channel, request) => (sent.push([channel, request]), answer),
    subscribe: (channel, deliver) => {
      subscribed.push(channel);
      deliver({ kind: 'resume' });
      return () => undefined;
    },
  });
  return { api, sent, subscribed };
}

test('preload api: contract channels pass through and unwrap the envelope', async () => {
  const { api, sent } = fakeTransport({ ok: true, value: { microphoneId: 'm', speakerId: 's', ringerId: 'r' } });
  assert.deepEqual(await api.invoke('settings.get', undefined), { microphoneId: 'm', speakerId: 's', ringerId: 'r' });
  assert.deepEqual(sent, [['settings.get', undefined]]);
});

test('preload api: a channel outside the contract is refused without sending anything', async () => {
  const { api, sent, subscribed } = fakeTransport({ ok: true, value: null });
  await assert.rejects(
    (api.invoke as (c: string, r: unknown) => Promise<unknown>)('electron.openDevTools', {}),
    /^HostError: \[unknown-channel\] no host channel named "electron\.openDevTools"$/,
  );
  assert.throws(() => (api.on as (c: string, l: () => void) => void)('ipc.anything', () => undefined), /\[unknown-channel\]/);
  assert.deepEqual(sent, []);
  assert.deepEqual(subscribed, []);
});

test('preload api: error envelopes reject with a HostError whose code parseHostError recovers', async () => {
  const { api } = fakeTransport({ ok: false, error: { code: 'unauthorized', message: 'wrong username or password' } });
  const error = await api.invoke('provisioning.restore', undefined).then(
    () => assert.fail('should reject'),
    (e: unknown) => e as Error,
  );
  assert.equal(error.name, 'HostError');
  assert.equal(error.message, '[unauthorized] wrong username or password');
  assert.deepEqual(parseHostError(error), { code: 'unauthorized', message: 'wrong username or password' });
  // Electron's ipc wrapper prefixes messages; the code is still found.
  assert.deepEqual(parseHostError(new Error("Error invoking remote method 'x': [unreachable] cannot reach h")), {
    code: 'unreachable',
    message: 'cannot reach h',
  });
  assert.equal(parseHostError(new Error('plain failure')), null);
  assert.equal(parseHostError(new Error('[made-up-code] x')), null);
});

test('preload api: events deliver the payload only', () => {
  const { api, subscribed } = fakeTransport(null);
  const seen: unknown[] = [];
  api.on('system.transition', (e) => seen.push(e));
  assert.deepEqual(subscribed, ['system.transition']);
  assert.deepEqual(seen, [{ kind: 'resume' }]);
});
