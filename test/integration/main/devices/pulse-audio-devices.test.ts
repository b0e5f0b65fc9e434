import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchAudioDevices, type AudioDeviceList } from '../../../../main/devices/audio-device-watcher.js';
import { pulseAudioDeviceSource } from '../../../../main/devices/pulse-audio-devices.js';
import { systemTimers } from '../../../../common/timers.js';
import { PulseServer } from '../../../support/pulse-audio.js';

/**
 * The main process's device watcher on its real Linux source: `pactl` against a real (private)
 * PulseAudio server whose virtual devices the test plugs in and pulls out.
 */
const missing = ['pulseaudio', 'pactl'].filter((tool) => {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return false;
  } catch {
    return true;
  }
});
const skip = missing.length ? `needs ${missing.join(' and ')} (build/setup/ensure-deps.sh installs pulseaudio)` : false;

let dir: string;
let pulse: PulseServer;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'cldev-watch-'));
  pulse = await PulseServer.start(join(dir, 'pulse'));
  await pulse.addSpeaker('cldev_laptop_speakers', 'Laptop');
  await pulse.addMicrophone('cldev_laptop_mic', 660);
});

after(async () => {
  await pulse?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('lists speakers and microphones (monitors are not microphones)', { skip }, async () => {
  const devices = await pulseAudioDeviceSource({ ...process.env, ...pulse.env }).list();
  assert.deepEqual(devices, { microphones: ['cldev_laptop_mic'], speakers: ['cldev_laptop_speakers'] });
});

test('a headset plugged in and pulled out is reported each time', { skip, timeout: 30_000 }, async () => {
  const changes: AudioDeviceList[] = [];
  const stop = watchAudioDevices({
    source: pulseAudioDeviceSource({ ...process.env, ...pulse.env }),
    timers: systemTimers,
    log: () => undefined,
    onChange: (devices) => changes.push(devices),
  });
  /** The watcher's last report becomes `expected` (a loaded machine may report a plug in two steps). */
  const reported = async (expected: AudioDeviceList) => {
    const deadline = Date.now() + 5000;
    while (JSON.stringify(changes.at(-1)) !== JSON.stringify(expected)) {
      if (Date.now() > deadline) throw new Error(`never reported ${JSON.stringify(expected)}; reports: ${JSON.stringify(changes)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  try {
    await new Promise((r) => setTimeout(r, 500)); // the subscription is up
    const speaker = await pulse.addSpeaker('cldev_headset', 'Headset');
    const mic = await pulse.addMicrophone('cldev_headset_mic', 440);
    await reported({ microphones: ['cldev_laptop_mic', 'cldev_headset_mic'], speakers: ['cldev_laptop_speakers', 'cldev_headset'] });
    const plugged = changes.length;
    await pulse.unload(mic);
    await pulse.unload(speaker);
    await reported({ microphones: ['cldev_laptop_mic'], speakers: ['cldev_laptop_speakers'] });
    assert.ok(plugged >= 1 && changes.length > plugged, `a report for the plug and for the unplug: ${JSON.stringify(changes)}`);
  } finally {
    stop();
  }
});
