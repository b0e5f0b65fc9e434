import { join } from 'node:path';
import { Agent } from '../../support/agent.js';
import { startTestBackend, type TestBackend } from '../../support/backend-fixture.js';
import { CarrierApi, isLive, type CarrierCall } from '../../support/carrier-api.js';
import { spareTestPorts, TEST_PORT_BASES } from '../../support/port-registry.js';
import { PulseServer, type SpeakerRecording } from '../../support/pulse-audio.js';
import { carrierApiUrl } from '../../../backend/endpoints.js';
import { watchAudioDevices } from '../../../main/devices/audio-device-watcher.js';
import { pulseAudioDeviceSource } from '../../../main/devices/pulse-audio-devices.js';
import { systemTimers } from '../../../common/timers.js';

/**
 * An agent with REAL audio devices: the web softphone in Chromium on a private PulseAudio server
 * with a laptop (speakers + a 660 Hz microphone, the system defaults) and a USB headset
 * (speaker + a 440 Hz microphone) that the test plugs in and pulls out by loading and unloading
 * their modules. The desktop host's device watcher (main/devices/, on pactl) runs against the same
 * server and pushes `devices.changed` through the host bridge, as main does to its window.
 * Shared by test/e2e/devices.test.ts and the recovery bench.
 */
export const LAPTOP_MIC_HZ = 660;
export const HEADSET_MIC_HZ = 440;
export const LAPTOP_SPEAKER = 'cldev_laptop';
export const HEADSET_SPEAKER = 'cldev_headset';
/** What Chromium lists for each device (module-sine-source names its source by its tone). */
export const HEADSET_MIC_LABEL = `Sine source at ${HEADSET_MIC_HZ} Hz`;
export const HEADSET_SPEAKER_LABEL = 'Headset';

export class HeadsetRig {
  private headsetModules: number[] = [];

  private constructor(
    readonly backend: TestBackend,
    readonly pulse: PulseServer,
    readonly agent: Agent,
    readonly carrier: CarrierApi,
    private readonly stopWatching: () => void,
  ) {}

  static async start(): Promise<HeadsetRig> {
    const backend = await startTestBackend(TEST_PORT_BASES.audioDevices);
    let pulse: PulseServer | undefined;
    let stopWatching = () => undefined as void;
    try {
      pulse = await PulseServer.start(join(backend.scratch, 'pulse'));
      await pulse.addSpeaker(LAPTOP_SPEAKER, 'Laptop');
      await pulse.addMicrophone('cldev_laptop_mic', LAPTOP_MIC_HZ);
      await pulse.setDefaults(LAPTOP_SPEAKER, 'cldev_laptop_mic');
      const agent = await Agent.launch({
        name: 'a',
        scratch: backend.scratch,
        controlPlaneUrl: backend.endpoints.controlPlane.url,
        pulse: pulse.env,
        udpPorts: spareTestPorts('audioDevices', 1500, 1599),
      });
      stopWatching = watchAudioDevices({
        source: pulseAudioDeviceSource({ ...process.env, ...pulse.env }),
        timers: systemTimers,
        log: () => undefined,
        onChange: (devices) => void agent.bridge.emit('devices.changed', devices).catch(() => undefined),
      });
      const rig = new HeadsetRig(backend, pulse, agent, new CarrierApi(carrierApiUrl(backend.endpoints)), stopWatching);
      await rig.plugIn();
      return rig;
    } catch (error) {
      stopWatching();
      await pulse?.stop();
      await backend.stop();
      throw error;
    }
  }

  async signIn(): Promise<void> {
    const alice = this.backend.endpoints.agents[0]!;
    await this.agent.phone.signIn(this.backend.endpoints.controlPlane.url, alice.username, alice.password);
    await this.agent.phone.waitRegistered();
  }

  /** The agent picks the headset in Settings (the labels are listed once the page had the microphone). */
  async chooseHeadset(): Promise<void> {
    const page = this.agent.page;
    await page.getByLabel('Microphone').selectOption({ label: HEADSET_MIC_LABEL }, { timeout: 10_000 });
    await page.getByLabel('Speaker').selectOption({ label: HEADSET_SPEAKER_LABEL }, { timeout: 10_000 });
  }

  async plugIn(): Promise<void> {
    this.headsetModules = [
      await this.pulse.addSpeaker(HEADSET_SPEAKER, HEADSET_SPEAKER_LABEL),
      await this.pulse.addMicrophone('cldev_headset_mic', HEADSET_MIC_HZ),
    ];
  }

