import { outcome } from '../../../common/diagnostics/step.js';
import type { PageStepDefinition } from '../page-step.js';

export const MICROPHONE_LISTEN_MS = 1500;
/** Below this RMS (≈ −60 dBFS) nothing reaches the microphone: unplugged, muted by a switch, or the wrong input. */
export const SILENT_RMS = 0.001;

const dbfs = (rms: number) => (rms > 0 ? Math.round(20 * Math.log10(rms)) : -Infinity);

/** Microphone present and producing sound, with its level meter (the samples) in the report. */
export const microphoneStep: PageStepDefinition = {
  id: 'microphone',
  title: 'Microphone',
  blocking: true,
  needsAccount: false,
  async run({ probes, devices }) {
    let sample;
    try {
      sample = await probes.listenToMicrophone(devices.microphoneId, MICROPHONE_LISTEN_MS);
    } catch (e) {
      const name = e instanceof Error ? e.name : '';
      if (name === 'NotAllowedError')
        return outcome(
          'fail',
          'the browser was not allowed to use the microphone',
          {},
          'allow microphone access for this site (the camera icon in the address bar), then run the test again',
        );
      if (name === 'NotFoundError' || name === 'OverconstrainedError')
        return outcome('fail', 'no microphone found', {}, 'plug in a headset or choose another microphone in Settings');
      return outcome(
        'fail',
        `the microphone could not be opened: ${e instanceof Error ? e.message : String(e)}`,
        {},
        'close other apps that use the microphone, or choose another one in Settings',
      );
    }
    const peak = Math.max(0, ...sample.levels);
    const values = {
      device: sample.device,
      peakDbfs: Number.isFinite(dbfs(peak)) ? dbfs(peak) : null,
      levels: sample.levels.map((l) => Math.round(l * 1000) / 1000),
    };
    if (sample.muted)
      return outcome(
        'fail',
        `${sample.device || 'the microphone'} is muted`,
        values,
        'unmute the microphone (headset switch, keyboard key or the OS sound settings)',
      );
    if (peak < SILENT_RMS)
      return outcome(
        'fail',
        `${sample.device || 'the microphone'} is silent: no sound reached it`,
        values,
        'check the headset is plugged in and not muted, or choose another microphone in Settings',
      );
    return outcome('pass', `${sample.device || 'the microphone'} hears sound (peak ${values.peakDbfs} dBFS)`, values);
  },
};
