import { errorText, outcome } from '../../../common/diagnostics/step.js';
import type { PageStepDefinition } from '../page-step.js';

export const TEST_TONE_MS = 600;

/** A short tone on the chosen output device: the agent hears it or knows which device is wrong. */
export const speakerStep: PageStepDefinition = {
  id: 'speaker',
  title: 'Speaker',
  blocking: false,
  needsAccount: false,
  async run({ probes, devices }) {
    try {
      const played = await probes.playTestTone(devices.speakerId, TEST_TONE_MS);
      return outcome('pass', `played a test tone on ${played.device}: the agent should have heard it`, {
        device: played.device,
        playedMs: Math.round(played.playedMs),
      });
    } catch (e) {
      return outcome(
        'warn',
        `could not play on the chosen speaker: ${errorText(e)}`,
        { device: devices.speakerId },
        'choose another speaker in Settings, or check the headset is connected',
      );
    }
  },
};
