import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optionsWithSaved, toDeviceLists } from '../../../../renderer/state/devices.js';

test('device lists: default first, aliases and permission-less entries dropped, blank labels numbered', () => {
  const lists = toDeviceLists([
    { deviceId: 'default', kind: 'audioinput', label: 'Default - Headset' },
    { deviceId: 'communications', kind: 'audioinput', label: 'Communications - Headset' },
    { deviceId: 'mic-a', kind: 'audioinput', label: 'Headset Mic' },
    { deviceId: 'mic-b', kind: 'audioinput', label: '' },
    { deviceId: 'mic-a', kind: 'audioinput', label: 'Headset Mic (dup)' },
    { deviceId: '', kind: 'audiooutput', label: '' },
    { deviceId: 'spk-a', kind: 'audiooutput', label: 'Speakers' },
    { deviceId: 'cam', kind: 'videoinput', label: 'Camera' },
  ]);
  assert.deepEqual(
    lists.microphones.map((d) => d.id),
    ['default', 'communications', 'mic-a', 'mic-b'],
  );
  assert.equal(lists.microphones[0]?.label, 'System default');
  assert.equal(lists.microphones[3]?.label, 'Microphone 3');
  assert.deepEqual(
    lists.speakers.map((d) => d.id),
    ['default', 'spk-a'],
  );
});

test('an unplugged saved device stays selectable and is marked as not connected', () => {
  const { microphones } = toDeviceLists([{ deviceId: 'mic-a', kind: 'audioinput', label: 'A' }]);
  assert.equal(optionsWithSaved(microphones, 'mic-a'), microphones);
  const withGone = optionsWithSaved(microphones, 'mic-gone');
  assert.equal(withGone.at(-1)?.id, 'mic-gone');
  assert.match(withGone.at(-1)?.label ?? '', /not connected/);
});
