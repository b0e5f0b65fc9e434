import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { approxHz, measureHeardAudio, playedMedia } from '../support/audio-probe.js';
import { OUTPUT_STREAM_REUSE_MS } from '../../renderer/state/output-return.js';
import {
  HEADSET_MIC_HZ,
  HEADSET_SPEAKER,
  HeadsetRig,
  LAPTOP_MIC_HZ,
  LAPTOP_SPEAKER,
  PLUG_BACK_AFTER_MS,
} from './support/headset-unplug.js';

/**
 * Audio devices coming and going under a live call, with REAL devices: Chromium captures and
 * plays through a private PulseAudio server (no --use-fake-device-for-media-stream), the headset
 * is a null sink + sine source whose modules the test unloads and loads again, and what each
 * speaker plays is recorded from its monitor. The far end is the carrier's echo number, so what
 * it hears is what the microphone in use captures, and what it sends back is what the agent hears.
 */
const missing = ['pulseaudio', 'pactl', 'parec'].filter((tool) => {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return false;
  } catch {
    return true;
  }
});
const skip = missing.length ? `needs ${missing.join(', ')} (build/setup/ensure-deps.sh installs pulseaudio and pulseaudio-utils)` : false;

let rig: HeadsetRig;

before(
  async () => {
    if (skip) return;
    rig = await HeadsetRig.start();
    await rig.signIn();
  },
  { timeout: 120_000 },
);

after(() => rig?.stop(), { timeout: 30_000 });

test(
  'first call on the system defaults: the laptop microphone is heard by the far end and the echo plays on the laptop speakers',
  { skip, timeout: 60_000 },
  async () => {
    const { agent } = rig;
    const laptop = rig.listen(LAPTOP_SPEAKER);
    try {
      await agent.phone.dial(rig.backend.endpoints.numbers.echo);
      await agent.phone.waitActive();
      const far = await rig.carrier.waitFor((await rig.echoCall()).id, `${LAPTOP_MIC_HZ} Hz`, (c) =>
        approxHz(c.received.dominantHz, LAPTOP_MIC_HZ),
      );
      const played = await laptop.waitForTone(LAPTOP_MIC_HZ, 0, 10_000);
      console.log(
        `# defaults: carrier hears ${JSON.stringify(far.received)}; laptop speakers play ${played.dominantHz} Hz at ${played.rmsDbfs.toFixed(1)} dBFS`,
      );
      await agent.phone.hangUp();
      await agent.phone.waitCallStatus(/Call ended/);
    } finally {
      laptop.stop();
    }
  },
);

test(
  'headset unplugged mid-call: audio continues on the laptop speakers and microphone, the agent is told; plugged back: audio returns to the headset',
  { skip, timeout: 120_000 },
  async () => {
    const { agent } = rig;
    await rig.chooseHeadset();
    let headset = rig.listen(HEADSET_SPEAKER);
    const laptop = rig.listen(LAPTOP_SPEAKER);
    try {
      await agent.phone.dial(rig.backend.endpoints.numbers.echo);
      await agent.phone.waitActive();
      const farId = (await rig.echoCall()).id;
      await rig.carrier.waitFor(farId, `the headset's ${HEADSET_MIC_HZ} Hz`, (c) => approxHz(c.received.dominantHz, HEADSET_MIC_HZ));
      const onHeadset = await headset.waitForTone(HEADSET_MIC_HZ, 0, 10_000);
      console.log(`# headset: plays ${onHeadset.dominantHz} Hz at ${onHeadset.rmsDbfs.toFixed(1)} dBFS`);

      headset.stop();
      const unpluggedAt = await rig.unplug();
      const onLaptop = await laptop.waitForTone(LAPTOP_MIC_HZ, unpluggedAt, 10_000);
      const far = await rig.carrier.waitFor(farId, `the laptop's ${LAPTOP_MIC_HZ} Hz`, (c) =>
        approxHz(c.received.dominantHz, LAPTOP_MIC_HZ),
      );
      // A loaded machine can stall the media path for a moment: a few windows, the first that hears it counts.
      let heard = await measureHeardAudio(agent.page, 1200);
      for (let i = 0; i < 4 && !approxHz(heard.dominantHz, LAPTOP_MIC_HZ); i++) heard = await measureHeardAudio(agent.page, 1200);
      console.log(
        `# unplugged: laptop speakers play the laptop microphone's echo ${onLaptop.at - unpluggedAt} ms later; carrier hears ${JSON.stringify(far.received)}; agent receives ${JSON.stringify(heard)}`,
      );
      assert.ok(approxHz(heard.dominantHz, LAPTOP_MIC_HZ), `the agent still receives the far end's audio: ${JSON.stringify(heard)}`);
      assert.match(await agent.phone.shownMessages(), /Headset disconnected: the microphone and speaker now use the system default/);
      assert.ok(await agent.phone.activeCall.isVisible(), 'the call is still up');
      const sinks = (await playedMedia(agent.page)).filter((m) => m.kind === 'stream' && !m.paused).map((m) => m.sinkId);
      assert.deepEqual(sinks, [''], 'the call audio is routed to the system default output');

      await agent.page.waitForTimeout(PLUG_BACK_AFTER_MS);
      await rig.plugIn();
      headset = rig.listen(HEADSET_SPEAKER);
      const pluggedAt = Date.now();
      const back = await headset.waitForTone(HEADSET_MIC_HZ, pluggedAt, 15_000).catch(async (error: unknown) => {
        // Say where Chromium's streams are (sink-input → sink, source-output → source) and where the page routed.
        const streams = `${await rig.pulse.pactl('list', 'short', 'sink-inputs')}${await rig.pulse.pactl('list', 'short', 'source-outputs')}`;
        throw new Error(`${String(error)}; page media ${JSON.stringify(await playedMedia(agent.page))}; Pulse streams:\n${streams}`);
      });
      await rig.carrier.waitFor(farId, `the headset's ${HEADSET_MIC_HZ} Hz again`, (c) => approxHz(c.received.dominantHz, HEADSET_MIC_HZ));
      console.log(`# plugged back: the headset plays its own microphone's echo ${back.at - pluggedAt} ms later`);
      assert.match(await agent.phone.shownMessages(), /Headset connected again: the microphone and speaker use it again/);
      await agent.phone.hangUp();
      await agent.phone.waitCallStatus(/Call ended/);
    } finally {
      headset.stop();
      laptop.stop();
      await agent.phone.endAllCalls();
    }
  },
);