  /** Pulls the headset out: its speaker and microphone go at once, as a USB headset's do. Returns when. */
  async unplug(): Promise<number> {
    const at = Date.now();
    for (const module of this.headsetModules.splice(0)) await this.pulse.unload(module);
    return at;
  }

  listen(speaker: string): SpeakerRecording {
    return this.pulse.listen(speaker);
  }

  /** The carrier's view of the agent's live call to the echo number. */
  async echoCall(): Promise<CarrierCall> {
    const far = (await this.carrier.calls()).find((c) => c.number === this.backend.endpoints.numbers.echo && isLive(c));
    if (!far) throw new Error('the carrier has no live echo call');
    return far;
  }

  async stop(): Promise<void> {
    this.stopWatching();
    await this.agent.close();
    await this.pulse.stop();
    await this.backend.stop();
  }
}

/**
 * A headset goes back in seconds after it came out, as an agent's hands do it: past the time the
 * phone holds a returning output device back (renderer/state/output-return.ts), so the figures
 * measure the return itself. e2e/devices covers the quick re-plug.
 */
export const PLUG_BACK_AFTER_MS = 6000;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Per run: ms from the change to the changed tone playing on the speaker that should now play it. */
export interface DeviceRecoveryFigures {
  /** Headset (speaker + microphone) unloaded mid-call → the laptop speakers play the laptop microphone's echo. */
  readonly deviceRemovalAudioMs: number;
  /** Baseline, same call and path: the agent picks the laptop microphone in Settings → its echo plays on the headset. */
  readonly deliberateSwitchAudioMs: number;
  /** Headset loaded again → the headset plays its own microphone's echo. */
  readonly deviceReturnAudioMs: number;
  readonly runs: number;
  readonly outage: string;
}

/**
 * `runs` unplug/plug cycles on one echo call (the rig signed in, the headset plugged in and chosen).
 * Every figure is end to end: the far end echoes what the microphone in use captures, so a
 * figure covers the device change, the track swap, the network and the playback on the speaker.
 */
export async function measureDeviceRecovery(rig: HeadsetRig, runs: number): Promise<DeviceRecoveryFigures> {
  const removal: number[] = [];
  const switched: number[] = [];
  const returned: number[] = [];
  const page = rig.agent.page;
  await rig.chooseHeadset();
  await rig.agent.phone.dial(rig.backend.endpoints.numbers.echo);
  await rig.agent.phone.waitActive();
  try {
    for (let run = 0; run < runs; run++) {
      const headset = rig.listen(HEADSET_SPEAKER);
      try {
        await headset.waitForTone(HEADSET_MIC_HZ, Date.now(), 10_000);
        let t0 = Date.now();
        await page.getByLabel('Microphone').selectOption({ label: `Sine source at ${LAPTOP_MIC_HZ} Hz` });
        switched.push((await headset.waitForTone(LAPTOP_MIC_HZ, t0, 10_000)).at - t0);
        t0 = Date.now();
        await page.getByLabel('Microphone').selectOption({ label: HEADSET_MIC_LABEL });
        await headset.waitForTone(HEADSET_MIC_HZ, t0, 10_000);
      } finally {
        headset.stop();
      }
      const laptop = rig.listen(LAPTOP_SPEAKER);
      try {
        const unpluggedAt = await rig.unplug();
        removal.push((await laptop.waitForTone(LAPTOP_MIC_HZ, unpluggedAt, 10_000)).at - unpluggedAt);
      } finally {
        laptop.stop();
      }
      await page.waitForTimeout(PLUG_BACK_AFTER_MS);
      await rig.plugIn();
      const back = rig.listen(HEADSET_SPEAKER);
      try {
        const pluggedAt = Date.now();
        returned.push((await back.waitForTone(HEADSET_MIC_HZ, pluggedAt, 15_000)).at - pluggedAt);
      } finally {
        back.stop();
      }
    }
  } finally {
    await rig.agent.phone.endAllCalls();
  }
  return {
    deviceRemovalAudioMs: median(removal),
    deliberateSwitchAudioMs: median(switched),
    deviceReturnAudioMs: median(returned),
    runs,
    outage: 'USB headset pulled out mid-call: its PulseAudio speaker and microphone unloaded',
  };
}
