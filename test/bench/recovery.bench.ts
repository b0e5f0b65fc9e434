import type { Bench } from './index.js';
import { HeadsetRig, measureDeviceRecovery } from '../e2e/support/headset-unplug.js';

/**
 * How fast calls recover from what agents live through, each figure next to the outage it
 * recovered from. Devices: a headset pulled out mid-call (real PulseAudio devices under
 * Chromium, test/e2e/support/headset-unplug.ts), next to a deliberate microphone switch on the
 * same call as the baseline for the same path without a device lost. Medians of RUNS runs.
 */
const RUNS = 5;

const bench: Bench = {
  key: 'recovery',
  async run() {
    const rig = await HeadsetRig.start();
    try {
      await rig.signIn();
      const devices = await measureDeviceRecovery(rig, RUNS);
      return { deviceRemovalAudioMs: devices.deviceRemovalAudioMs, devices };
    } finally {
      await rig.stop();
    }
  },
};

export default bench;
