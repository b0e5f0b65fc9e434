import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeviceEvent, parsePactlShortList } from '../../../../main/devices/pulse-audio-devices.js';

test('pactl short lists: the name column of each line', () => {
  const sinks =
    '1\tcldev_speakers\tmodule-null-sink.c\ts16le 2ch 44100Hz\tIDLE\n4\talsa_output.usb-Jabra\tmodule-alsa-card.c\ts16le 2ch 48000Hz\tRUNNING\n';
  assert.deepEqual(parsePactlShortList(sinks), ['cldev_speakers', 'alsa_output.usb-Jabra']);
  assert.deepEqual(parsePactlShortList(''), []);
});

test('pactl subscribe: only speakers and microphones coming and going count', () => {
  assert.equal(isDeviceEvent("Event 'new' on sink #5"), true);
  assert.equal(isDeviceEvent("Event 'remove' on source #12"), true);
  assert.equal(isDeviceEvent("Event 'change' on sink #5"), false, 'a volume or state change');
  assert.equal(isDeviceEvent("Event 'new' on sink-input #40"), false, 'a stream, not a device');
  assert.equal(isDeviceEvent("Event 'remove' on source-output #3"), false);
  assert.equal(isDeviceEvent("Event 'change' on server #-1"), false);
});
