import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestedMicrophone, withMicrophoneFallback } from '../../../../renderer/calling/microphone-fallback.js';
import { microphoneConstraints } from '../../../../renderer/calling/media-constraints.js';

/** A browser's getUserMedia over a fixed device list: an exact request for an absent device is refused. */
function browserWith(devices: string[], failure = 'OverconstrainedError') {
  const asked: MediaStreamConstraints[] = [];
  const getUserMedia = async (constraints: MediaStreamConstraints) => {
    asked.push(constraints);
    const id = requestedMicrophone(constraints);
    if (id !== 'default' && !devices.includes(id)) throw Object.assign(new Error('no such device'), { name: failure });
    return { opened: id } as unknown as MediaStream;
  };
  return { asked, getUserMedia };
}

test('a saved microphone that is present is opened as asked, with no retry', async () => {
  const browser = browserWith(['headset']);
  const missing: string[] = [];
  const stream = await withMicrophoneFallback(browser.getUserMedia, (id) => missing.push(id))(microphoneConstraints('headset', true));
  assert.deepEqual(stream, { opened: 'headset' });
  assert.equal(browser.asked.length, 1);
  assert.deepEqual(missing, []);
});

for (const failure of ['OverconstrainedError', 'NotFoundError']) {
  test(`a saved microphone that is gone (${failure}): retried once on the system default, processing settings kept`, async () => {
    const browser = browserWith([], failure);
    const missing: string[] = [];
    const stream = await withMicrophoneFallback(browser.getUserMedia, (id) => missing.push(id))(microphoneConstraints('headset', false));
    assert.deepEqual(stream, { opened: 'default' });
    assert.deepEqual(missing, ['headset']);
    assert.deepEqual(browser.asked[1], microphoneConstraints('default', false), 'the retry differs only by the device');
  });
}

test('other failures are not hidden: denied access, or the default itself missing, still fail', async () => {
  const denied = withMicrophoneFallback(
    async () => {
      throw Object.assign(new Error('denied'), { name: 'NotAllowedError' });
    },
    () => assert.fail('no fallback for a denial'),
  );
  await assert.rejects(denied(microphoneConstraints('headset', true)), { name: 'NotAllowedError' });
  const none = withMicrophoneFallback(
    async () => {
      throw Object.assign(new Error('no microphone at all'), { name: 'NotFoundError' });
    },
    () => undefined,
  );
  await assert.rejects(none(microphoneConstraints('default', true)), { name: 'NotFoundError' });
  await assert.rejects(none(microphoneConstraints('headset', true)), { name: 'NotFoundError' }, 'the retry’s own failure surfaces');
});

test('requestedMicrophone reads exact, ideal and plain deviceIds', () => {
  assert.equal(requestedMicrophone({ audio: { deviceId: { exact: 'a' } } }), 'a');
  assert.equal(requestedMicrophone({ audio: { deviceId: { ideal: 'b' } } }), 'b');
  assert.equal(requestedMicrophone({ audio: { deviceId: 'c' } }), 'c');
  assert.equal(requestedMicrophone({ audio: true }), 'default');
  assert.equal(requestedMicrophone({ audio: { echoCancellation: false } }), 'default');
});