test(
  'headset plugged back a second after it was pulled: the call goes back to the headset once the browser’s stale output stream for it is gone, not stuck on the laptop',
  { skip, timeout: 120_000 },
  async () => {
    const { agent } = rig;
    await rig.chooseHeadset();
    let headset = rig.listen(HEADSET_SPEAKER);
    try {
      await agent.phone.dial(rig.backend.endpoints.numbers.echo);
      await agent.phone.waitActive();
      await headset.waitForTone(HEADSET_MIC_HZ, 0, 10_000);
      headset.stop();
      const unpluggedAt = await rig.unplug();
      for (let i = 0; !/Headset disconnected/.test(await agent.phone.shownMessages()); i++) {
        assert.ok(i < 50, 'the agent was told the headset is gone');
        await agent.page.waitForTimeout(100);
      }
      await agent.page.waitForTimeout(Math.max(0, 1000 - (Date.now() - unpluggedAt)));
      await rig.plugIn();
      headset = rig.listen(HEADSET_SPEAKER);
      const pluggedAt = Date.now();
      // Routed back at once, Chromium would hand the headset its idle stream, which PulseAudio moved
      // to the laptop at the unplug: the headset would stay silent for good (output-return.ts).
      const back = await headset.waitForTone(HEADSET_MIC_HZ, pluggedAt, OUTPUT_STREAM_REUSE_MS + 10_000);
      console.log(
        `# plugged back ${pluggedAt - unpluggedAt} ms after the unplug: the headset plays its microphone's echo ${back.at - pluggedAt} ms later`,
      );
      const sinks = (await playedMedia(agent.page)).filter((m) => m.kind === 'stream' && !m.paused).map((m) => m.sinkId);
      assert.equal(sinks.length, 1);
      assert.notEqual(sinks[0], '', 'the call audio is routed to the headset again');
      await agent.phone.hangUp();
      await agent.phone.waitCallStatus(/Call ended/);
    } finally {
      headset.stop();
      await agent.phone.endAllCalls();
    }
  },
);

test(
  'the saved headset is gone before the next call: the call starts on the laptop devices instead of failing, and the agent is told',
  { skip, timeout: 60_000 },
  async () => {
    const { agent } = rig;
    const laptop = rig.listen(LAPTOP_SPEAKER);
    try {
      const unpluggedAt = await rig.unplug();
      await agent.page
        .getByRole('alert')
        .filter({ hasText: 'Headset disconnected: the microphone and speaker now use the system default until it is back.' })
        .waitFor({ timeout: 10_000 });
      assert.match(
        await agent.page.getByLabel('Microphone').innerText(),
        /Saved device \(not connected\)/,
        'Settings still shows the saved choice',
      );
      await agent.phone.dial(rig.backend.endpoints.numbers.echo);
      await agent.phone.waitActive();
      await rig.carrier.waitFor((await rig.echoCall()).id, `the laptop's ${LAPTOP_MIC_HZ} Hz`, (c) =>
        approxHz(c.received.dominantHz, LAPTOP_MIC_HZ),
      );
      await laptop.waitForTone(LAPTOP_MIC_HZ, unpluggedAt, 10_000);
      await agent.phone.hangUp();
      await agent.phone.waitCallStatus(/Call ended/);
    } finally {
      laptop.stop();
      await agent.phone.endAllCalls();
      await rig.plugIn();
    }
  },
);
