import type { Bench } from './index.js';
import { HeadsetRig, measureDeviceRecovery } from '../e2e/support/headset-unplug.js';
import { CallRecoveryRig, measureCallRecovery } from '../e2e/support/call-recovery.js';

/**
 * How fast calls recover from what agents live through, each figure next to the outage it
 * recovered from. Devices: a headset pulled out mid-call (real PulseAudio devices under
 * Chromium, test/e2e/support/headset-unplug.ts), next to a deliberate microphone switch on the
 * same call as the baseline for the same path without a device lost. Medians of RUNS runs.
 * Signalling and media (test/e2e/support/call-recovery.ts, the helpers e2e/recovery uses): the
 * SIP WebSocket cut mid-call, re-registered next to the outage length; the browser's UDP blocked
 * mid-call, audio back next to the 3 s goal; Kamailio restarted mid-call through the
 * supervisor, re-registered (from Kamailio ready again) next to how long Kamailio was down.
 * Medians of CALL_RUNS runs.
 */
const RUNS = 5;
const CALL_RUNS = 3;

const bench: Bench = {
  key: 'recovery',
  async run() {
    // One stack at a time: the device rig is stopped before the call rig starts.
    const devices = await measureDevices();
    const calls = await measureCalls();
    return { deviceRemovalAudioMs: devices.deviceRemovalAudioMs, devices, ...calls };
  },
};

async function measureDevices() {
  const rig = await HeadsetRig.start();
  try {
    await rig.signIn();
    return await measureDeviceRecovery(rig, RUNS);
  } finally {
    await rig.stop();
  }
}

async function measureCalls() {
  const rig = await CallRecoveryRig.start();
  try {
    await rig.signIn();
    return await measureCallRecovery(rig, CALL_RUNS);
  } finally {
    await rig.stop();
  }
}

export default bench;
