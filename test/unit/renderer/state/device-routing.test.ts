import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SettingsSchema } from '../../../../common/contract/index.js';
import { describeRouteChange, routeDevices } from '../../../../renderer/state/device-routing.js';
import { NO_DEVICES, SYSTEM_DEFAULT, type DeviceLists } from '../../../../renderer/state/devices.js';

const saved = SettingsSchema.parse({ microphoneId: 'headset-mic', speakerId: 'headset', ringerId: 'desk' });
const lists = (microphones: string[], speakers: string[]): DeviceLists => ({
  microphones: [SYSTEM_DEFAULT, ...microphones.map((id) => ({ id, label: id }))],
  speakers: [SYSTEM_DEFAULT, ...speakers.map((id) => ({ id, label: id }))],
});
const labels: Record<string, string> = { 'headset-mic': 'Jabra Evolve', headset: 'Jabra Evolve', desk: 'Desk speaker' };
const label = (id: string) => labels[id] ?? id;

test('everything plugged in: the saved devices, no fallback', () => {
  const route = routeDevices(saved, lists(['headset-mic', 'laptop-mic'], ['headset', 'desk']));
  assert.deepEqual(route.devices, saved);
  assert.deepEqual([...route.fallback], []);
});

test('headset unplugged: its microphone and speaker fall back to the system default; the ringer stays on the desk speaker', () => {
  const route = routeDevices(saved, lists(['laptop-mic'], ['desk']));
  assert.deepEqual(route.devices, { microphoneId: 'default', speakerId: 'default', ringerId: 'desk' });
  assert.deepEqual([...route.fallback].sort(), ['microphoneId', 'speakerId']);
});

test('the ringer device unplugged moves only the ringer', () => {
  const route = routeDevices(saved, lists(['headset-mic'], ['headset']));
  assert.deepEqual(route.devices, { ...saved, ringerId: 'default' });
});

test('a list without device ids (no permission yet) tells nothing: the saved devices are kept', () => {
  assert.deepEqual(routeDevices(saved, NO_DEVICES).devices, saved);
});

test('unplug and plug back: the agent is told both, naming the device', () => {
  const plugged = routeDevices(saved, lists(['headset-mic'], ['headset', 'desk']));
  const unplugged = routeDevices(saved, lists(['laptop-mic'], ['desk']));
  assert.equal(
    describeRouteChange(plugged, unplugged, saved, label),
    'Jabra Evolve disconnected: the microphone and speaker now use the system default until it is back.',
  );
  assert.equal(
    describeRouteChange(unplugged, plugged, saved, label),
    'Jabra Evolve connected again: the microphone and speaker use it again.',
  );
  assert.equal(describeRouteChange(plugged, plugged, saved, label), null, 'nothing changed, nothing said');
});

test('one role alone, and two devices at once, read correctly', () => {
  const all = routeDevices(saved, lists(['headset-mic'], ['headset', 'desk']));
  const noDesk = routeDevices(saved, lists(['headset-mic'], ['headset']));
  assert.equal(
    describeRouteChange(all, noDesk, saved, label),
    'Desk speaker disconnected: the ringer now uses the system default until it is back.',
  );
  const nothing = routeDevices(saved, lists(['laptop-mic'], ['laptop']));
  assert.equal(
    describeRouteChange(all, nothing, saved, label),
    'Jabra Evolve and Desk speaker disconnected: the microphone and speaker and ringer now use the system default until it is back.',
  );
});
